"""The journal of an apply: every write whose outcome is known, in order, and the one in flight.

A write is in one of three states: not sent, done (acknowledged, or found in the org after its answer was
lost: an Entry), or unknown (sent, no answer yet: ``Journal.in_flight``). Undo (undo.py) only ever touches
entries; an unknown write is first resolved by reading the org (truth.py).
A created User can never be undone: Salesforce does not delete users (only deactivates them).
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_user.htm
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leastforce.planning.changes import Action, Change
from leastforce.values.model import frozen_map


@dataclass(frozen=True)
class Entry:
    """One write known to be done: the change and the Id of the record it touched."""

    change: Change
    record_id: str
    values: Mapping[str, Any] = field(default_factory=frozen_map)  # what was sent, refs resolved

    def describe(self) -> str:
        verb = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "deleted"}[
            self.change.action
        ]
        return f"{verb} {self.change.sobject} {self.record_id} ({self.change.setup})"


@dataclass(frozen=True)
class InFlight:
    """Writes sent in one call whose answer has not come back: done or not, nobody knows yet."""

    changes: tuple[Change, ...]
    sent: tuple[Mapping[str, Any], ...]

    def describe(self) -> tuple[str, ...]:
        return tuple(f"{c.action.value} {c.sobject} ({c.setup}): outcome unknown" for c in self.changes)


@dataclass
class Journal:
    """Writes done so far, oldest first, and the call in flight (if any)."""

    entries: list[Entry] = field(default_factory=list)
    in_flight: InFlight | None = None

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    @property
    def point_of_no_return(self) -> Entry | None:
        """The first write that cannot be undone (a created User), if any."""
        return next(
            (e for e in self.entries if e.change.sobject == "User" and e.change.action is Action.CREATE), None
        )
