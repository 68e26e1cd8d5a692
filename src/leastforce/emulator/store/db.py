"""SQLite storage for the emulated org: one table per sObject, one column per stored field.

Table ``so_<Name>``; columns are the describe field names (quoted). Booleans are stored as 0/1,
datetimes as Salesforce's ISO strings (``2026-01-01T00:00:00.000+0000``), dates as ``YYYY-MM-DD``.
Every lookup field gets an index so that queries filtered by Id or a foreign key (ParentId,
AssigneeId, PermissionSetId ...) never scan a table. Private tables start with ``_``.
"""

from __future__ import annotations

import functools
import operator
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from leastforce.emulator.store.schema import FieldDef, SObjectDef

# Compound fields are computed by Salesforce from their parts; they are not stored.
_UNSTORED_TYPES = frozenset({"address", "location", "complexvalue"})
# Text lookups that deserve an index besides the foreign keys.
_EXTRA_INDEXES = {
    "User": ("Username",),
    "PermissionSet": ("Name", "IsOwnedByProfile"),
    "PermissionSetGroup": ("DeveloperName",),
    "PermissionSetLicense": ("DeveloperName",),
    "Profile": ("Name",),
    "ObjectPermissions": ("SobjectType",),
    "ConnectedApplication": ("Name",),
    "PermissionDependency": ("Permission",),
    "EntityDefinition": ("QualifiedApiName",),
}
_NOCASE_INDEXES = {
    "User": ("Username",),
    "PermissionSet": ("Name",),
    "Profile": ("Name",),
    "PermissionSetGroup": ("DeveloperName",),
}
_MAX_VARS = 900  # stay below SQLITE_MAX_VARIABLE_NUMBER on old builds

PRIVATE_DDL = (
    "CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS _seq (prefix TEXT PRIMARY KEY, next INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS _password (user_id TEXT PRIMARY KEY, salt TEXT, hash TEXT)",
    "CREATE TABLE IF NOT EXISTS _session (token TEXT PRIMARY KEY, user_id TEXT NOT NULL, app TEXT,"
    " created REAL NOT NULL, expires REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS _app_secret (app_id TEXT PRIMARY KEY, consumer_key TEXT UNIQUE,"
    " consumer_secret TEXT, certificate TEXT, installed INTEGER, run_as_user_id TEXT, callback_url TEXT)",
    # the 2025-2026 app policies (store/app_policy.py): a separate table so older state files keep working
    "CREATE TABLE IF NOT EXISTS _app_policy (app_id TEXT PRIMARY KEY, blocked INTEGER NOT NULL DEFAULT 0,"
    " kind TEXT NOT NULL DEFAULT 'connected_app')",
)


def now_iso() -> str:
    """The current time as Salesforce writes datetimes."""
    return format_datetime(datetime.now(UTC))


def format_datetime(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def table(sobject: str) -> str:
    return f'"so_{sobject}"'


def stored_fields(sobject: SObjectDef) -> list[FieldDef]:
    """The fields that have a column."""
    return [f for f in sobject.fields.values() if f.type not in _UNSTORED_TYPES]


def create_table(conn: sqlite3.Connection, sobject: SObjectDef) -> None:
    """Create the table and its indexes if missing."""
    cols = ", ".join(
        f'"{f.name}"' + (" TEXT PRIMARY KEY" if f.name == "Id" else "") for f in stored_fields(sobject)
    )
    conn.execute(f"CREATE TABLE IF NOT EXISTS {table(sobject.name)} ({cols})")
    indexed = [f.name for f in sobject.fields.values() if f.type == "reference"]
    indexed += [name for name in _EXTRA_INDEXES.get(sobject.name, ()) if name in sobject.fields]
    for name in indexed:
        if name in ("CreatedById", "LastModifiedById"):
            continue
        conn.execute(
            f'CREATE INDEX IF NOT EXISTS "ix_{sobject.name}_{name}" ON {table(sobject.name)} ("{name}")'
        )
    for name in _NOCASE_INDEXES.get(sobject.name, ()):
        # SOQL compares strings case-insensitively: these lookups use COLLATE NOCASE.
        conn.execute(
            f'CREATE INDEX IF NOT EXISTS "ixnc_{sobject.name}_{name}" ON {table(sobject.name)} ("{name}" COLLATE NOCASE)'
        )


def add_columns(conn: sqlite3.Connection, sobject: SObjectDef) -> None:
    """Add the columns of fields a package added to an existing object's table."""
    have = {row[1] for row in conn.execute(f"PRAGMA table_info({table(sobject.name)})")}
    for f in stored_fields(sobject):
        if f.name not in have:
            conn.execute(f'ALTER TABLE {table(sobject.name)} ADD COLUMN "{f.name}"')


def to_sql(field: FieldDef, value: Any) -> Any:
    """A Python/JSON value -> the stored value."""
    if value is None:
        return None
    if field.type == "boolean":
        return 1 if value else 0
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, dict | list):
        raise TypeError(f"{field.name}: compound values are not stored")
    return value


class Row(Mapping[str, Any]):
    """A stored record as a read-only mapping of field name -> JSON value (booleans converted lazily).

    A row read with some columns only (``select(columns=...)``) reads the rest of its record the first
    time a field outside them is asked for: a query's answer never depends on the columns guessed."""

    __slots__ = ("_columns", "_conn", "_row", "_sobject")

    def __init__(
        self,
        sobject: SObjectDef,
        row: Sequence[Any],
        columns: Mapping[str, int],
        conn: sqlite3.Connection | None = None,
    ) -> None:
        self._sobject = sobject
        self._row = row
        self._columns = columns  # name -> position: sqlite3.Row finds a name by scanning every column
        self._conn = conn  # set while the row holds some columns only

    def __getitem__(self, key: str) -> Any:
        field = self._sobject.fields[key]
        if field.type in _UNSTORED_TYPES:
            return None
        position = self._position(key)  # first: it may read the rest of the record into self._row
        value = self._row[position]
        if field.type == "boolean":
            return bool(value)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """Mapping.get without its KeyError round trip (a query reads every selected field this way)."""
        field = self._sobject.fields.get(key)
        if field is None:
            return default
        if field.type in _UNSTORED_TYPES:
            return None
        position = self._position(key)
        value = self._row[position]
        return bool(value) if field.type == "boolean" else value

    def _position(self, key: str) -> int:
        position = self._columns.get(key)
        if position is None and self._conn is not None:
            self._complete()
            position = self._columns.get(key)
        if position is None:
            raise KeyError(key)
        return position

    def _complete(self) -> None:
        """Read every column of this record (it was selected with some only)."""
        conn, self._conn = self._conn, None
        assert conn is not None
        record_id = self._row[self._columns["Id"]]
        cursor = conn.execute(f'SELECT * FROM {table(self._sobject.name)} WHERE "Id" = ?', (record_id,))
        found = cursor.fetchone()
        if found is not None:
            self._row, self._columns = found, _positions(tuple(d[0] for d in cursor.description))

    def __iter__(self) -> Iterator[str]:
        return iter(self._sobject.fields)

    def __len__(self) -> int:
        return len(self._sobject.fields)

    def __contains__(self, key: object) -> bool:
        return key in self._sobject.fields

    def picker(self, names: Sequence[str]) -> Callable[[Row], list[Any]]:
        """A reader of ``names`` (stored fields) that gives what `get` gives for each, for this row and
        every row of the same table layout, with one C call per row instead of one method call per field:
        a query of 1.5 million FieldPermissions rows reads 9 million values."""
        fields, columns = self._sobject.fields, self._columns
        if not names or any(fields[name].type in _UNSTORED_TYPES or name not in columns for name in names):
            return lambda row: [row.get(name) for name in names]
        take = operator.itemgetter(*(columns[name] for name in names))
        runs = _runs([i for i, name in enumerate(names) if fields[name].type == "boolean"])

        def pick(row: Row) -> list[Any]:
            if row._columns is not columns:  # another layout (a column added since): read by name
                return [row.get(name) for name in names]
            values = list(take(row._row)) if len(names) > 1 else [row._row[columns[names[0]]]]
            for start, stop in runs:  # a permission set's 450 flags: a few slices converted in C
                values[start:stop] = map(bool, values[start:stop])
            return values

        return pick


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Ascending positions as (start, stop) runs of consecutive ones: [1, 2, 3, 7] -> [(1, 4), (7, 8)]."""
    runs: list[tuple[int, int]] = []
    for i in positions:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def select(
    conn: sqlite3.Connection,
    sobject: SObjectDef,
    where: Sequence[tuple[str, str, tuple[Any, ...], bool]] = (),
    order_by_id: bool = False,
    columns: Collection[str] | None = None,
) -> Iterator[Row]:
    """Rows matching every (field, op, values, case_insensitive) condition; op is "=" or "IN".

    A long IN list is split in chunks (each chunk a separate indexed query). ``columns``: the fields the
    caller expects to read (with Id), or None for all; a row reads any other on demand (``Row``). A
    User row has 185 columns: reading the dozen a query names is most of the query's time saved.
    """
    clauses, params, long_in = _conditions(sobject, where)
    base = f"SELECT {_column_list(sobject, columns)} FROM {table(sobject.name)}"
    partial = None if columns is None else conn
    order = ' ORDER BY "Id"' if order_by_id else ""
    if long_in is None:
        sql = base + (" WHERE " + " AND ".join(clauses) if clauses else "") + order
        yield from _rows(sobject, conn.execute(sql, params), partial)
        return
    name, values, nocase = long_in
    for start in range(0, len(values), _MAX_VARS):
        chunk = values[start : start + _MAX_VARS]
        sql = base + " WHERE " + " AND ".join([*clauses, _condition(name, chunk, nocase)]) + order
        yield from _rows(sobject, conn.execute(sql, [*params, *(v for v in chunk if v is not None)]), partial)


def select_columns(
    conn: sqlite3.Connection,
    sobject: SObjectDef,
    names: Sequence[str],
    where: Sequence[tuple[str, str, tuple[Any, ...], bool]] = (),
) -> list[list[Any]] | None:
    """The values of ``names`` (stored fields) of every row matching ``where`` (as `select`), as lists,
    read by SQLite in one statement: booleans 1/0 (a null one 0, as `Row.get` reads it), compound fields
    None. None when a name is not a stored field, or ``where`` needs chunks."""
    fields = sobject.fields
    if any(name not in fields for name in names):
        return None
    parts = []
    for name in names:
        kind = fields[name].type
        if kind in _UNSTORED_TYPES:
            parts.append("NULL")
        elif kind == "boolean":
            parts.append(f'IFNULL("{name}", 0) != 0')
        else:
            parts.append(f'"{name}"')
    clauses, params, long_in = _conditions(sobject, where)
    if long_in is not None:
        return None
    sql = f"SELECT {', '.join(parts)} FROM {table(sobject.name)}" + (
        " WHERE " + " AND ".join(clauses) if clauses else ""
    )
    return list(map(list, conn.execute(sql, params)))


def _condition(name: str, values: tuple[Any, ...], nocase: bool) -> str:
    collate = " COLLATE NOCASE" if nocase else ""
    present = [v for v in values if v is not None]
    parts = []
    if present:
        marks = ", ".join("?" * len(present))
        parts.append(f'"{name}"{collate} IN ({marks})')
    if len(present) != len(values):
        parts.append(f'"{name}" IS NULL')
    if not parts:
        return "0"
    return "(" + " OR ".join(parts) + ")"


def get(conn: sqlite3.Connection, sobject: SObjectDef, record_id: str) -> Row | None:
    cursor = conn.execute(f'SELECT * FROM {table(sobject.name)} WHERE "Id" = ?', (record_id,))
    return next(_rows(sobject, cursor), None)


_LongIn = tuple[str, tuple[Any, ...], bool]


def _conditions(
    sobject: SObjectDef, where: Sequence[tuple[str, str, tuple[Any, ...], bool]]
) -> tuple[list[str], list[Any], _LongIn | None]:
    """The SQL conditions of ``where`` and their parameters; the first IN list too long for one statement
    is left out and returned apart (``select`` reads it in chunks)."""
    clauses: list[str] = []
    params: list[Any] = []
    long_in: _LongIn | None = None
    for name, _op, values, nocase in where:
        sql_values = tuple(to_sql(sobject.fields[name], v) for v in values)
        if len(sql_values) > _MAX_VARS and long_in is None:
            long_in = (name, sql_values, nocase)
            continue
        clauses.append(_condition(name, sql_values, nocase))
        params.extend(v for v in sql_values if v is not None)
    return clauses, params, long_in


def _column_list(sobject: SObjectDef, columns: Collection[str] | None) -> str:
    if columns is None:
        return "*"
    fields = sobject.fields
    stored = {"Id", *(n for n in columns if n in fields and fields[n].type not in _UNSTORED_TYPES)}
    return ", ".join(f'"{name}"' for name in sorted(stored))


def _rows(
    sobject: SObjectDef, cursor: sqlite3.Cursor, partial: sqlite3.Connection | None = None
) -> Iterator[Row]:
    """Rows of ``cursor``; ``partial``: the connection to read the other columns from on demand."""
    columns = _positions(tuple(d[0] for d in cursor.description))
    if partial is None:
        return (Row(sobject, r, columns) for r in cursor)
    return (Row(sobject, r, columns, partial) for r in cursor)


@functools.lru_cache(maxsize=256)
def _positions(names: tuple[str, ...]) -> Mapping[str, int]:
    """Column name -> position, once per table layout (a table gains columns only by ALTER TABLE)."""
    return MappingProxyType({name: i for i, name in enumerate(names)})


def insert(conn: sqlite3.Connection, sobject: SObjectDef, values: Mapping[str, Any]) -> None:
    names = [n for n in values if sobject.fields[n].type not in _UNSTORED_TYPES]
    cols = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" * len(names))
    conn.execute(
        f"INSERT INTO {table(sobject.name)} ({cols}) VALUES ({marks})",
        [to_sql(sobject.fields[n], values[n]) for n in names],
    )


def insert_many(
    conn: sqlite3.Connection, sobject: SObjectDef, names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows given as value sequences in ``names`` order (already SQL values)."""
    cols = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" * len(names))
    conn.executemany(f"INSERT INTO {table(sobject.name)} ({cols}) VALUES ({marks})", rows)


def update(conn: sqlite3.Connection, sobject: SObjectDef, record_id: str, values: Mapping[str, Any]) -> None:
    names = [n for n in values if sobject.fields[n].type not in _UNSTORED_TYPES]
    if not names:
        return
    sets = ", ".join(f'"{n}" = ?' for n in names)
    conn.execute(
        f'UPDATE {table(sobject.name)} SET {sets} WHERE "Id" = ?',
        [*(to_sql(sobject.fields[n], values[n]) for n in names), record_id],
    )


def delete(conn: sqlite3.Connection, sobject: SObjectDef, record_id: str) -> None:
    conn.execute(f'DELETE FROM {table(sobject.name)} WHERE "Id" = ?', (record_id,))


def count(conn: sqlite3.Connection, sobject: SObjectDef, where: Sequence[tuple[str, Any]] = ()) -> int:
    """Rows where every (field, value) matches exactly."""
    clause = " AND ".join(f'"{n}" = ?' for n, _ in where)
    sql = f"SELECT COUNT(*) FROM {table(sobject.name)}" + (f" WHERE {clause}" if clause else "")
    return int(conn.execute(sql, [to_sql(sobject.fields[n], v) for n, v in where]).fetchone()[0])
