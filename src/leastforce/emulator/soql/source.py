"""The boundary between the SOQL engine and the emulator's storage: `RowSource` and its values."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class FieldMeta:
    """One field of an sObject as describe shows it.

    `type` is the SOAP/describe type (id, string, boolean, int, double, currency, percent, date,
    datetime, reference, picklist, multipicklist, textarea, email, phone, url, ...). For a lookup,
    `reference_to` lists the target sObjects and `relationship_name` is the parent relationship
    (AssigneeId -> "Assignee"). A field that is not `filterable` may not appear in WHERE (describe's
    `filterable`, the "Filter" property of the object reference).
    """

    name: str
    type: str
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    filterable: bool = True


@dataclass(frozen=True)
class Filter:
    """A conjunctive hint for `RowSource.rows`: every returned row must satisfy the query anyway,
    so a source may ignore any hint; if it uses one it must not drop matching rows.

    `op` is "=" (one value) or "IN". `field` is the canonical field name. Values of id/reference
    fields are 18-character ids when the query gave a 15- or 18-character id (the engine computes
    the case-safe suffix). When `case_insensitive` is true (string fields: SOQL compares them
    case-insensitively) a source must compare case-insensitively or ignore the hint.
    """

    field: str
    op: str
    values: tuple[Any, ...]
    case_insensitive: bool = False


class RowSource(Protocol):
    """What the engine needs from storage. Rows are mappings keyed by canonical field names;
    date values may be `datetime.date` or "YYYY-MM-DD", datetimes `datetime.datetime` (naive = UTC)
    or ISO 8601 strings."""

    def fields(self, sobject: str) -> Mapping[str, FieldMeta]:
        """Fields keyed by lower-case name; raise SoqlError(INVALID_TYPE) for an unknown sObject."""
        ...

    def canonical_sobject(self, sobject: str) -> str:
        """The describe spelling of `sobject` (any case); raise SoqlError(INVALID_TYPE) if unknown."""
        ...

    def rows(
        self, sobject: str, filters: Sequence[Filter], fields: Collection[str] | None = None
    ) -> Iterable[Mapping[str, Any]]:
        """Every row of `sobject`, optionally pre-filtered by `filters` (see `Filter`). `fields`: the
        canonical fields the engine reads of each row besides Id (None: any); a source may read just
        those, but a row must still answer for any other field it is asked for."""
        ...

    def columns(self, sobject: str, names: Sequence[str]) -> list[list[Any]] | None:
        """Every row of `sobject` as the values of the stored fields `names` (booleans as 1/0, dates and
        datetimes as stored), or None when the source cannot: then `rows` is used. For a query with no
        WHERE clause that selects plain fields only (a whole table through Bulk API)."""
        ...

    def get_by_id(self, sobject: str, record_id: str) -> Mapping[str, Any] | None:
        """The row of `sobject` with this Id, or None (parent relationship lookups)."""
        ...

    def child_relationship(self, sobject: str, name: str) -> tuple[str, ...] | None:
        """For a child relationship name of `sobject` (any case): (child sObject, foreign key field)
        or (child sObject, foreign key field, canonical relationship name); None if unknown.
        Without the third element the name is echoed as the query spelled it."""
        ...


@dataclass(frozen=True)
class QueryTable:
    """The outcome of `execute_table`: ``columns`` named as Bulk API's CSV names them ("Parent.Field"),
    their describe ``types``, and each record's JSON values in column order."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[list[Any]]


@dataclass(frozen=True)
class QueryResult:
    """The outcome of `execute`: records in REST JSON shape (no paging: the HTTP layer batches)."""

    records: list[dict[str, Any]]
    total_size: int
    is_count: bool = False
