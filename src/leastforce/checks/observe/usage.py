"""Counting a user's calls by the right each needs: a Tally per log file, merged, frozen into Usage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leastforce.checks.observe.calls import DENIED_STATUSES, LoggedCall, Need, need_of
from leastforce.values.model import ObjectRight, frozen_map

RightKey = tuple[str, ObjectRight]


@dataclass(frozen=True)
class Seen:
    """How often a right was exercised (or refused) and when last (TIMESTAMP_DERIVED)."""

    count: int
    last: str
    statuses: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Usage:
    """A user's calls over the period: rights used, attempts denied, what no right explains."""

    calls: int = 0
    used: Mapping[RightKey, Seen] = field(default_factory=frozen_map)
    denied: Mapping[RightKey, Seen] = field(default_factory=frozen_map)
    unattributed: int = 0  # calls that need no right the log shows (describe, limits, composite ...)
    apps: tuple[str, ...] = ()
    last_call: str = ""


class Tally:
    """Mutable counts while the log files stream; ``freeze`` returns the Usage value."""

    def __init__(self) -> None:
        self.calls = 0
        self.unattributed = 0
        self.last_call = ""
        self.apps: set[str] = set()
        self.used: dict[RightKey, list] = {}  # type: ignore[type-arg]
        self.denied: dict[RightKey, list] = {}  # type: ignore[type-arg]

    def add(self, call: LoggedCall, soql: str | None = None) -> None:
        self.calls += 1
        self.last_call = max(self.last_call, call.at)
        if call.app_id:
            self.apps.add(call.app_id)
        need = need_of(call, soql)
        if need is None:
            self.unattributed += 1
            return
        failed = call.status in DENIED_STATUSES
        if not failed and call.status >= 400:
            self.unattributed += 1  # 401, 5xx ...: says nothing about the user's rights
            return
        self._count(self.denied if failed else self.used, need, call)

    def _count(self, into: dict[RightKey, list], need: Need, call: LoggedCall) -> None:  # type: ignore[type-arg]
        row = into.setdefault((need.sobject, need.right), [0, "", set(), set()])
        row[0] += 1
        row[1] = max(row[1], call.at)
        row[2].add(call.status)
        row[3].update(need.fields)

    def merge(self, other: Tally) -> None:
        self.calls += other.calls
        self.unattributed += other.unattributed
        self.last_call = max(self.last_call, other.last_call)
        self.apps |= other.apps
        for mine, theirs in ((self.used, other.used), (self.denied, other.denied)):
            for key, row in theirs.items():
                into = mine.setdefault(key, [0, "", set(), set()])
                into[0] += row[0]
                into[1] = max(into[1], row[1])
                into[2] |= row[2]
                into[3] |= row[3]

    def freeze(self) -> Usage:
        def seen(rows: dict[RightKey, list]) -> Mapping[RightKey, Seen]:  # type: ignore[type-arg]
            return frozen_map(
                {
                    k: Seen(r[0], r[1], tuple(sorted(r[2])), tuple(sorted(r[3])))
                    for k, r in sorted(rows.items(), key=_order)
                }
            )

        return Usage(
            self.calls,
            seen(self.used),
            seen(self.denied),
            self.unattributed,
            tuple(sorted(self.apps)),
            self.last_call,
        )


def _order(item: tuple[RightKey, object]) -> tuple[str, int]:
    (sobject, right), _ = item
    return sobject, list(ObjectRight).index(right)
