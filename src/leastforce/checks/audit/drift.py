"""Drift: what changed for each integration user between two snapshots of the same org.

``drift(before, after, catalog, usernames)`` is pure: it resolves each user's effective access in both
snapshots (each at its own ``taken_at``) and compares permissions, object rights and assignments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from leastforce.access.grants import EffectiveAccess
from leastforce.access.index import AccessIndex
from leastforce.access.resolve import resolve_user
from leastforce.catalog.catalog import Catalog
from leastforce.values.model import ObjectRight, OrgSnapshot, frozen_map


@dataclass(frozen=True)
class UserDrift:
    """One user's changes. ``is_new``: the user did not exist before; rights as keys (read, edit ...)."""

    username: str
    is_new: bool = False
    gained_permissions: tuple[str, ...] = ()
    lost_permissions: tuple[str, ...] = ()
    gained_objects: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    lost_objects: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    new_assignments: tuple[str, ...] = ()
    removed_assignments: tuple[str, ...] = ()
    profile_change: tuple[str, str] | None = None  # (before, after)

    @property
    def changed(self) -> bool:
        return bool(
            self.is_new
            or self.gained_permissions
            or self.lost_permissions
            or self.gained_objects
            or self.lost_objects
            or self.new_assignments
            or self.removed_assignments
            or self.profile_change
        )


def drift(
    before: OrgSnapshot, after: OrgSnapshot, catalog: Catalog, usernames: Iterable[str]
) -> tuple[UserDrift, ...]:
    """Each named user's changes from ``before`` to ``after`` (users absent from ``after`` are skipped)."""
    old_index = AccessIndex.build(before, catalog)
    new_index = AccessIndex.build(after, catalog)
    out = []
    for username in usernames:
        new_user = after.user_by_username(username)
        if new_user is None:
            continue
        new = resolve_user(new_index, new_user, after.taken_at)
        old_user = before.user_by_username(username)
        if old_user is None:
            out.append(_compare(None, new, is_new=True))
            continue
        out.append(_compare(resolve_user(old_index, old_user, before.taken_at), new))
    return tuple(out)


def _compare(old: EffectiveAccess | None, new: EffectiveAccess, *, is_new: bool = False) -> UserDrift:
    old_perms = set(old.permissions) if old else set()
    new_perms = set(new.permissions)
    old_objects = _objects(old)
    new_objects = _objects(new)
    old_sets = _sets(old)
    new_sets = _sets(new)
    old_profile = old.profile.name if old and old.profile else ""
    new_profile = new.profile.name if new.profile else ""
    return UserDrift(
        username=new.user.username,
        is_new=is_new,
        gained_permissions=tuple(sorted(new_perms - old_perms)),
        lost_permissions=tuple(sorted(old_perms - new_perms)),
        gained_objects=_diff(new_objects, old_objects),
        lost_objects=_diff(old_objects, new_objects),
        new_assignments=tuple(sorted(new_sets - old_sets)),
        removed_assignments=tuple(sorted(old_sets - new_sets)),
        profile_change=(old_profile, new_profile) if old and old_profile != new_profile else None,
    )


def _objects(access: EffectiveAccess | None) -> dict[str, frozenset[ObjectRight]]:
    if access is None:
        return {}
    return {obj: frozenset(rights) for obj, rights in access.objects.items()}


def _sets(access: EffectiveAccess | None) -> set[str]:
    if access is None:
        return set()
    return {f"{a.namespace}__{a.name}" if a.namespace else a.name for a in access.assigned_sets}


def _diff(
    these: Mapping[str, frozenset[ObjectRight]], those: Mapping[str, frozenset[ObjectRight]]
) -> Mapping[str, tuple[str, ...]]:
    """Object -> rights in ``these`` and not in ``those``."""
    out = {}
    for obj in sorted(these):
        extra = [r.key for r in ObjectRight if r in these[obj] and r not in those.get(obj, frozenset())]
        if extra:
            out[obj] = tuple(extra)
    return frozen_map(out)
