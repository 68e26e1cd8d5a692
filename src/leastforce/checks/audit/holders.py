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
from itertools import groupby
from operator import attrgetter
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


class RightHolder(NamedTuple):
    """One (user, right): ``right`` is a permission API name or ``Object.ViewAllRecords`` /
    ``Object.ModifyAllRecords``; ``paths`` how it is granted ("permission set X via group Y").
    A named tuple, not a dataclass: an org of 20,000 users has near a million of them."""

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


class _Inverter:
    """Each source's risky rights, computed once per ``Rights`` object and shared by every holder."""

    def __init__(self, index: AccessIndex) -> None:
        self.tiers = {
            name: (perm.label, perm.risk)
            for name, perm in index.catalog.permissions.items()
            if perm.risk in TIERS
        }
        self.memo: dict[int, tuple[tuple[str, str, Risk], ...]] = {}
        self.keep: list[Rights] = []  # keeps ids valid while memoised

    def rights(self, rights: Rights) -> tuple[tuple[str, str, Risk], ...]:
        found = self.memo.get(id(rights))
        if found is None:
            found = self.memo[id(rights)] = self._compute(rights)
            self.keep.append(rights)
        return found

    def _compute(self, rights: Rights) -> tuple[tuple[str, str, Risk], ...]:
        out = [(p, *self.tiers[p]) for p in sorted(rights.permissions) if p in self.tiers]
        for obj in sorted(rights.objects):
            for right, tier in OBJECT_TIERS.items():
                if right in rights.objects[obj]:
                    key = right.value.removeprefix("Permissions")
                    out.append((f"{obj}.{key}", f"{obj}: {right.label}", tier))
        return tuple(out)  # type: ignore[arg-type]


def org_holders(index: AccessIndex, now: datetime, integration_ids: Iterable[str]) -> tuple[RightHolder, ...]:
    """Every (user, risky right) at ``now``, sorted by tier, right and username (case-insensitive).

    Users are taken in username order and each holder goes to its right's list, so the lists need no
    sort; users with the same active sources share what those sources grant, computed once."""
    inverter = _Inverter(index)
    integration = frozenset(integration_ids)
    paths: dict[Grant, str] = {}
    shared: dict[tuple[tuple[Grant, int], ...], tuple[tuple[str, str, Risk, tuple[str, ...]], ...]] = {}
    by_right: defaultdict[str, list[RightHolder]] = defaultdict(list)
    make = tuple.__new__  # RightHolder's own __new__ is Python code; this is the same tuple, made in C
    for user in sorted(index.snapshot.users.values(), key=lambda u: u.username.casefold()):
        sources = active_sources(index, user, now)
        key = tuple((grant, id(rights)) for grant, rights in sources)  # Rights live as long as the index
        held = shared.get(key)
        if held is None:
            held = shared[key] = _held(inverter, sources, paths)
        username, active, member = user.username, user.is_active, user.id in integration
        for right, label, tier, ways in held:
            by_right[right].append(make(RightHolder, (username, right, label, tier, active, member, ways)))
    order = sorted(by_right, key=lambda right: (-by_right[right][0].tier.rank, right))
    return tuple(holder for right in order for holder in by_right[right])


def _held(
    inverter: _Inverter, sources: Iterable[tuple[Grant, Rights]], paths: dict[Grant, str]
) -> tuple[tuple[str, str, Risk, tuple[str, ...]], ...]:
    """(right, label, tier, paths) for each risky right the sources grant, each path once."""
    held: dict[str, tuple[str, Risk, list[str]]] = {}
    for grant, rights in sources:
        found = inverter.rights(rights)
        if not found:
            continue
        path = paths.get(grant)
        if path is None:
            path = paths[grant] = grant_path(grant)
        for key, label, tier in found:
            entry = held.setdefault(key, (label, tier, []))
            if path not in entry[2]:
                entry[2].append(path)
    return tuple((key, label, tier, tuple(ways)) for key, (label, tier, ways) in held.items())


def rollup(holders: Iterable[RightHolder]) -> tuple[TierRollup, ...]:
    """One row per tier (critical, high, medium), zero rows included."""
    seen: dict[Risk, tuple[set[str], set[str], set[str]]] = {t: (set(), set(), set()) for t in TIERS}
    for tier, group in groupby(holders, key=attrgetter("tier")):  # org_holders groups them by tier
        rights, active, inactive = seen[tier]
        held = list(group)
        rights.update(h.right for h in held)
        active.update(h.username for h in held if h.active)
        inactive.update(h.username for h in held if not h.active)
    return tuple(TierRollup(t, len(seen[t][0]), len(seen[t][1]), len(seen[t][2])) for t in TIERS)


@dataclass(frozen=True)
class RightCount:
    """One risky right org-wide: how many active and inactive users hold it."""

    right: str
    label: str
    tier: Risk
    active: int
    inactive: int


def per_right(holders: Iterable[RightHolder]) -> tuple[RightCount, ...]:
    """Holder counts per right, in the holders' order (tier, then right)."""
    counts: dict[str, list[object]] = {}
    for right, group in groupby(holders, key=attrgetter("right")):  # org_holders groups them by right
        held = list(group)
        active = sum(1 for h in held if h.active)
        row = counts.setdefault(right, [held[0].label, held[0].tier, 0, 0])
        row[2] += active  # type: ignore[operator]
        row[3] += len(held) - active  # type: ignore[operator]
    return tuple(RightCount(k, *v) for k, v in counts.items())  # type: ignore[arg-type]
