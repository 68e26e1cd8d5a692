"""Who holds what, org-wide: every tiered permission (critical, high, medium in catalog/data/risk.yaml) and
object-level View All / Modify All Records, for every user, each holder with the paths that grant it.

Fast at 20,000 users because grants are inverted per source, not per user: each profile, permission set
and group component (muting already applied, ``AccessIndex``) is turned into its list of risky rights
once; a user's rights are then the concatenation of its active sources' lists (profile, unexpired
assignments), so an expired assignment or a muted permission never makes a holder.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from leastforce.access.grants import Grant, Rights, SourceKind, describe_grant
from leastforce.access.index import AccessIndex, Source
from leastforce.access.resolve import active_units, with_expiry
from leastforce.catalog.types import Risk
from leastforce.values.model import ObjectRight

TIERS = (Risk.CRITICAL, Risk.HIGH, Risk.MEDIUM)
# Object-level tiers are the project's judgement (leastforce-risk): Modify All Records edits and deletes
# every record of the object regardless of sharing, View All Records reads them.
# https://help.salesforce.com/s/articleView?id=platform.users_profiles_view_all_mod_all.htm
OBJECT_TIERS = {ObjectRight.MODIFY_ALL_RECORDS: Risk.HIGH, ObjectRight.VIEW_ALL_RECORDS: Risk.MEDIUM}


@dataclass(frozen=True, slots=True)  # slots: read near a million times per org-wide count
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

    Users with the same active sources share one rights tuple, merged once; equal (right, paths) pairs
    are one HeldRight, whoever holds them."""
    held = _Holdings(index)
    integration = frozenset(integration_ids)
    shared: dict[tuple[int, ...], tuple[HeldRight, ...]] = {}
    out = []
    for user in sorted(index.snapshot.users.values(), key=lambda u: u.username.casefold()):
        units = [c for s, expires in active_units(index, user, now) if (c := held.unit(s, expires))]
        key = tuple(map(id, units))  # units live as long as ``held``
        rights = shared.get(key)
        if rights is None:
            rights = shared[key] = held.merged(units)
        if rights:
            out.append(UserRights(user.username, user.is_active, user.id in integration, rights))
    return tuple(out)


@dataclass(frozen=True)
class _Unit:
    """What one active source (with its assignment's expiry) grants: each risky right as a HeldRight of
    this one path, by right and in order (tier, then right)."""

    path: str
    by_right: Mapping[str, HeldRight]
    ordered: tuple[HeldRight, ...]


class _Holdings:
    """Sources turned into _Units once each, and merges of units into a user's rights. A user's rights
    are the union of its units' rights, a right held through several units listing each path once, so
    the merge is mostly dict updates (done in C); only rights held more than one way are joined here."""

    def __init__(self, index: AccessIndex) -> None:
        self.inverter = _Inverter(index)
        self.units: dict[tuple[int, datetime | None], _Unit | None] = {}
        self.keep: list[Source] = []  # keeps ids valid while memoised
        self.interned: dict[tuple[str, ...], HeldRight] = {}
        self.order: dict[str, tuple[int, str]] = {}

    def unit(self, source: Source, expires: datetime | None) -> _Unit | None:
        """The source's unit (None when it grants nothing risky)."""
        key = (id(source), expires)
        if key in self.units:
            return self.units[key]
        found = sorted(self.inverter.rights(source.rights))
        made = None
        if found:
            path = grant_path(with_expiry(source.grant, expires))
            by_right = {right: self._held(right, label, tier, (path,)) for _, right, label, tier in found}
            self.order.update((right, order) for order, right, _, _ in found)
            made = _Unit(path, by_right, tuple(by_right.values()))
        self.keep.append(source)
        self.units[key] = made
        return made

    def merged(self, units: list[_Unit]) -> tuple[HeldRight, ...]:
        """The union of ``units``' rights, by tier then right."""
        if len(units) <= 1:
            return units[0].ordered if units else ()
        held = dict(units[0].by_right)
        for unit in units[1:]:
            both = held.keys() & unit.by_right.keys()
            before = {right: held[right] for right in both}
            held.update(unit.by_right)
            for right, earlier in before.items():
                held[right] = self._joined(earlier, unit.path)
        return tuple(map(held.__getitem__, sorted(held, key=self.order.__getitem__)))

    def _joined(self, held: HeldRight, path: str) -> HeldRight:
        if path in held.paths:
            return held
        return self._held(held.right, held.label, held.tier, (*held.paths, path))

    def _held(self, right: str, label: str, tier: Risk, paths: tuple[str, ...]) -> HeldRight:
        ident = (right, *paths)
        found = self.interned.get(ident)
        if found is None:
            found = self.interned[ident] = HeldRight(right, label, tier, paths)
        return found


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


_right_of = attrgetter("right")
_tier_of = attrgetter("tier")


@dataclass(frozen=True)
class RightCount:
    """One risky right org-wide: how many active and inactive users hold it."""

    right: str
    label: str
    tier: Risk
    active: int
    inactive: int


def census(holders: Iterable[UserRights]) -> tuple[tuple[TierRollup, ...], tuple[RightCount, ...]]:
    """The roll-up per tier (critical, high, medium, zero rows included: distinct rights held, and how
    many active and inactive users hold any right of the tier) and the holder counts per right (by tier,
    then right). One pass over each distinct rights tuple, in C: near a million (user, right) pairs at L."""
    users = {t: [0, 0] for t in TIERS}
    by_weight: defaultdict[tuple[int, int], list[tuple[HeldRight, ...]]] = defaultdict(list)
    for held, active, inactive in _counted(holders):
        by_weight[(active, inactive)].append(held)
        for tier in set(map(_tier_of, held)):
            users[tier][0] += active
            users[tier][1] += inactive
    one: dict[str, HeldRight] = {}  # a HeldRight of each right held (for its label and tier)
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (active, inactive), tuples in by_weight.items():
        pairs = list(chain.from_iterable(tuples))
        one.update(zip(map(_right_of, pairs), pairs, strict=True))
        for right, n in Counter(map(_right_of, pairs)).items():
            counts[right][0] += n * active
            counts[right][1] += n * inactive
    rights: dict[Risk, set[str]] = {t: set() for t in TIERS}
    for right, r in one.items():
        rights[r.tier].add(right)
    rollup = tuple(TierRollup(t, len(rights[t]), *users[t]) for t in TIERS)
    order = sorted(one.values(), key=lambda r: (-r.tier.rank, r.right))
    return rollup, tuple(RightCount(r.right, r.label, r.tier, *counts[r.right]) for r in order)
