"""The SELECT list as a tree of output entries, rendered into REST JSON records.

A record is `{"attributes": {"type", "url"}, <fields in SELECT order>}`; parent relationships are nested
records (or null), child relationships `{"totalSize", "done", "records"}` (or null when empty), as in
/work/shared/corpus/rest/sfpowerscripts__psa_query_sfdx_cli.json and cumulusci__user_with_psa_subquery.json.
Keys use describe's spelling, not the query's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from leastforce.emulator.soql.errors import malformed
from leastforce.emulator.soql.resolve import ParentCache, Resolved, Row, Step, path_getter
from leastforce.emulator.soql.source import FieldMeta
from leastforce.emulator.soql.values import json_converter, same_value


@dataclass(frozen=True)
class Leaf:
    """A plain field of the current record."""

    name: str
    type: str


@dataclass
class Parent:
    """A parent relationship with the entries selected from it."""

    step: Step
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Child:
    """A child relationship subquery; `plan` is an `evaluate.Plan` (kept untyped to avoid a cycle)."""

    name: str
    fk: str
    plan: Any


Entry = Leaf | Parent | Child


class Projection:
    """The entries of one SELECT list, built field by field."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entries: list[Entry] = []
        self.columns: list[tuple[str, str]] = []  # (dotted name, describe type) in SELECT order
        self.paths: list[Resolved] = []  # each column's path, in SELECT order
        self._seen: set[str] = set()

    def add_field(self, resolved: Resolved, pos: int) -> None:
        """Add a resolved field path; a repeated field is refused like Salesforce does."""
        entries = self.entries
        for step in resolved.steps:
            parent = next((e for e in entries if isinstance(e, Parent) and e.step == step), None)
            if parent is None:
                parent = Parent(step)
                entries.append(parent)
            entries = parent.entries
        dotted = ".".join([s.relationship for s in resolved.steps] + [resolved.field.name]).lower()
        if dotted in self._seen:
            # UNVERIFIED code; the message is Salesforce's "duplicate field selected: <field>".
            raise malformed(self.text, pos, f"duplicate field selected: {resolved.field.name}")
        self._seen.add(dotted)
        entries.append(Leaf(resolved.field.name, resolved.field.type))
        steps = "".join(f"{s.relationship}." for s in resolved.steps)
        self.columns.append((steps + resolved.field.name, resolved.field.type))
        self.paths.append(resolved)

    def add_all(self, fields: Iterable[FieldMeta], kind: str) -> None:
        """Add the fields FIELDS(kind) stands for, skipping ones already selected."""
        for meta in fields:
            wanted = kind == "ALL" or meta.name.endswith("__c") == (kind == "CUSTOM")
            if wanted and meta.name.lower() not in self._seen:
                self._seen.add(meta.name.lower())
                self.entries.append(Leaf(meta.name, meta.type))
                self.columns.append((meta.name, meta.type))
                self.paths.append(Resolved((), meta))

    def add_child(self, child: Child) -> None:
        """Add a child relationship subquery."""
        self.entries.append(child)


def render(entries: list[Entry], sobject: str, row: Row, api_path: str, cache: ParentCache) -> dict[str, Any]:
    """One record in REST JSON shape (child relationships are filled in later by the caller)."""
    out: dict[str, Any] = {
        "attributes": {"type": sobject, "url": f"{api_path}/sobjects/{sobject}/{row.get('Id')}"}
    }
    for entry in entries:
        if isinstance(entry, Leaf):
            out[entry.name] = json_converter(entry.type)(row.get(entry.name))
        elif isinstance(entry, Parent):
            record_id = row.get(entry.step.fk)
            found = cache.lookup(entry.step.targets, record_id) if record_id is not None else None
            out[entry.step.relationship] = (
                render(entry.entries, found[0], found[1], api_path, cache) if found else None
            )
        else:
            out[entry.name] = None
    return out


def renderer(
    entries: list[Entry], sobject: str, api_path: str, cache: ParentCache
) -> Callable[[Row], dict[str, Any]]:
    """`render` bound to one projection. A flat one (plain fields only, the big permission tables) gets
    its converters chosen once, not per row and field, and reads its values through the store's picker
    when the rows have one (`db.Row.picker`)."""
    if not all(isinstance(entry, Leaf) for entry in entries):
        return lambda row: render(entries, sobject, row, api_path, cache)
    leaves = [entry for entry in entries if isinstance(entry, Leaf)]
    names = [leaf.name for leaf in leaves]
    converters = [json_converter(leaf.type) for leaf in leaves]
    url = f"{api_path}/sobjects/{sobject}/"
    pick = _values(names, converters)

    def flat(row: Row) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": sobject, "url": f"{url}{row.get('Id')}"}}
        out.update(zip(names, pick(row), strict=True))
        return out

    return flat


def tabulator(projection: Projection, cache: ParentCache) -> Callable[[Row], list[Any]]:
    """Each row's JSON values in the order of ``projection.columns`` (a parent's field is the column
    "Relationship.Field", as Bulk API 2.0 names the columns of its CSV); no REST record is rendered.
    Child subqueries have no column."""
    entries = projection.entries
    converters = [json_converter(kind) for _, kind in projection.columns]
    if all(isinstance(entry, Leaf) for entry in entries):
        return _values([name for name, _ in projection.columns], converters)
    # Parent fields: each column read through its lookups (the parent rows cached), no record rendered.
    readers = [
        (path_getter(path, cache), convert)
        for path, convert in zip(projection.paths, converters, strict=True)
    ]

    def values(row: Row) -> list[Any]:
        return [convert(read(row)) for read, convert in readers]

    return values


def changing_converters(converters: list[Callable[[Any], Any]]) -> list[tuple[int, Callable[[Any], Any]]]:
    """(position, converter) of the converters that change a value (not the identity, not ``bool``,
    which a store's values already satisfy or a writer spells)."""
    return [(i, convert) for i, convert in enumerate(converters) if convert not in (bool, same_value)]


def _values(names: list[str], converters: list[Callable[[Any], Any]]) -> Callable[[Row], list[Any]]:
    """Each row's JSON values of ``names``. Rows of the store have a picker (`db.Row.picker`: booleans
    come out as `get` gives them), built once from the first row; then only the converters that change
    a value run. Other rows are read field by field."""
    changing = changing_converters(converters)
    pick: Callable[[Row], list[Any]] | None = None

    def values(row: Row) -> list[Any]:
        nonlocal pick
        if pick is None:
            make = getattr(row, "picker", None)
            if make is None:
                return [convert(row.get(name)) for name, convert in zip(names, converters, strict=True)]
            pick = make(names)
        found = pick(row)
        for i, convert in changing:
            found[i] = convert(found[i])
        return found

    return values
