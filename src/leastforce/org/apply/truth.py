"""What the org holds, from a fresh read, not from apply's bookkeeping.

``resolve`` turns writes whose answer was lost (sent, no answer: the connection dropped, a timeout, Ctrl-C)
into known ones: a create is done if a row with its natural key exists (rows.py), an update if the row holds
the values sent, a delete if the row is gone. ``observe`` reads every journal entry's row after a failure
and undo, so the report says what the org holds now.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leastforce.org.apply.journal import Entry, InFlight
from leastforce.org.apply.rows import differs, find_by_key, read_by_id, row_for
from leastforce.org.client import RowReader
from leastforce.planning.changes import Action, Change


class Effect(enum.Enum):
    """Whether a write's effect is in the org now."""

    PRESENT = "present"  # the org holds what apply wrote
    ABSENT = "absent"  # as before apply (never done, or undone)
    CHANGED = "changed"  # neither: someone else changed the row since


@dataclass(frozen=True)
class Observed:
    entry: Entry
    effect: Effect

    def describe(self) -> str:
        if self.effect is Effect.CHANGED:
            return f"{self.entry.describe()}: since changed by someone else, left as it is"
        return self.entry.describe()


def resolve(in_flight: InFlight, reader: RowReader) -> list[Entry]:
    """The writes of a call whose answer was lost that the org shows done (the rest were not done)."""
    done: list[Entry] = []
    for change, sent in zip(in_flight.changes, in_flight.sent, strict=True):
        record_id = _done_id(change, sent, reader)
        if record_id:
            done.append(Entry(change, record_id, sent))
    return done


def _done_id(change: Change, sent: Mapping[str, Any], reader: RowReader) -> str:
    if change.action is Action.CREATE:
        found = find_by_key(reader, change.sobject, sent)
        return str(found[0]["Id"]) if found else ""
    row = row_for(read_by_id(reader, change.sobject, [change.record_id], sent), change.record_id)
    if change.action is Action.DELETE:
        return change.record_id if row is None else ""
    return change.record_id if row is not None and not differs(row, sent) else ""


def observe(entries: Sequence[Entry], reader: RowReader) -> list[Observed]:
    """Each entry's effect as the org shows it now: one query per sObject for creates and updates, one per
    deleted row (found by its natural key: a re-created row has a new Id)."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for sobject in sorted({e.change.sobject for e in entries if e.change.action is not Action.DELETE}):
        mine = [e for e in entries if e.change.sobject == sobject and e.change.action is not Action.DELETE]
        fields = {k for e in mine if e.change.action is Action.UPDATE for k in _written(e)}
        fields |= {k for e in mine if e.change.action is Action.UPDATE for k in e.change.before}
        rows[sobject] = read_by_id(reader, sobject, [e.record_id for e in mine], fields)
    return [Observed(e, _effect(e, rows.get(e.change.sobject, {}), reader)) for e in entries]


def _written(entry: Entry) -> dict[str, Any]:
    return {k: v for k, v in entry.values.items() if not k.startswith("_")}


def _effect(entry: Entry, rows: Mapping[str, dict[str, Any]], reader: RowReader) -> Effect:
    change = entry.change
    if change.action is Action.DELETE:
        return Effect.ABSENT if find_by_key(reader, change.sobject, change.before) else Effect.PRESENT
    row = row_for(rows, entry.record_id)
    if change.action is Action.CREATE:
        return Effect.PRESENT if row is not None else Effect.ABSENT
    if row is None:
        return Effect.CHANGED  # an updated row deleted since
    if not differs(row, _written(entry)):
        return Effect.PRESENT
    return Effect.ABSENT if not differs(row, dict(change.before)) else Effect.CHANGED
