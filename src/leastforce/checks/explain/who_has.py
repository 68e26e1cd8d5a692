"""Who holds a target across a whole org ("who can read Contact.Email"), fast: only the users whose
sources could grant it are resolved, and users with the same such sources share one answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from leastforce.access.fields import field_routes
from leastforce.access.grants import EffectiveAccess, Grant, Rights
from leastforce.access.index import AccessIndex
from leastforce.access.resolve import active_sources
from leastforce.access.source_map import Part, SourceMap, Sources
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import OBJECT_ACCESS_PERMISSIONS
from leastforce.checks.explain.paths import (
    Target,
    TargetKind,
    explain_notes,
    parse_target,
    rights_test,
    target_grants,
)
from leastforce.values.model import FieldRight, OrgSnapshot, User, frozen_map


def who_has(
    snapshot: OrgSnapshot,
    target: str | Target,
    catalog: Catalog,
    *,
    now: datetime | None = None,
    index: AccessIndex | None = None,
) -> tuple[tuple[User, tuple[Grant, ...]], ...]:
    """Every user holding ``target`` (a field also needs Read on its object), with the grants, by username.

    Candidates come from the sources that could grant it (one pass over profiles, sets and groups, one
    over assignments); only those users are resolved, and identical users share one merge.
    """
    idx = index or AccessIndex.build(snapshot, catalog)
    if not isinstance(target, Target):
        known = set(snapshot.available_permissions)
        known.update(p for ps in snapshot.permission_sets.values() for p in ps.user_permissions)
        target = parse_target(target, catalog, (), known)
    tgt = target
    if tgt.kind is TargetKind.FIELD and snapshot.field_rows_of is not None:
        raise ValueError("who holds a field needs every set's field rows; this snapshot has some only")
    holders = set(idx.holders(rights_test(tgt, idx.open_fields)))
    profiles = {key for kind, key in holders if kind == "profile"}
    sets = {key for kind, key in holders if kind == "set"}
    groups = {key for kind, key in holders if kind == "group"}
    candidates = {u.id for u in snapshot.users.values() if _profile_name(idx, u) in profiles}
    candidates |= {
        a.user_id for a in snapshot.assignments if a.permission_set_id in sets or a.group_id in groups
    }
    when = now or snapshot.taken_at
    answers: dict[tuple[int, ...], tuple[Sources, tuple[Grant, ...]]] = {}
    touches = _touches(tgt)
    out = []
    for user_id in candidates:
        user = snapshot.users.get(user_id)
        if user is None:
            continue
        grants = _holder_grants(idx, user, active_sources(idx, user, when), tgt, touches, answers)
        if grants:
            out.append((user, grants))
    return tuple(sorted(out, key=lambda pair: pair[0].username.casefold()))


def _touches(target: Target) -> Callable[[Rights], bool]:
    """Whether a source's rights can take part in the answer for ``target`` (grant it, imply it, or give
    the Read on its object that a field needs)."""
    implying = set(OBJECT_ACCESS_PERMISSIONS)
    obj = target.name.partition(".")[0]
    if target.kind is TargetKind.PERMISSION:
        return lambda r: target.name in r.permissions
    if target.kind is TargetKind.FIELD:
        implying.update(r for r in field_routes(FieldRight.READ, open_field=True) if isinstance(r, str))
        return lambda r: target.name in r.fields or obj in r.objects or not implying.isdisjoint(r.permissions)
    return lambda r: obj in r.objects or not implying.isdisjoint(r.permissions)


def _holder_grants(
    index: AccessIndex,
    user: User,
    sources: Sources,
    target: Target,
    touches: Callable[[Rights], bool],
    answers: dict[tuple[int, ...], tuple[Sources, tuple[Grant, ...]]],
) -> tuple[Grant, ...]:
    """The grants by which the user holds ``target`` (empty: it does not). The answer depends only on the
    user's active sources that touch the target, so users with the same such sources share one
    computation, and no user's whole access is built (few objects survive: the collector stays idle)."""
    kept = tuple((g, r) for g, r in sources if touches(r))
    if not kept:
        return ()
    key = tuple(id(x) for pair in kept for x in pair)  # ids stay valid: ``answers`` keeps ``kept`` alive
    found = answers.get(key)
    if found is None:
        access = EffectiveAccess(
            user=user,
            profile=None,
            license=user.user_license,
            permission_set_licenses=frozenset(),
            permissions=SourceMap(kept, Part.PERMISSIONS),
            objects=SourceMap(kept, Part.OBJECTS),
            fields=SourceMap(kept, Part.FIELDS),
            setup_entities=frozen_map(),
            open_fields=index.open_fields,
        )
        found = answers[key] = (kept, _grants_for(access, target))
    return found[1]


def _grants_for(access: EffectiveAccess, target: Target) -> tuple[Grant, ...]:
    grants = tuple(dict.fromkeys(g for gs in target_grants(access, target).values() for g in gs))
    if grants and target.kind is TargetKind.FIELD and explain_notes(access, target):
        return ()  # field-level security without Read on the object shows nothing
    return grants


def _profile_name(index: AccessIndex, user: User) -> str:
    profile = index.profile_of(user)
    return profile.name if profile else ""
