"""HAVING: a condition over the groups of a GROUP BY query.

SOQL reference, "HAVING" and "Considerations When Using HAVING":
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_having.htm
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_having_considerations.htm
A HAVING clause can filter by aggregated values and by fields of the GROUP BY clause (any other field
is refused), supports the WHERE comparison operators with AND, OR and NOT, and takes no semi- or
anti-joins. Aggregates in HAVING need not be in the SELECT list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leastforce.emulator.soql.errors import malformed
from leastforce.emulator.soql.resolve import Resolver, Row
from leastforce.emulator.soql.syntax import (
    Aggregate,
    AggregateComparison,
    And,
    Comparison,
    Condition,
    Literal,
    LiteralKind,
    Not,
    Or,
    Query,
    SubQuery,
)
from leastforce.emulator.soql.values import Kind, kind_of, normaliser
from leastforce.emulator.soql.where import WhereCompiler

GroupTest = Callable[[list[Row]], bool]
_NUMERIC = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "AVG"})


def having_test(query: Query, sobject: str, resolver: Resolver, where: WhereCompiler) -> GroupTest | None:
    """The test a group (its member rows) must pass to be kept; None without HAVING."""
    if query.having is None:
        return None
    grouped = {resolver.resolve(sobject, f, query.alias).field.name.lower() for f in query.group_by}
    return _Compiler(query, sobject, resolver, where, grouped).compile(query.having)


class _Compiler:
    def __init__(
        self, query: Query, sobject: str, resolver: Resolver, where: WhereCompiler, grouped: set[str]
    ) -> None:
        self.query, self.sobject, self.resolver, self.where, self.grouped = (
            query,
            sobject,
            resolver,
            where,
            grouped,
        )

    def compile(self, condition: Condition) -> GroupTest:
        if isinstance(condition, And):
            parts = [self.compile(c) for c in condition.items]
            return lambda rows: all(p(rows) for p in parts)
        if isinstance(condition, Or):
            parts = [self.compile(c) for c in condition.items]
            return lambda rows: any(p(rows) for p in parts)
        if isinstance(condition, Not):
            inner = self.compile(condition.item)
            return lambda rows: not inner(rows)
        if isinstance(condition, AggregateComparison):
            return self.aggregate(condition)
        return self.grouped_field(condition)

    def grouped_field(self, cmp: Comparison) -> GroupTest:
        """A grouped field has one value per group: test it as WHERE would, on the group's first row."""
        resolved = self.resolver.resolve(self.sobject, cmp.field, self.query.alias)
        if resolved.field.name.lower() not in self.grouped:
            # UNVERIFIED wording; the considerations page says such a query is invalid.
            detail = f"Field must be grouped or aggregated: {resolved.field.name}"
            raise malformed(self.query.text, cmp.field.pos, detail)
        if isinstance(cmp.value, SubQuery):
            raise malformed(self.query.text, cmp.value.pos, "unexpected token: 'SELECT'")  # UNVERIFIED
        predicate = self.where.compile(cmp)
        assert predicate is not None
        return lambda rows: bool(rows) and predicate(rows[0])

    def aggregate(self, cmp: AggregateComparison) -> GroupTest:
        compute, key = self.value_of(cmp.aggregate)
        literals = cmp.value if isinstance(cmp.value, tuple) else (cmp.value,)
        wanted = [self.literal(lit, cmp.aggregate, key) for lit in literals]
        op = cmp.op
        if op in ("IN", "NOT_IN"):
            keys = {w for w in wanted if w is not None}
            if op == "IN":
                return lambda rows: (v := compute(rows)) is not None and v in keys
            return lambda rows: (v := compute(rows)) is None or v not in keys
        target = wanted[0]
        return lambda rows: _compare(op, compute(rows), target)

    def value_of(self, item: Aggregate) -> tuple[Callable[[list[Row]], Any], Kind]:
        """The aggregate over a group as a comparison key, and the kind of key it is."""
        if item.arg is None:
            return len, Kind.NUMBER
        resolved = self.resolver.resolve(self.sobject, item.arg, self.query.alias)
        get = self.resolver.getter(resolved)
        kind = kind_of(resolved.field.type)
        norm = normaliser(kind)

        def present(rows: list[Row]) -> list[Any]:
            return [norm(v) if norm else v for v in (get(r) for r in rows) if v is not None]

        function = item.function
        if function == "COUNT":
            return (lambda rows: len(present(rows))), Kind.NUMBER
        if function == "COUNT_DISTINCT":
            return (lambda rows: len(set(present(rows)))), Kind.NUMBER
        if function == "SUM":
            return (lambda rows: sum(vs) if (vs := present(rows)) else None), Kind.NUMBER
        if function == "AVG":
            return (lambda rows: sum(vs) / len(vs) if (vs := present(rows)) else None), Kind.NUMBER
        pick = min if function == "MIN" else max
        return (lambda rows: pick(vs) if (vs := present(rows)) else None), kind

    def literal(self, literal: Literal, item: Aggregate, kind: Kind) -> Any:
        if literal.kind is LiteralKind.NULL:
            return None
        if item.function in _NUMERIC or item.arg is None:
            if literal.kind is not LiteralKind.NUMBER:
                # UNVERIFIED wording for a non-numeric value compared with a count or sum.
                detail = f"value of filter criterion for {item.function} must be of type number"
                raise malformed(self.query.text, literal.pos, detail)
            return literal.value
        resolved = self.resolver.resolve(self.sobject, item.arg, self.query.alias)
        return self.where.coerce(literal, resolved)


def _compare(op: str, value: Any, target: Any) -> bool:
    if target is None:
        return (value is None) == (op == "=") if op in ("=", "!=") else False
    if value is None:
        return op == "!="
    tests: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    if op not in tests:
        return False
    return tests[op](value, target)
