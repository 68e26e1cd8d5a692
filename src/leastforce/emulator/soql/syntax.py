"""The SOQL syntax tree: frozen dataclasses produced by `parse_soql` and consumed by `execute`.

Every node keeps `pos`, its character offset in `Query.text`, so later errors (unknown field, wrong
value type) can point at the spot the way Salesforce does.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import Enum


class LiteralKind(Enum):
    """Kinds of values in a WHERE clause."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    NULL = "null"
    DATE = "date"
    DATETIME = "datetime"
    DATE_LITERAL = "date_literal"  # TODAY, LAST_N_DAYS:7, ... (value: (name, n or None))


@dataclass(frozen=True)
class Literal:
    """One value; `like` is the LIKE regular expression of a STRING."""

    kind: LiteralKind
    value: object
    pos: int
    like: str = ""


@dataclass(frozen=True)
class FieldPath:
    """A field as typed: `path` is ("Assignee", "Profile", "Name") for Assignee.Profile.Name."""

    path: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        """The dotted spelling of the path."""
        return ".".join(self.path)


@dataclass(frozen=True)
class Aggregate:
    """COUNT(), COUNT(field), COUNT_DISTINCT, MIN, MAX, SUM, AVG with an optional alias."""

    function: str
    arg: FieldPath | None
    alias: str | None
    pos: int


@dataclass(frozen=True)
class SubQuery:
    """A parenthesised SELECT: a child relationship in the field list or a semi-join in WHERE."""

    query: Query
    pos: int


@dataclass(frozen=True)
class FieldsCall:
    """FIELDS(ALL | STANDARD | CUSTOM): every (standard / custom) field of the object
    (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fields.htm)."""

    kind: str
    pos: int


SelectItem = FieldPath | Aggregate | SubQuery | FieldsCall


@dataclass(frozen=True)
class Comparison:
    """`field op value`; op is one of = != < <= > >= LIKE IN NOT_IN INCLUDES EXCLUDES.
    For IN/NOT_IN/INCLUDES/EXCLUDES `value` is a tuple of literals or a SubQuery (semi/anti-join)."""

    field: FieldPath
    op: str
    value: Literal | tuple[Literal, ...] | SubQuery
    pos: int


@dataclass(frozen=True)
class AggregateComparison:
    """`COUNT(Id) > 1` in a HAVING clause: an aggregate against a literal or a literal list (IN / NOT_IN).
    HAVING takes no semi- or anti-joins
    (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_having_considerations.htm)."""

    aggregate: Aggregate
    op: str
    value: Literal | tuple[Literal, ...]
    pos: int


@dataclass(frozen=True)
class And:
    """All of `items`."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    """Any of `items`."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The negation of `item`."""

    item: Condition


Condition = Comparison | AggregateComparison | And | Or | Not


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY key. Salesforce sorts nulls first unless NULLS LAST, in both directions
    (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm)."""

    field: FieldPath | Aggregate  # an aggregate only in aggregate queries (ORDER BY COUNT(Id) DESC)
    descending: bool = False
    nulls_last: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed SELECT. `text` is the whole query text the positions refer to."""

    select: tuple[SelectItem, ...]
    sobject: str
    sobject_pos: int
    text: str = dc_field(repr=False)
    alias: str | None = None
    where: Condition | None = None
    group_by: tuple[FieldPath, ...] = ()
    having: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None

    @property
    def is_count(self) -> bool:
        """True for `SELECT COUNT() FROM ...`, whose answer is only totalSize."""
        return (
            len(self.select) == 1
            and isinstance(self.select[0], Aggregate)
            and self.select[0].function == "COUNT"
            and self.select[0].arg is None
        )
