"""Aggregate queries: COUNT(field), COUNT_DISTINCT, MIN, MAX, SUM, AVG with optional GROUP BY.

Each result is an AggregateResult record: `{"attributes": {"type": "AggregateResult"}, "expr0": 2,
"Name": "acct1"}`; unaliased aggregates are named expr0, expr1, ... in SELECT order and grouped fields
keep their own field name (shape as shown in
https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_methods_system_json.htm).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from leastforce.emulator.soql.errors import malformed
from leastforce.emulator.soql.order import SortKey, sort_key
from leastforce.emulator.soql.resolve import Getter, Resolver, Row
from leastforce.emulator.soql.syntax import Aggregate, FieldPath, Query
from leastforce.emulator.soql.values import kind_of, normaliser, to_json

Column = tuple[str, Callable[[list[Row]], Any]]


def aggregate_records(
    query: Query,
    sobject: str,
    resolver: Resolver,
    rows: Iterable[Row],
    keep: Callable[[list[Row]], bool] | None = None,
) -> list[dict[str, Any]]:
    """The AggregateResult records of `query` over the matching `rows`, one per group that passes
    `keep` (the HAVING clause, see having.py)."""
    key = _group_key(query, sobject, resolver)
    columns = _columns(query, sobject, resolver)
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        k = key(row)
        members = groups.get(k)
        if members is None:
            groups[k] = [row]
        else:
            members.append(row)
    if not query.group_by and not groups:
        groups[()] = []
    records = []
    for members in groups.values():
        if keep is not None and not keep(members):
            continue
        record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
        for name, compute in columns:
            record[name] = compute(members)
        records.append(record)
    return records


def _group_key(query: Query, sobject: str, resolver: Resolver) -> Callable[[Row], Any]:
    """Rows with equal keys form one group (text compares case-insensitively, ids on 15 chars)."""
    parts = []
    for field in query.group_by:
        resolved = resolver.resolve(sobject, field, query.alias)
        parts.append((resolver.getter(resolved), normaliser(kind_of(resolved.field.type))))
    if not parts:
        return lambda row: ()
    if len(parts) == 1:
        get, norm = parts[0]
        if norm is None:
            return get
        return lambda row: None if (v := get(row)) is None else norm(v)
    return lambda row: tuple(None if (v := g(row)) is None else (n(v) if n else v) for g, n in parts)


def _columns(query: Query, sobject: str, resolver: Resolver) -> list[Column]:
    grouped = {resolver.resolve(sobject, f, query.alias).field.name.lower() for f in query.group_by}
    columns: list[Column] = []
    expr = 0
    for item in query.select:
        if isinstance(item, FieldPath):
            resolved = resolver.resolve(sobject, item, query.alias)
            if resolved.field.name.lower() not in grouped:
                # UNVERIFIED wording; Salesforce refuses ungrouped fields in aggregate queries.
                detail = f"Field must be grouped or aggregated: {resolved.field.name}"
                raise malformed(query.text, item.pos, detail)
            get, ftype = resolver.getter(resolved), resolved.field.type
            columns.append((resolved.field.name, _first(get, ftype)))
            continue
        if not isinstance(item, Aggregate):
            raise malformed(query.text, item.pos, "unexpected token: '('")
        name = item.alias
        if name is None:
            name = f"expr{expr}"
            expr += 1
        columns.append((name, _aggregate(item, sobject, resolver, query.alias)))
    return columns


def _first(get: Getter, field_type: str) -> Callable[[list[Row]], Any]:
    return lambda rows: to_json(get(rows[0]), field_type) if rows else None


def _aggregate(
    item: Aggregate, sobject: str, resolver: Resolver, alias: str | None
) -> Callable[[list[Row]], Any]:
    if item.arg is None:
        return len
    resolved = resolver.resolve(sobject, item.arg, alias)
    get, ftype = resolver.getter(resolved), resolved.field.type
    norm = normaliser(kind_of(ftype))

    def values(rows: list[Row]) -> list[Any]:
        return [v for v in (get(r) for r in rows) if v is not None]

    function = item.function
    if function == "COUNT":
        return lambda rows: len(values(rows))
    if function == "COUNT_DISTINCT":
        return lambda rows: len({norm(v) if norm else v for v in values(rows)})
    if function == "SUM":
        return lambda rows: sum(values(rows)) if values(rows) else None
    if function == "AVG":
        return lambda rows: (sum(vs) / len(vs)) if (vs := values(rows)) else None

    def extreme(rows: list[Row]) -> Any:
        vs = values(rows)
        if not vs:
            return None
        pick = min if function == "MIN" else max
        return to_json(pick(vs, key=norm) if norm else pick(vs), ftype)

    return extreme


def order_aggregates(query: Query, sobject: str, resolver: Resolver) -> SortKey | None:
    """A sort key over AggregateResult records for ORDER BY grouped fields or selected aggregates."""
    if not query.order_by:
        return None
    names = _column_names(query, sobject, resolver)
    columns = []
    for item in query.order_by:
        target = item.field
        if isinstance(target, Aggregate):
            wanted = (target.function, _lower_path(target.arg))
            name = names.get(wanted)
            ftype = "double"
        else:
            resolved = resolver.resolve(sobject, target, query.alias)
            name, ftype = resolved.field.name, resolved.field.type
            if resolved.field.name.lower() not in {n.lower() for n in names.values()}:
                name = None
        if name is None:
            # UNVERIFIED wording: the ordered expression must be grouped or selected here.
            raise malformed(query.text, target.pos, "Ordered field must be grouped or aggregated")
        key = name
        columns.append((_record_getter(key), normaliser(kind_of(ftype)), item.descending, item.nulls_last))
    return sort_key(columns)


def _record_getter(name: str) -> Getter:
    return lambda record: record.get(name)


def _lower_path(path: FieldPath | None) -> tuple[str, ...] | None:
    return None if path is None else tuple(p.lower() for p in path.path)


def _column_names(query: Query, sobject: str, resolver: Resolver) -> dict[Any, str]:
    """Output column names by (function, lower path) for aggregates and by field for fields."""
    names: dict[Any, str] = {}
    expr = 0
    for item in query.select:
        if isinstance(item, Aggregate):
            name = item.alias
            if name is None:
                name, expr = f"expr{expr}", expr + 1
            names.setdefault((item.function, _lower_path(item.arg)), name)
        elif isinstance(item, FieldPath):
            field = resolver.resolve(sobject, item, query.alias).field.name
            names[("FIELD", field.lower())] = field
    return names
