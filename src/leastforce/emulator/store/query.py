"""Running SOQL against the store (the soql engine's RowSource over SQLite) and keeping query cursors.

Cursor ids look like Salesforce query locators (``01g`` key prefix); a page is ``<cursor>-<offset>``
as in ``nextRecordsUrl`` (``/services/data/v66.0/query/01gRO0000016PIAYA2-500``).
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.rules import user_access as permissions
from leastforce.emulator.rules.field_access import ALL, FieldAccess, field_access
from leastforce.emulator.soql import (
    FieldMeta,
    Filter,
    QueryTable,
    SoqlError,
    execute,
    execute_table,
    parse_soql,
)
from leastforce.emulator.store import db, self_access
from leastforce.emulator.store.ids import make_id
from leastforce.emulator.store.schema import TOOLING_ONLY, SObjectDef
from leastforce.emulator.store.txn import Caller, Txn

CURSOR_TTL_SECONDS = 15 * 60  # Salesforce keeps a locator 15 minutes of inactivity
MAX_CURSORS = 200
MAX_CHILD_CURSORS = 10_000  # one per child result that pages; they share their parent query's rows
# A parent-to-child subquery's result pages like a query: "Subquery results are like regular query results
# in that you might need to use queryMore() to retrieve all the records if there are many children."
# https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_results.htm
# How many children a parent's first child page holds is UNVERIFIED (undocumented: "Child objects count
# toward the number of records for the batch size", headers_queryoptions.htm); 200, the documented minimum
# batch size, is what clients see in practice. OrgStore.child_batch_size changes it for tests.
CHILD_BATCH = 200
QUERY_PATH = "/services/data/v64.0"
_COUNTER = itertools.count(1)  # shared by every Cursors, so no two locators collide
# GROUP BY results are one batch: "In REST API, queries that include a GROUP BY clause can't use the query
# locator to get more results."
# https://developer.salesforce.com/docs/atlas.en-us.262.0.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_group_by_considerations.htm
# Past 2,000 groups the query is refused with this message (the errorCode is UNVERIFIED: clients quote only
# the message, e.g. https://github.com/SalesforceLabs/OrgCheck/issues/603).
GROUPED_ROWS = 2000
_NOT_PAGED = (
    "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch"
)
# The query cursor lock: cursors are shared by all threads.
_INVALID_TYPE = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to append "
    "the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
)


class Cursors:
    """Open query results, by cursor id, dropped after 15 idle minutes or when too many are open.

    A cursor belongs to the user who ran the query: for anyone else it does not exist, as a query
    locator is bound to its session's user in Salesforce (the results were filtered by that user's
    access), so another user's locator is INVALID_QUERY_LOCATOR (UNVERIFIED: Salesforce does not
    document the error for another user's locator; INVALID_QUERY_LOCATOR is its code for a locator it
    does not know, https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_querymore.htm)."""

    def __init__(self, cap: int = MAX_CURSORS) -> None:
        self._open: OrderedDict[str, tuple[list[dict[str, Any]], int, float, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._cap = cap

    def open(self, rows: list[dict[str, Any]], batch: int, owner: str = "") -> str:
        with self._lock:
            cursor_id = make_id("01g", next(_COUNTER) + int(time.time()) % 1_000_000 * 1000)
            self._open[cursor_id] = (rows, batch, time.monotonic(), owner)
            while len(self._open) > self._cap:
                self._open.popitem(last=False)
            return cursor_id

    def get(self, cursor_id: str, owner: str = "") -> tuple[list[dict[str, Any]], int] | None:
        with self._lock:
            found = self._open.get(cursor_id)
            if found is None or time.monotonic() - found[2] > CURSOR_TTL_SECONDS:
                self._open.pop(cursor_id, None)
                return None
            if found[3] != owner:
                return None  # left open for its owner
            self._open[cursor_id] = (found[0], found[1], time.monotonic(), owner)
            return found[0], found[1]

    def drop(self, cursor_id: str) -> None:
        with self._lock:
            self._open.pop(cursor_id, None)


def page_children(
    records: list[dict[str, Any]], child_batch: int, open_cursor: Callable[[list[dict[str, Any]]], str]
) -> list[dict[str, Any]]:
    """Copies of ``records`` whose child results hold at most ``child_batch`` records each; a longer
    one says ``done: false`` with its own ``nextRecordsUrl`` (``open_cursor`` keeps the rest).

    The URL carries this module's default version; the REST layer rewrites it to the caller's."""
    return [_paged(record, child_batch, open_cursor) for record in records]


def flat(record: dict[str, Any]) -> bool:
    """True when ``record``'s only nested object is its ``attributes`` (no parent record, no child
    result): checked in C, as a page of permission sets holds a million values."""
    return list(map(type, record.values())).count(dict) <= 1


def _paged(
    record: dict[str, Any], child_batch: int, open_cursor: Callable[[list[dict[str, Any]]], str]
) -> dict[str, Any]:
    if flat(record):
        return record  # nothing to page (and nothing changes it later: the REST layer copies to edit)
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict) and "done" in value and isinstance(value.get("records"), list):
            rows: list[dict[str, Any]] = value["records"]
            value = dict(value)
            if len(rows) > child_batch:
                value["done"] = False
                value["nextRecordsUrl"] = f"{QUERY_PATH}/query/{open_cursor(rows)}-{child_batch}"
            value["records"] = page_children(rows[:child_batch], child_batch, open_cursor)
            if "nextRecordsUrl" in value:  # Salesforce's key order: totalSize, done, nextRecordsUrl, records
                value["records"] = value.pop("records")
        out[key] = value
    return out


def run_query(
    txn: Txn, soql: str, caller: Caller, *, tooling: bool, api_path: str = QUERY_PATH
) -> tuple[list[dict[str, Any]], int]:
    """(all records of ``soql`` as REST JSON, totalSize); SOQL errors become ApiError(400).

    For ``SELECT COUNT() ...`` the records are empty and totalSize is the count."""
    source = StoreSource(txn, caller, tooling=tooling)
    path = api_path.rstrip("/") + (
        "/tooling" if tooling and not api_path.rstrip("/").endswith("tooling") else ""
    )
    try:
        query = parse_soql(soql)
        result = execute(query, source, api_path=path)
    except SoqlError as exc:
        raise ApiError(400, exc.error_code, exc.message) from exc
    if query.group_by and len(result.records) > GROUPED_ROWS:
        raise ApiError(400, "MALFORMED_QUERY", _NOT_PAGED)
    return result.records, result.total_size


def run_table(txn: Txn, soql: str, caller: Caller) -> QueryTable:
    """``soql``'s answer as columns and rows (Bulk API 2.0 query jobs); SOQL errors become ApiError(400)."""
    try:
        return execute_table(parse_soql(soql), StoreSource(txn, caller, tooling=False))
    except SoqlError as exc:
        raise ApiError(400, exc.error_code, exc.message) from exc


class StoreSource:
    """The soql RowSource over the store: Id and lookup filters become indexed SQL conditions."""

    def __init__(self, txn: Txn, caller: Caller, *, tooling: bool) -> None:
        self._txn = txn
        self._caller = caller
        self._tooling = tooling
        self._checked: set[str] = set()
        self._field_access: dict[str, FieldAccess] = {}

    def _sobject(self, name: str) -> SObjectDef:
        if name.lower() == self_access.NAME.lower():
            return self_access.definition()
        so = self._txn.schema.get(name)
        if so is None or (so.name in TOOLING_ONLY and not self._tooling):
            raise SoqlError("INVALID_TYPE", _INVALID_TYPE.format(name=name))
        if so.name not in self._checked:
            if not permissions.can_read_object(self._txn, self._caller, so):
                raise SoqlError("INVALID_TYPE", _INVALID_TYPE.format(name=name))
            self._checked.add(so.name)
        return so

    def fields(self, sobject: str) -> Mapping[str, FieldMeta]:
        """The fields the caller may read (field-level security hides the others)."""
        so = self._sobject(sobject)
        access = self._access(so)
        return {
            name.lower(): FieldMeta(f.name, f.type, f.reference_to, f.relationship_name, f.filterable)
            for name, f in so.fields.items()
            if access.can_read(name)
        }

    def _access(self, so: SObjectDef) -> FieldAccess:
        if self._caller.system or not self._caller.user_id or so is self_access.definition():
            return ALL
        found = self._field_access.get(so.name)
        if found is None:
            found = self._field_access[so.name] = field_access(self._txn, self._caller.user_id, so)
        return found

    def canonical_sobject(self, sobject: str) -> str:
        return self._sobject(sobject).name

    def rows(
        self, sobject: str, filters: Sequence[Filter], fields: Collection[str] | None = None
    ) -> Iterable[Mapping[str, Any]]:
        so = self._sobject(sobject)
        if so is self_access.definition():
            return [self_access.row(self._txn, self._caller)]
        where = []
        for hint in filters:
            field = so.field(hint.field)
            if field is None or field.name not in so.fields or hint.op not in ("=", "IN"):
                continue
            if field.type in ("address", "location", "complexvalue"):
                continue
            where.append((field.name, hint.op, tuple(hint.values), hint.case_insensitive))
        return db.select(self._txn.conn, so, [*where, *self._own_rows(so)], columns=fields)

    def columns(self, sobject: str, names: Sequence[str]) -> list[list[Any]] | None:
        so = self._sobject(sobject)
        if so is self_access.definition():
            return None
        return db.select_columns(self._txn.conn, so, names, self._own_rows(so))

    def _own_rows(self, so: SObjectDef) -> list[tuple[str, str, tuple[Any, ...], bool]]:
        """The condition that keeps the caller to its own rows of ``so`` (LoginHistory), if any."""
        own = permissions.own_rows_field(self._txn, self._caller, so)
        return [] if own is None else [(own, "=", (self._caller.user_id,), False)]

    def get_by_id(self, sobject: str, record_id: str) -> Mapping[str, Any] | None:
        so = self._txn.schema.get(sobject)
        if so is None or not record_id.startswith(so.key_prefix):
            return None
        return db.get(self._txn.conn, so, record_id)

    def child_relationship(self, sobject: str, name: str) -> tuple[str, ...] | None:
        so = self._sobject(sobject)
        for child in so.children:
            if child.relationship_name and child.relationship_name.lower() == name.lower():
                return (child.child_sobject, child.field, child.relationship_name)
        return None
