"""Who holds what, org-wide: every tiered permission (critical, high, medium in catalog/data/risk.yaml) and
object-level View All / Modify All Records, for every user, each holder with the paths that grant it.

Fast at 20,000 users because grants are inverted per source, not per user: each profile, permission set
and group component (muting already applied, ``AccessIndex``) is turned into its list of risky rights
once; a user's rights are then the concatenation of its active sources' lists (profile, unexpired
assignments), so an expired assignment or a muted permission never makes a holder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from leastforce.access.grants import Grant, Rights, SourceKind, describe_grant
from leastforce.access.index import AccessIndex
from leastforce.access.resolve import active_sources
from leastforce.catalog.types import Risk
from leastforce.values.model import ObjectRight

TIERS = (Risk.CRITICAL, Risk.HIGH, Risk.MEDIUM)
# Object-level tiers are the project's judgement (leastforce-risk): Modify All Records edits and deletes
# every record of the object regardless of sharing, View All Records reads them.
# https://help.salesforce.com/s/articleView?id=platform.users_profiles_view_all_mod_all.htm
OBJECT_TIERS = {ObjectRight.MODIFY_ALL_RECORDS: Risk.HIGH, ObjectRight.VIEW_ALL_RECORDS: Risk.MEDIUM}


@dataclass(frozen=True)
class HeldRight:
    """One risky right as a user holds it: ``right`` is a permission API name or ``Object.ViewAllRecords``
    / ``Object.ModifyAllRecords``; ``paths`` how it is granted ("permission set X via group Y")."""

    right: str
    label: str
    tier: Risk
    paths: tuple[str, ...]


@dataclass(frozen=True)
class UserRights:
    """Every risky right one user holds, by tier then right. Users with the same active sources share
    one ``rights`` tuple: an org of 20,000 users holds near a million (user, right) pairs, but only a few
    thousand distinct tuples."""

    username: str
    active: bool
    integration: bool
    rights: tuple[HeldRight, ...]


class RightHolder(NamedTuple):
    """One (user, right): a row of ``audit --format csv`` (``right_holders``)."""

    username: str
    right: str
    label: str
    tier: Risk
    active: bool
    integration: bool
    paths: tuple[str, ...]


@dataclass(frozen=True)
class TierRollup:
    """Per tier: how many distinct rights are held, by how many active and inactive users."""

    tier: Risk
    rights: int
    active_users: int
    inactive_users: int


def grant_path(grant: Grant) -> str:
    """A grant in the words of the report: "permission set X via group Y", "profile P"."""
    if grant.kind is SourceKind.GROUP and grant.via:
        text = f"permission set {grant.via} via group {grant.name}"
        return text + (f" (expires {grant.expires.date().isoformat()})" if grant.expires else "")
    return describe_grant(grant)


# A source's risky right: (sort order: tier then name, right, label, tier).
_Found = tuple[tuple[int, str], str, str, Risk]


class _Inverter:
    """Each source's risky rights, computed once per ``Rights`` object and shared by every holder."""

    def __init__(self, index: AccessIndex) -> None:
        self.tiers = {
            name: (perm.label, perm.risk)
            for name, perm in index.catalog.permissions.items()
            if perm.risk in TIERS
        }
        self.memo: dict[int, tuple[_Found, ...]] = {}
        self.keep: list[Rights] = []  # keeps ids valid while memoised

    def rights(self, rights: Rights) -> tuple[_Found, ...]:
        found = self.memo.get(id(rights))
        if found is None:
            found = self.memo[id(rights)] = self._compute(rights)
            self.keep.append(rights)
        return found

    def _compute(self, rights: Rights) -> tuple[_Found, ...]:
        out = [(p, *self.tiers[p]) for p in sorted(rights.permissions) if p in self.tiers]
        for obj in sorted(rights.objects):
            for right, tier in OBJECT_TIERS.items():
                if right in rights.objects[obj]:
                    key = right.value.removeprefix("Permissions")
                    out.append((f"{obj}.{key}", f"{obj}: {right.label}", tier))
        return tuple(((-tier.rank, key), key, label, tier) for key, label, tier in out)  # type: ignore[misc]


def org_holders(index: AccessIndex, now: datetime, integration_ids: Iterable[str]) -> tuple[UserRights, ...]:
    """Every user holding a risky right at ``now``, in username order (case-insensitive), with its rights.

    Users with the same active sources share what those sources grant, computed once; equal
    (right, paths) pairs are one HeldRight, whoever holds them."""
    inverter = _Inverter(index)
    integration = frozenset(integration_ids)
    paths: dict[Grant, str] = {}
    interned: dict[tuple[str, ...], HeldRight] = {}
    shared: dict[tuple[tuple[Grant, int], ...], tuple[HeldRight, ...]] = {}
    out = []
    for user in sorted(index.snapshot.users.values(), key=lambda u: u.username.casefold()):
        sources = active_sources(index, user, now)
        key = tuple((grant, id(rights)) for grant, rights in sources)  # Rights live as long as the index
        held = shared.get(key)
        if held is None:
            held = shared[key] = _held(inverter, sources, paths, interned)
        if held:
            out.append(UserRights(user.username, user.is_active, user.id in integration, held))
    return tuple(out)


def _held(
    inverter: _Inverter,
    sources: Iterable[tuple[Grant, Rights]],
    paths: dict[Grant, str],
    interned: dict[tuple[str, ...], HeldRight],
) -> tuple[HeldRight, ...]:
    """Each risky right the sources grant with its paths (each path once), by tier then right."""
    held: dict[str, tuple[tuple[int, str], str, Risk, list[str]]] = {}
    for grant, rights in sources:
        found = inverter.rights(rights)
        if not found:
            continue
        path = paths.get(grant)
        if path is None:
            path = paths[grant] = grant_path(grant)
        for order, key, label, tier in found:
            entry = held.get(key)
            if entry is None:
                held[key] = (order, label, tier, [path])
            elif path not in entry[3]:
                entry[3].append(path)
    out = []
    for key, (_order, label, tier, ways) in sorted(held.items(), key=_by_order):
        ident = (key, *ways)
        right = interned.get(ident)
        if right is None:
            right = interned[ident] = HeldRight(key, label, tier, tuple(ways))
        out.append(right)
    return tuple(out)


def _by_order(item: tuple[str, tuple[tuple[int, str], str, Risk, list[str]]]) -> tuple[int, str]:
    return item[1][0]


def right_holders(holders: Iterable[UserRights]) -> tuple[RightHolder, ...]:
    """Every (user, risky right), sorted by tier, right and username (case-insensitive): the CSV rows."""
    by_right: defaultdict[str, list[RightHolder]] = defaultdict(list)
    make = tuple.__new__  # RightHolder's own __new__ is Python code; this is the same tuple, made in C
    for user in holders:  # in username order, so each right's list needs no sort
        username, active, member = user.username, user.active, user.integration
        for r in user.rights:
            by_right[r.right].append(
                make(RightHolder, (username, r.right, r.label, r.tier, active, member, r.paths))
            )
    order = sorted(by_right, key=lambda right: (-by_right[right][0].tier.rank, right))
    return tuple(holder for right in order for holder in by_right[right])


def _counted(holders: Iterable[UserRights]) -> list[tuple[tuple[HeldRight, ...], int, int]]:
    """Each distinct rights tuple with how many active and inactive users hold it."""
    counts: dict[int, tuple[tuple[HeldRight, ...], list[int]]] = {}
    for user in holders:
        entry = counts.get(id(user.rights))
        if entry is None:
            entry = counts[id(user.rights)] = (user.rights, [0, 0])
        entry[1][0 if user.active else 1] += 1
    return [(rights, n[0], n[1]) for rights, n in counts.values()]


def rollup(holders: Iterable[UserRights]) -> tuple[TierRollup, ...]:
    """One row per tier (critical, high, medium), zero rows included: distinct rights held, and how many
    active and inactive users hold any right of the tier."""
    rights: dict[Risk, set[str]] = {t: set() for t in TIERS}
    users = {t: [0, 0] for t in TIERS}
    seen: set[int] = set()  # HeldRights are shared (org_holders): each distinct one looked at once
    for held, active, inactive in _counted(holders):
        last = None
        for r in held:  # by tier, so each tier of the tuple comes in one run
            if id(r) not in seen:
                seen.add(id(r))
                rights[r.tier].add(r.right)
            if r.tier is not last:
                last = r.tier
                users[last][0] += active
                users[last][1] += inactive
    return tuple(TierRollup(t, len(rights[t]), *users[t]) for t in TIERS)


@dataclass(frozen=True)
class RightCount:
    """One risky right org-wide: how many active and inactive users hold it."""

    right: str
    label: str
    tier: Risk
    active: int
    inactive: int


def per_right(holders: Iterable[UserRights]) -> tuple[RightCount, ...]:
    """Holder counts per right, by tier then right."""
    found: dict[str, tuple[HeldRight, list[int]]] = {}
    for rights, active, inactive in _counted(holders):
        for r in rights:
            entry = found.get(r.right)
            if entry is None:
                entry = found[r.right] = (r, [0, 0])
            entry[1][0] += active
            entry[1][1] += inactive
    order = sorted(found.values(), key=lambda e: (-e[0].tier.rank, e[0].right))
    return tuple(RightCount(r.right, r.label, r.tier, n[0], n[1]) for r, n in order)
