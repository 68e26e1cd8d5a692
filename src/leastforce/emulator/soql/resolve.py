"""Field paths to describe metadata, and getters that walk parent relationships with a cache.

`Assignee.Profile.Name` on PermissionSetAssignment resolves through the lookup fields whose
`relationship_name` is Assignee (-> User) and Profile (-> Profile) to Profile.Name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from leastforce.emulator.soql.errors import no_such_column, unknown_relationship
from leastforce.emulator.soql.source import FieldMeta, RowSource
from leastforce.emulator.soql.syntax import FieldPath

Row = Mapping[str, Any]
Getter = Callable[[Row], Any]


@dataclass(frozen=True)
class Step:
    """One hop to a parent: read `fk` (canonical), look the id up among `targets`."""

    fk: str
    relationship: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Resolved:
    """A field path: the hops, then `field` on the last object reached."""

    steps: tuple[Step, ...]
    field: FieldMeta


class ParentCache:
    """Per-query cache of parent rows by id (misses are cached too)."""

    def __init__(self, source: RowSource) -> None:
        self._source = source
        self._rows: dict[tuple[tuple[str, ...], str], tuple[str, Row] | None] = {}

    def remember(self, targets: tuple[str, ...], sobject: str, row: Row) -> None:
        """Keep a parent row already read (by a hint query) for later lookups by its Id."""
        record_id = row.get("Id")
        if record_id is not None:
            self._rows[(targets, str(record_id))] = (sobject, row)

    def lookup(self, targets: tuple[str, ...], record_id: str) -> tuple[str, Row] | None:
        """(sObject, row) of the parent with `record_id` among `targets`, or None."""
        key = (targets, record_id)
        if key in self._rows:
            return self._rows[key]
        found: tuple[str, Row] | None = None
        for sobject in targets:
            row = self._source.get_by_id(sobject, record_id)
            if row is not None:
                found = (sobject, row)
                break
        self._rows[key] = found
        return found


class Resolver:
    """Resolves field paths of one query against a `RowSource`."""

    def __init__(self, source: RowSource, text: str, cache: ParentCache) -> None:
        self.source = source
        self.text = text
        self.cache = cache
        self._fields: dict[str, Mapping[str, FieldMeta]] = {}
        # sObject -> its fields some resolved path reads (a plain field, or the lookup of a parent path)
        self.reads: dict[str, set[str]] = {}

    def reading(self, sobject: str, name: str) -> None:
        """Note that rows of ``sobject`` are read at field ``name``."""
        self.reads.setdefault(sobject, set()).add(name)

    def fields(self, sobject: str) -> Mapping[str, FieldMeta]:
        """`source.fields(sobject)`, asked once per query and object."""
        found = self._fields.get(sobject)
        if found is None:
            found = self._fields[sobject] = self.source.fields(sobject)
        return found

    def parent_step(self, sobject: str, name: str) -> Step | None:
        """The lookup of `sobject` whose relationship name is `name` (any case), if any."""
        lowered = name.lower()
        for meta in self.fields(sobject).values():
            if meta.relationship_name and meta.relationship_name.lower() == lowered and meta.reference_to:
                return Step(meta.name, meta.relationship_name, tuple(meta.reference_to))
        return None

    def strip_prefix(self, sobject: str, alias: str | None, path: tuple[str, ...]) -> tuple[str, ...]:
        """Drop a leading alias or object name (`u.Name`, `User.Name` FROM User u)."""
        prefixes = {sobject.lower(), (alias or "").lower()}
        if len(path) > 1 and path[0].lower() in prefixes and self.parent_step(sobject, path[0]) is None:
            return path[1:]
        return path

    def resolve(self, sobject: str, field: FieldPath, alias: str | None = None) -> Resolved:
        """Resolve `field` from `sobject`; raise INVALID_FIELD like Salesforce for unknown names."""
        path = self.strip_prefix(sobject, alias, field.path)
        steps: list[Step] = []
        current: tuple[str, ...] = (sobject,)
        for part in path[:-1]:
            step = next((s for s in (self.parent_step(t, part) for t in current) if s), None)
            if step is None:
                raise unknown_relationship(self.text, field.pos, part)
            steps.append(step)
            current = step.targets
        last = path[-1].lower()
        for target in current:
            meta = self.fields(target).get(last)
            if meta is not None:
                self.reading(sobject, steps[0].fk if steps else meta.name)
                return Resolved(tuple(steps), meta)
        raise no_such_column(self.text, field.pos, path[-1], self.source.canonical_sobject(current[0]))

    def getter(self, resolved: Resolved) -> Getter:
        """A function reading the resolved field from a row of the queried object."""
        return path_getter(resolved, self.cache)


def path_getter(resolved: Resolved, cache: ParentCache) -> Getter:
    """A function reading ``resolved`` from a row: the field itself, or through each parent lookup
    (a missing parent reads as None), parents looked up in ``cache``."""
    name = resolved.field.name
    if not resolved.steps:
        return lambda row: row.get(name)
    steps = resolved.steps
    lookup = cache.lookup

    def walk(row: Row) -> Any:
        current: Row | None = row
        for step in steps:
            record_id = current.get(step.fk) if current is not None else None
            if record_id is None:
                return None
            found = lookup(step.targets, record_id)
            if found is None:
                return None
            current = found[1]
        return current.get(name) if current is not None else None

    return walk
