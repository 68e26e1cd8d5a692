"""`execute`: run a parsed `Query` over a `RowSource` and shape the REST answer.

A query is compiled once into a `Plan` (resolved fields, WHERE closures, sort key, projection); rows
stream from the source through the predicate, then ORDER BY/LIMIT/OFFSET, then rendering. Parent
lookups go through one `ParentCache` per call; child subqueries run once for all parents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from leastforce.emulator.soql.aggregate import aggregate_records, order_aggregates
from leastforce.emulator.soql.errors import ErrorCode, SoqlError, located, unknown_relationship
from leastforce.emulator.soql.having import having_test
from leastforce.emulator.soql.order import SortKey, sort_key, window
from leastforce.emulator.soql.project import Child, Leaf, Projection, changing_converters, renderer, tabulator
from leastforce.emulator.soql.resolve import ParentCache, Resolver, Row
from leastforce.emulator.soql.source import Filter, QueryResult, QueryTable, RowSource
from leastforce.emulator.soql.syntax import Aggregate, FieldPath, FieldsCall, Query, SubQuery
from leastforce.emulator.soql.values import json_converter, kind_of, normaliser
from leastforce.emulator.soql.where import Predicate, WhereCompiler

MAX_OFFSET = 2000  # https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_offset.htm


@dataclass
class Plan:
    """One compiled (sub)query."""

    query: Query
    sobject: str
    predicate: Predicate | None
    hints: list[Filter]
    key: SortKey | None
    projection: Projection


def execute(
    query: Query, source: RowSource, *, now: dt.datetime | None = None, api_path: str = "/services/data/v64.0"
) -> QueryResult:
    """Run `query`; raise SoqlError for unknown objects/fields, bad values and limits."""
    runner = _Runner(source, now or dt.datetime.now(dt.UTC), api_path.rstrip("/"), query.text)
    return runner.run(query)


def execute_table(
    query: Query, source: RowSource, *, now: dt.datetime | None = None, api_path: str = "/services/data/v64.0"
) -> QueryTable:
    """Run a query of plain and parent fields (what Bulk API 2.0 accepts) into columns and rows, without
    the REST record of each row; errors as `execute`."""
    runner = _Runner(source, now or dt.datetime.now(dt.UTC), api_path.rstrip("/"), query.text)
    return runner.table(query)


class _Runner:
    def __init__(self, source: RowSource, now: dt.datetime, api_path: str, text: str) -> None:
        self.source = source
        self.now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
        self.api_path = api_path
        self.cache = ParentCache(source)
        self.resolver = Resolver(source, text, self.cache)

    def run(self, query: Query) -> QueryResult:
        if query.offset is not None and query.offset > MAX_OFFSET:
            # UNVERIFIED message text; the code is documented on the OFFSET page.
            detail = f"Maximum SOQL offset allowed is {MAX_OFFSET}"
            raise SoqlError(ErrorCode.NUMBER_OUTSIDE_VALID_RANGE, detail)
        plan = self.plan(query, query.sobject)
        matched = self.matching(plan)
        if query.is_count:
            total = sum(1 for _ in window(matched, None, query.limit, query.offset or 0))
            return QueryResult([], total, is_count=True)
        if query.group_by or any(isinstance(item, Aggregate) for item in query.select):
            where = WhereCompiler(self.resolver, plan.sobject, query.alias, self.now, self.semi_join)
            keep = having_test(query, plan.sobject, self.resolver, where)
            groups = aggregate_records(query, plan.sobject, self.resolver, matched, keep)
            key = order_aggregates(query, plan.sobject, self.resolver)
            page = [dict(r) for r in window(groups, key, query.limit, query.offset or 0)]
            return QueryResult(page, len(page))
        rows = window(matched, plan.key, query.limit, query.offset or 0)
        one = renderer(plan.projection.entries, plan.sobject, self.api_path, self.cache)
        records = [one(r) for r in rows]
        self.fill_children(plan, rows, records)
        return QueryResult(records, len(records))

    def table(self, query: Query) -> QueryTable:
        plan = self.plan(query, query.sobject)
        columns = plan.projection.columns
        names, types = tuple(name for name, _ in columns), tuple(kind for _, kind in columns)
        whole = self.whole_table(plan, names, types)
        if whole is not None:
            return QueryTable(names, types, whole)
        rows = window(self.matching(plan), plan.key, query.limit, query.offset or 0)
        if query.is_count:
            return QueryTable((), (), [])
        values = tabulator(plan.projection, self.cache)
        return QueryTable(names, types, [values(row) for row in rows])

    def whole_table(
        self, plan: Plan, names: tuple[str, ...], types: tuple[str, ...]
    ) -> list[list[Any]] | None:
        """A whole table of plain fields (no WHERE, ORDER BY, LIMIT or OFFSET), read by the source in one
        go when it can (1.5 million FieldPermissions rows without a row object each); None otherwise.
        Booleans stay 1/0 (the Bulk API writer spells them); other values get their JSON form."""
        query = plan.query
        plain = all(isinstance(entry, Leaf) for entry in plan.projection.entries)
        if not plain or query.where is not None or query.order_by or query.limit is not None or query.offset:
            return None
        if query.is_count or query.group_by or not names:
            return None
        table = self.source.columns(plan.sobject, names)
        if table is None:
            return None
        converting = changing_converters([json_converter(kind) for kind in types])
        for row in table if converting else ():
            for i, convert in converting:
                row[i] = convert(row[i])
        return table

    def plan(self, query: Query, sobject: str) -> Plan:
        """Compile `query` against `sobject` (canonical name; a child subquery passes the child's)."""
        canonical = self.canonical(query, sobject)
        projection = Projection(query.text)
        for item in query.select:
            if isinstance(item, FieldPath):
                projection.add_field(self.resolver.resolve(canonical, item, query.alias), item.pos)
            elif isinstance(item, SubQuery):
                projection.add_child(self.child(canonical, item))
            elif isinstance(item, FieldsCall):
                self.check_fields_limit(query, item)
                projection.add_all(self.resolver.fields(canonical).values(), item.kind)
            elif item.arg is not None:
                self.resolver.resolve(canonical, item.arg, query.alias)  # validate the field now
        # The WHERE clause is compiled after the SELECT list so errors come in reading order.
        compiler = WhereCompiler(self.resolver, canonical, query.alias, self.now, self.semi_join)
        predicate = compiler.compile(query.where)
        return Plan(query, canonical, predicate, compiler.hints, self.order_key(query, canonical), projection)

    def check_fields_limit(self, query: Query, item: FieldsCall) -> None:
        """FIELDS(ALL) and FIELDS(CUSTOM) need LIMIT 200 or less (documented on the FIELDS() page;
        the message wording is UNVERIFIED)."""
        if item.kind != "STANDARD" and (query.limit is None or query.limit > 200):
            detail = "The SOQL FIELDS function must have a LIMIT of at most 200"
            raise SoqlError(ErrorCode.MALFORMED_QUERY, located(query.text, item.pos, detail))

    def canonical(self, query: Query, sobject: str) -> str:
        """The describe name of `sobject`; the source's INVALID_TYPE error gets Salesforce's
        location prefix ("ERROR at Row:1:Column:16" under a caret at the object name)."""
        try:
            self.resolver.fields(sobject)
            return self.source.canonical_sobject(sobject)
        except SoqlError as error:
            if error.error_code != ErrorCode.INVALID_TYPE or error.message.startswith("\n"):
                raise
            raise SoqlError(error.error_code, located(query.text, query.sobject_pos, error.message)) from None

    def order_key(self, query: Query, sobject: str) -> SortKey | None:
        if not query.order_by or query.group_by or any(isinstance(i, Aggregate) for i in query.select):
            return None
        columns = []
        for item in query.order_by:
            if isinstance(item.field, Aggregate):
                # UNVERIFIED wording: Salesforce refuses aggregates in ORDER BY of a non-aggregate query.
                detail = "Ordered field must be grouped or aggregated: " + item.field.function
                raise SoqlError(ErrorCode.MALFORMED_QUERY, located(query.text, item.field.pos, detail))
            resolved = self.resolver.resolve(sobject, item.field, query.alias)
            norm = normaliser(kind_of(resolved.field.type))
            columns.append((self.resolver.getter(resolved), norm, item.descending, item.nulls_last))
        return sort_key(columns)

    def child(self, parent: str, sub: SubQuery) -> Child:
        relation = self.source.child_relationship(parent, sub.query.sobject)
        if relation is None:
            raise unknown_relationship(
                sub.query.text, sub.query.sobject_pos, sub.query.sobject, "FROM part of query call"
            )
        child_sobject, fk = relation[0], relation[1]
        self.resolver.reading(child_sobject, fk)  # fill_children groups the children by it
        name = relation[2] if len(relation) > 2 else sub.query.sobject
        return Child(name, fk, self.plan(sub.query, child_sobject))

    def matching(self, plan: Plan, extra: list[Filter] | None = None) -> Iterator[Row]:
        """Rows of the plan's object that satisfy its WHERE clause."""
        rows = self.source.rows(plan.sobject, [*plan.hints, *(extra or [])], self.reads(plan))
        predicate = plan.predicate
        if predicate is None:
            return iter(rows)
        return (row for row in rows if predicate(row))

    def reads(self, plan: Plan) -> frozenset[str] | None:
        """The fields of the plan's rows the query reads (resolved so far), so that storage may read
        just those; None (every field) for FIELDS() and aggregate queries, whose fields are resolved
        after the rows are asked for."""
        query = plan.query
        if query.group_by or any(isinstance(item, Aggregate | FieldsCall) for item in query.select):
            return None
        return frozenset({"Id", *self.resolver.reads.get(plan.sobject, ())})

    def semi_join(self, sub: SubQuery, field_type: str) -> list[Any]:
        """The values of the single field a semi-/anti-join subquery selects."""
        query = sub.query
        if len(query.select) != 1 or not isinstance(query.select[0], FieldPath):
            # UNVERIFIED wording
            detail = "The selected field in a subquery must be a single ID or reference field"
            raise SoqlError(ErrorCode.MALFORMED_QUERY, located(query.text, sub.pos, detail))
        plan = self.plan(query, query.sobject)
        resolved = self.resolver.resolve(plan.sobject, query.select[0], query.alias)
        get = self.resolver.getter(resolved)
        rows = window(self.matching(plan), plan.key, query.limit, query.offset or 0)
        return [v for v in (get(row) for row in rows) if v is not None]

    def fill_children(self, plan: Plan, rows: list[Row], records: list[dict[str, Any]]) -> None:
        """Run each child subquery once for all parent rows and attach its results."""
        children = [e for e in plan.projection.entries if isinstance(e, Child)]
        if not children or not rows:
            return
        parent_ids = [row.get("Id") for row in rows]
        for child in children:
            sub: Plan = child.plan
            hint = Filter(child.fk, "IN", tuple(i for i in parent_ids if i is not None))
            wanted = {str(i)[:15] for i in hint.values}
            groups: dict[str, list[Row]] = defaultdict(list)
            for row in self.matching(sub, [hint]):
                fk = row.get(child.fk)
                if fk is not None and str(fk)[:15] in wanted:
                    groups[str(fk)[:15]].append(row)
            one = renderer(sub.projection.entries, sub.sobject, self.api_path, self.cache)
            for parent_id, record in zip(parent_ids, records, strict=True):
                found = groups.get(str(parent_id)[:15], [])
                part = window(iter(found), sub.key, sub.query.limit, sub.query.offset or 0)
                rendered = [one(r) for r in part]
                record[child.name] = (
                    {"totalSize": len(rendered), "done": True, "records": rendered} if rendered else None
                )
