"""WHERE clauses compiled once into Python closures, plus the index hints handed to storage.

Semantics (https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-comparisonoperators.html):
string comparisons and LIKE are case-insensitive; `!=` and NOT IN also match null values (unlike SQL);
`= null` / `!= null` test for null; date literals stand for ranges (see dates.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from leastforce.emulator.soql.dates import date_range
from leastforce.emulator.soql.errors import ErrorCode, SoqlError, located, malformed
from leastforce.emulator.soql.hints import storage_hints
from leastforce.emulator.soql.resolve import Getter, Resolved, Resolver, Row
from leastforce.emulator.soql.source import Filter
from leastforce.emulator.soql.syntax import (
    AggregateComparison,
    And,
    Comparison,
    Condition,
    Literal,
    LiteralKind,
    Not,
    Or,
    SubQuery,
)
from leastforce.emulator.soql.values import Kind, id18, is_id, kind_of, normaliser, to_date, to_datetime

Predicate = Callable[[Row], bool]
SemiJoin = Callable[[SubQuery, str], list[Any]]  # runs a one-column subquery of a given field kind


class WhereCompiler:
    """Compiles the WHERE clause of one query on `sobject`."""

    def __init__(
        self, resolver: Resolver, sobject: str, alias: str | None, now: dt.datetime, semi_join: SemiJoin
    ) -> None:
        self.resolver = resolver
        self.sobject = sobject
        self.alias = alias
        self.now = now
        self.semi_join = semi_join
        self.hints: list[Filter] = []
        self._semi_values: dict[int, tuple[Any, ...]] = {}

    @property
    def text(self) -> str:
        return self.resolver.text

    def compile(self, condition: Condition | None) -> Predicate | None:
        """The predicate for `condition` (None: every row matches); fills `self.hints`."""
        if condition is None:
            return None
        predicate = self._compile(condition)
        top = condition.items if isinstance(condition, And) else (condition,)
        self.hints = storage_hints(self, [c for c in top if isinstance(c, Comparison)])
        return predicate

    def semi_join_values(self, cmp: Comparison) -> tuple[Any, ...]:
        """The values a semi-join `cmp` found (18-character ids for id fields)."""
        return self._semi_values.get(id(cmp), ())

    def coerce(self, literal: Literal, resolved: Resolved) -> Any:
        """The comparison key of `literal` for the resolved field (see `_coerce`)."""
        return self._coerce(literal, resolved, kind_of(resolved.field.type))

    def _compile(self, condition: Condition) -> Predicate:
        if isinstance(condition, And):
            return _all([self._compile(c) for c in condition.items])
        if isinstance(condition, Or):
            return _any([self._compile(c) for c in condition.items])
        if isinstance(condition, Not):
            inner = self._compile(condition.item)
            return lambda row: not inner(row)
        if isinstance(condition, AggregateComparison):  # the parser builds these only in HAVING
            raise malformed(self.text, condition.aggregate.pos, "unexpected token: '('")
        return self._comparison(condition)

    def _comparison(self, cmp: Comparison) -> Predicate:
        resolved = self.resolver.resolve(self.sobject, cmp.field, self.alias)
        if not resolved.field.filterable:
            # Code and wording as real answers show them for a long text area ("field 'Description' can
            # not be filtered in query call"); the location prefix is UNVERIFIED for this error.
            detail = f"field '{resolved.field.name}' can not be filtered in query call"
            raise SoqlError(ErrorCode.INVALID_FIELD, located(self.text, cmp.field.pos, detail))
        get = self.resolver.getter(resolved)
        kind = kind_of(resolved.field.type)
        if kind is Kind.BOOLEAN:
            # "the Boolean field never has a null value. Instead, null is treated as false."
            # https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_null.htm
            get = _as_bool(get)
            cmp = _null_as_false(cmp)
        if isinstance(cmp.value, SubQuery):
            values = self.semi_join(cmp.value, resolved.field.type)
            self._semi_values[id(cmp)] = tuple(id18(v) if kind is Kind.ID else v for v in values)
            return _membership(get, normaliser(kind), values, cmp.op == "NOT_IN")
        if isinstance(cmp.value, tuple):
            return self._set_op(cmp, resolved, get, kind)
        literal = cmp.value
        if literal.kind is LiteralKind.NULL:
            if cmp.op == "=":
                return lambda row: get(row) is None
            if cmp.op == "!=":
                return lambda row: get(row) is not None
            return lambda row: False
        if literal.kind is LiteralKind.DATE_LITERAL:
            return self._date_literal(cmp.op, literal, resolved, get, kind)
        if cmp.op == "LIKE":
            return self._like(literal, resolved, get, kind, cmp)
        value = self._coerce(literal, resolved, kind)
        # Boolean getters already yield bools (see above), so they need no normaliser.
        return _scalar(cmp.op, get, None if kind is Kind.BOOLEAN else normaliser(kind), value)

    def _set_op(self, cmp: Comparison, resolved: Resolved, get: Getter, kind: Kind) -> Predicate:
        assert isinstance(cmp.value, tuple)
        if cmp.op in ("INCLUDES", "EXCLUDES"):
            wanted = [frozenset(p.strip().lower() for p in str(lit.value).split(";")) for lit in cmp.value]

            def includes(row: Row) -> bool:
                value = get(row)
                have = frozenset(p.strip().lower() for p in str(value).split(";")) if value else frozenset()
                return any(w <= have for w in wanted)

            if cmp.op == "INCLUDES":
                return includes
            return lambda row: not includes(row)
        if any(lit.kind is LiteralKind.DATE_LITERAL for lit in cmp.value):
            parts = tuple(self._date_literal("=", lit, resolved, get, kind) for lit in cmp.value)
            if cmp.op == "IN":
                return lambda row: any(p(row) for p in parts)
            return lambda row: not any(p(row) for p in parts)
        values = [self._coerce(lit, resolved, kind) for lit in cmp.value if lit.kind is not LiteralKind.NULL]
        has_null = any(lit.kind is LiteralKind.NULL for lit in cmp.value)
        test = _membership(get, normaliser(kind), values, cmp.op == "NOT_IN")
        if not has_null:
            return test
        if cmp.op == "IN":
            return lambda row: get(row) is None or test(row)
        return lambda row: get(row) is not None and test(row)

    def _like(
        self, literal: Literal, resolved: Resolved, get: Getter, kind: Kind, cmp: Comparison
    ) -> Predicate:
        if kind is not Kind.STRING:
            # "invalid operator on id field" is real (github.com/UnofficialSF/LightningFlowComponents/issues/255);
            # the wording for other non-text types is UNVERIFIED.
            detail = f"invalid operator on {resolved.field.type.lower()} field"
            raise SoqlError(ErrorCode.INVALID_QUERY_FILTER_OPERATOR, located(self.text, cmp.pos, detail))
        match = re.compile(literal.like, re.IGNORECASE | re.DOTALL).fullmatch
        return lambda row: (value := get(row)) is not None and match(str(value)) is not None

    def _date_literal(
        self, op: str, literal: Literal, resolved: Resolved, get: Getter, kind: Kind
    ) -> Predicate:
        assert isinstance(literal.value, tuple)
        name: str = literal.value[0]
        n: int | None = literal.value[1]
        if kind not in (Kind.DATE, Kind.DATETIME):
            raise self._type_error(literal, resolved, kind)
        start_day, end_day = date_range(name, n, self.now.astimezone(dt.UTC).date())
        to: Callable[[Any], Any] = to_date
        start: Any = start_day
        end: Any = end_day
        if kind is Kind.DATETIME:
            to = to_datetime
            start, end = to_datetime(start_day), to_datetime(end_day)
        tests: dict[str, Callable[[Any], bool]] = {
            "=": lambda v: start <= v < end,
            "!=": lambda v: not start <= v < end,
            "<": lambda v: v < start,
            "<=": lambda v: v < end,
            ">": lambda v: v >= end,
            ">=": lambda v: v >= start,
        }
        test = tests[op]
        if op == "!=":
            return lambda row: (v := get(row)) is None or test(to(v))
        return lambda row: (v := get(row)) is not None and test(to(v))

    def _coerce(self, literal: Literal, resolved: Resolved, kind: Kind) -> Any:
        """The literal as a comparison key for a field of `kind`; Salesforce-like errors otherwise."""
        value, lk = literal.value, literal.kind
        if kind in (Kind.STRING, Kind.MULTIPICKLIST) and lk is LiteralKind.STRING:
            return str(value).lower()
        if kind is Kind.ID and lk is LiteralKind.STRING:
            if not is_id(str(value)):
                # Real message and code: github.com/forcedotcom/salesforcedx-apex/issues/153,
                # github.com/restforce/restforce/issues/557.
                detail = f"invalid ID field: {value}"
                raise SoqlError(
                    ErrorCode.INVALID_QUERY_FILTER_OPERATOR, located(self.text, literal.pos, detail)
                )
            return str(value)[:15]
        if kind is Kind.NUMBER and lk is LiteralKind.NUMBER:
            return value
        if kind is Kind.BOOLEAN and lk is LiteralKind.BOOLEAN:
            return value
        if kind is Kind.DATE and lk is LiteralKind.DATE:
            return to_date(value)
        if kind is Kind.DATETIME and lk is LiteralKind.DATETIME:
            return to_datetime(value)
        raise self._type_error(literal, resolved, kind)

    def _type_error(self, literal: Literal, resolved: Resolved, kind: Kind) -> SoqlError:
        # Wording from real INVALID_FIELD errors, e.g. "value of filter criterion for field 'IsActive'
        # must be of type boolean and should not be enclosed in quotes" (UNVERIFIED for every type).
        type_name = {Kind.DATETIME: "dateTime", Kind.ID: "id"}.get(kind, resolved.field.type.lower())
        quoted = kind in (Kind.STRING, Kind.ID, Kind.MULTIPICKLIST)
        advice = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
        detail = f"value of filter criterion for field '{resolved.field.name}' must be of type {type_name} and {advice}"
        return SoqlError(ErrorCode.INVALID_FIELD, located(self.text, literal.pos, detail))


def _as_bool(get: Getter) -> Getter:
    return lambda row: bool(get(row))


def _null_as_false(cmp: Comparison) -> Comparison:
    """`flag = null` means `flag = false` (and `!= null` means `!= false`) on a boolean field."""
    value = cmp.value
    if isinstance(value, Literal) and value.kind is LiteralKind.NULL:
        return Comparison(cmp.field, cmp.op, Literal(LiteralKind.BOOLEAN, False, value.pos), cmp.pos)
    if isinstance(value, tuple):
        fixed = tuple(
            Literal(LiteralKind.BOOLEAN, False, v.pos) if v.kind is LiteralKind.NULL else v for v in value
        )
        return Comparison(cmp.field, cmp.op, fixed, cmp.pos)
    return cmp


def _all(parts: list[Predicate]) -> Predicate:
    """Conjunction, nested pairwise: cheaper per row than all() over a generator."""
    first = parts[0]
    if len(parts) == 1:
        return first
    rest = _all(parts[1:])
    return lambda row: first(row) and rest(row)


def _any(parts: list[Predicate]) -> Predicate:
    """Disjunction, nested pairwise."""
    first = parts[0]
    if len(parts) == 1:
        return first
    rest = _any(parts[1:])
    return lambda row: first(row) or rest(row)


def _scalar(op: str, get: Getter, norm: Callable[[Any], Any] | None, value: Any) -> Predicate:
    """`field op value` with a normalised literal; `!=` matches nulls."""
    if norm is None:
        if op == "=":
            return lambda row: (v := get(row)) is not None and v == value
        if op == "!=":
            return lambda row: (v := get(row)) is None or v != value
    else:
        if op == "=":
            return lambda row: (v := get(row)) is not None and norm(v) == value
        if op == "!=":
            return lambda row: (v := get(row)) is None or norm(v) != value
    key = norm or (lambda v: v)
    tests: dict[str, Callable[[Any], bool]] = {
        "<": lambda v: key(v) < value,
        "<=": lambda v: key(v) <= value,
        ">": lambda v: key(v) > value,
        ">=": lambda v: key(v) >= value,
    }
    test = tests[op]
    return lambda row: (v := get(row)) is not None and test(v)


def _membership(
    get: Getter, norm: Callable[[Any], Any] | None, values: Sequence[Any], negate: bool
) -> Predicate:
    """IN / NOT IN over normalised `values` (NOT IN matches nulls)."""
    keys = frozenset(norm(v) if norm else v for v in values if v is not None)
    if norm is None:
        if negate:
            return lambda row: (v := get(row)) is None or v not in keys
        return lambda row: (v := get(row)) is not None and v in keys
    if negate:
        return lambda row: (v := get(row)) is None or norm(v) not in keys
    return lambda row: (v := get(row)) is not None and norm(v) in keys
