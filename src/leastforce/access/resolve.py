"""Effective access: what a user may do, and where each right comes from.

Resolution follows the platform's order, step by step, keeping the source (a ``Grant``) of every right:

1. the profile, whose permissions live on a profile-owned permission set (IsOwnedByProfile = true);
2. permission sets assigned directly (PermissionSetAssignment), unless the assignment has expired;
3. permission set groups: the union of the component sets minus that group's muting set, which mutes
   only inside its own group (the same right from a plain set, the profile or another group survives);
4. expired assignments (ExpirationDate not after ``now``) grant nothing and are recorded as ignored;
5. implications, answered on query by ``EffectiveAccess.object_rights`` / ``field_rights``: View All
   Data / Modify All Data grant object access on every object, View All Fields makes every field of its
   object readable. Object rights are closed (Edit needs Read ...) per source.

Sources:
- permission sets and profiles: https://help.salesforce.com/s/articleView?id=sf.perm_sets_overview.htm
- groups and muting: https://help.salesforce.com/s/articleView?id=sf.perm_set_groups_muting.htm ("If the
  user is assigned the same permissions via a profile, permission set, or different permission set group,
  the user still has these permissions despite the muting permission set.")
- PermissionSetAssignment.ExpirationDate (API 52.0+):
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
- View All Data / Modify All Data users "must still be assigned field permissions":
  https://help.salesforce.com/s/articleView?id=platform.users_profiles_view_all_mod_all.htm
- View All Fields: https://help.salesforce.com/s/articleView?id=sf.users_profiles_view_all_fields.htm

License limits (decision): Salesforce refuses to save a permission the user's license cannot hold
("The user license doesn't allow the permission: ..."), so such a grant should never be in the data. If a
snapshot holds one anyway, the grant is kept (the org says the row exists; the catalog may be stale) and
recorded in ``EffectiveAccess.license_conflicts`` for verify and explain to show.

Inactive or frozen users are resolved like any other; verify reports them.

Per-set work (closure, muting) is done once per snapshot in ``AccessIndex``; resolving a user only lists
the precomputed sources it holds (users with the same profile and assignments share that list in
``resolve_all``), and the OR across them is taken on lookup (``SourceMap``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leastforce.access.grants import (
    AssignedSet,
    EffectiveAccess,
    Grant,
    IgnoredAssignment,
    LicenseConflict,
    MutedGrant,
    Rights,
    SourceKind,
    describe_grant,
)
from leastforce.access.index import AccessIndex, Source
from leastforce.access.source_map import Part, SourceMap
from leastforce.catalog.catalog import Catalog
from leastforce.errors import InputError
from leastforce.values.model import OrgSnapshot, Profile, User

__all__ = [
    "AccessIndex",
    "AssignedSet",
    "EffectiveAccess",
    "Grant",
    "IgnoredAssignment",
    "LicenseConflict",
    "MutedGrant",
    "Rights",
    "SourceKind",
    "SourceMap",
    "active_sources",
    "active_units",
    "describe_grant",
    "effective_access",
    "resolve_all",
    "resolve_user",
    "with_expiry",
]


def effective_access(
    snapshot: OrgSnapshot,
    user_id: str,
    *,
    catalog: Catalog,
    now: datetime | None = None,
    index: AccessIndex | None = None,
) -> EffectiveAccess:
    """The effective access of one user (by Id or username) at ``now`` (default: snapshot.taken_at).

    Raises InputError when the snapshot has no such user. Pass ``index`` to reuse one built before.
    """
    index = index or AccessIndex.build(snapshot, catalog)
    user = snapshot.users.get(user_id) or snapshot.user_by_username(user_id)
    if user is None:
        raise InputError(f"no user {user_id!r} in the org snapshot")
    return resolve_user(index, user, now or snapshot.taken_at)


def resolve_all(
    snapshot: OrgSnapshot,
    catalog: Catalog,
    now: datetime | None = None,
    *,
    index: AccessIndex | None = None,
    only: Collection[str] | None = None,
) -> Iterator[EffectiveAccess]:
    """Every user's effective access (or the users whose Ids are in ``only``), in user-Id order, from one
    index built once.

    Users with the same profile, license and assignments share one merge; it is dropped from the cache
    once its last user is yielded, so memory follows what the caller keeps, not the org's size.
    """
    index = index or AccessIndex.build(snapshot, catalog)
    when = now or snapshot.taken_at
    ids = sorted(snapshot.users) if only is None else sorted(i for i in only if i in snapshot.users)
    users = [snapshot.users[user_id] for user_id in ids]
    keys = [_merge_key(index, user, when) for user in users]
    left = Counter(keys)
    cache: dict[tuple[object, ...], _Merged] = {}
    for user, key in zip(users, keys, strict=True):
        yield resolve_user(index, user, when, cache)
        left[key] -= 1
        if not left[key]:
            cache.pop(key, None)


@dataclass(frozen=True)
class _Merged:
    """The part of EffectiveAccess shared by users with the same profile, assignments and license."""

    profile: Profile | None
    permissions: SourceMap
    objects: SourceMap
    fields: SourceMap
    setup_entities: SourceMap
    assigned: tuple[AssignedSet, ...]
    muted: tuple[MutedGrant, ...]
    ignored: tuple[IgnoredAssignment, ...]
    conflicts: tuple[LicenseConflict, ...]


def resolve_user(
    index: AccessIndex, user: User, now: datetime, cache: dict[tuple[object, ...], Any] | None = None
) -> EffectiveAccess:
    """One user's access from the index; pass the same ``cache`` dict to share the work between users
    with the same profile, license and assignments."""
    cache = {} if cache is None else cache
    key = _merge_key(index, user, now)
    merged = cache.get(key)
    if merged is None:
        merged = cache[key] = _merge_user(index, user, now)
    psls = index.permission_set_licenses.get(user.id, frozenset())
    user_license = user.user_license or (merged.profile.user_license if merged.profile else "")
    conflicts = merged.conflicts + index.set_license_conflicts(user_license, psls, merged.assigned)
    return EffectiveAccess(
        user=user,
        profile=merged.profile,
        license=user_license,
        permission_set_licenses=psls,
        permissions=merged.permissions,
        objects=merged.objects,
        fields=merged.fields,
        setup_entities=merged.setup_entities,
        assigned_sets=merged.assigned,
        muted=merged.muted,
        ignored=merged.ignored,
        license_conflicts=conflicts,
        open_fields=index.open_fields,
    )


def _merge_key(index: AccessIndex, user: User, now: datetime) -> tuple[object, ...]:
    """What a user's merge depends on: users with equal keys have equal merges. The rows stay in their
    order: the merge lists assigned sets, mutings and ignored rows in it."""
    rows = index.assignments.get(user.id, ())
    return (
        user.profile_id,
        user.profile_name,
        user.user_license,
        tuple((a.permission_set_id, a.group_id, a.active_at(now), a.expires or now) for a in rows),
    )


def active_units(index: AccessIndex, user: User, now: datetime) -> list[tuple[Source, datetime | None]]:
    """Steps 1-4, sources only: the index's sources a user holds at ``now`` with the expiry of the
    assignment that brings each, in order (the profile's own set, then each active assignment's set, or
    each component of its group minus the group's muting). Expired assignments and unknown or
    profile-owned set rows bring nothing."""
    rows = index.assignments.get(user.id, ())
    # Step 1: the profile's own permission set.
    profile_source = index.profile_source(index.profile_of(user), rows)
    active: list[tuple[Source, datetime | None]] = [(profile_source, None)] if profile_source else []
    for row in rows:
        sources = index.sources_of(row)
        # Step 4: an expired assignment grants nothing.
        if sources is not None and row.active_at(now):
            # Steps 2 and 3: a plain set, or each component of a group minus that group's muting.
            active.extend((s, row.expires) for s in sources)
    return active


def active_sources(index: AccessIndex, user: User, now: datetime) -> tuple[tuple[Grant, Rights], ...]:
    """``active_units`` as (grant, rights): each grant carries its assignment's expiry."""
    return tuple((with_expiry(s.grant, expires), s.rights) for s, expires in active_units(index, user, now))


def _merge_user(index: AccessIndex, user: User, now: datetime) -> _Merged:
    """Steps 1-4 for one user: the active sources (their OR is taken on lookup, SourceMap), and what was
    assigned, muted or ignored."""
    profile = index.profile_of(user)
    assigned: list[AssignedSet] = []
    muted: list[MutedGrant] = []
    ignored: list[IgnoredAssignment] = []
    for row in index.assignments.get(user.id, ()):
        sources = index.sources_of(row)
        if sources is None:  # the profile-owned set's own assignment row, or an unknown set
            if not index.is_profile_owned(row.permission_set_id):
                ignored.append(_unknown(row.group_id or row.permission_set_id, bool(row.group_id)))
            continue
        granted = tuple((with_expiry(s.grant, row.expires), s) for s in sources)
        # Step 4: an expired assignment grants nothing.
        if not row.active_at(now):
            when = row.expires.date().isoformat() if row.expires else ""
            head = with_expiry(index.assignment_grant(row), row.expires)
            would = tuple((g, s.rights) for g, s in granted)
            ignored.append(IgnoredAssignment(head, f"assignment expired on {when}", would))
            continue
        assigned.append(index.assigned_set(row))
        muted.extend(MutedGrant(g, s.muting_set, s.muted) for g, s in granted if s.muted)
    found = active_sources(index, user, now)
    perms = SourceMap(found, Part.PERMISSIONS)
    conflicts = index.license_conflicts(user.user_license or (profile.user_license if profile else ""), perms)
    return _Merged(
        profile,
        perms,
        SourceMap(found, Part.OBJECTS),
        SourceMap(found, Part.FIELDS),
        SourceMap(found, Part.SETUP_ENTITIES),
        tuple(assigned),
        tuple(muted),
        tuple(ignored),
        conflicts,
    )


def with_expiry(grant: Grant, expires: datetime | None) -> Grant:
    if expires is None:
        return grant
    return Grant(grant.kind, grant.name, grant.via, expires, grant.implied_by)


def _unknown(ref: str, is_group: bool) -> IgnoredAssignment:
    kind = SourceKind.GROUP if is_group else SourceKind.PERMISSION_SET
    return IgnoredAssignment(Grant(kind, ref), "not in the org snapshot")
