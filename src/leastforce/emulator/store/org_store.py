"""OrgStore: the emulated org's state in SQLite, with Salesforce's rules on every write.

Thread-safe: one connection, one re-entrant lock (store/core.py); each public write is one SQLite
transaction. This module holds the org's records: lifecycle, packages, describe, query, CRUD.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from leastforce.emulator import statedir
from leastforce.emulator.errors import ApiError
from leastforce.emulator.http import describe
from leastforce.emulator.http.conditional import modified_after, precondition_failed
from leastforce.emulator.rules import user_access as permissions
from leastforce.emulator.rules.field_access import ALL, field_access
from leastforce.emulator.soql import QueryTable
from leastforce.emulator.store import auth, db, effects, eventlog, packages, writes
from leastforce.emulator.store import query as paging
from leastforce.emulator.store import seed as seeding
from leastforce.emulator.store import upsert as upserting
from leastforce.emulator.store.ids import to18
from leastforce.emulator.store.org_auth import StoreAuth
from leastforce.emulator.store.schema import load_schema
from leastforce.emulator.store.txn import Caller, Txn
from leastforce.values.packages import PackageSpec

__all__ = ["ApiError", "Caller", "OrgStore", "QueryPage"]


@dataclass(frozen=True)
class QueryPage:
    """One batch of a query: ``locator`` (e.g. ``01gLf0000000001AAA-2000``) when more remain."""

    total_size: int
    done: bool
    records: list[dict[str, Any]] = field(default_factory=list)
    locator: str | None = None


class OrgStore(StoreAuth):
    """The org: records, rules, sessions and limits. Open with ``OrgStore.open(state_dir)``."""

    # -- lifecycle --------------------------------------------------------------------------
    @classmethod
    def open(cls, state_dir: Path, *, seed: bool = True) -> OrgStore:
        """Open (or create and seed) the org stored in ``state_dir/org.sqlite``."""
        state_dir = Path(state_dir)
        statedir.private_dir(state_dir)
        path = state_dir / "org.sqlite"
        for companion in ("org.sqlite-wal", "org.sqlite-shm"):  # SQLite opens these by name
            statedir.check_file(state_dir / companion)
        if not statedir.check_file(path):
            statedir.write_file(path, b"")
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        store = cls(conn, packages.with_package_objects(load_schema()))
        with store._tx(Caller("", system=True)) as txn:
            for ddl in db.PRIVATE_DDL + eventlog.DDL:
                conn.execute(ddl)
            for so in store._schema.sobjects.values():
                db.create_table(conn, so)
            if txn.meta("org_id") is None and seed:
                seeding.seed_org(txn)
            store._extend(packages.load(txn.meta(packages.META_KEY)))
            store._requests = auth.RequestCounter.load(txn)
            store.org_id = txn.meta("org_id") or ""
            store.admin_user_id = txn.meta("admin_user_id") or ""
        return store

    def _extend(self, specs: tuple[PackageSpec, ...]) -> None:
        """Add the packages' objects and fields to the schema and the database (inside a transaction)."""
        self._schema = packages.extend_schema(self._schema, specs)
        for spec in specs:
            for obj in spec.objects:
                so = self._schema.sobjects[obj.name]
                db.create_table(self._conn, so)
                db.add_columns(self._conn, so)

    def install_packages(self, specs: tuple[PackageSpec, ...]) -> None:
        """Install managed packages as Salesforce shows them (emulator/store/packages.py); kept on disk."""
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            known = packages.load(txn.meta(packages.META_KEY))
            have = {s.namespace.lower() for s in known}
            new = tuple(s for s in specs if s.namespace.lower() not in have)
            self._extend(new)
            txn.schema = self._schema
            for spec in new:
                packages.install(txn, spec)
            txn.set_meta(packages.META_KEY, packages.dump(known + new))

    def installed_packages(self) -> tuple[PackageSpec, ...]:
        with self._read(Caller("", system=True)) as txn:
            return packages.load(txn.meta(packages.META_KEY))

    @property
    def admin_username(self) -> str:
        return seeding.ADMIN_USERNAME

    @property
    def admin_password(self) -> str | None:
        """The seeded admin's password (kept in the 0600 state file so `emulator serve` can show it)."""
        with self._read(Caller("", system=True)) as txn:
            return txn.meta("admin_password")

    # -- describe ---------------------------------------------------------------------------
    def describe_global(self, *, tooling: bool = False) -> dict[str, Any]:
        return describe.describe_global(self._schema, tooling=tooling)

    def describe(self, sobject: str, *, tooling: bool = False) -> dict[str, Any]:
        return describe.describe_sobject(self._schema, sobject, tooling=tooling)

    # -- query ------------------------------------------------------------------------------
    def query(
        self,
        soql: str,
        *,
        caller: Caller,
        tooling: bool = False,
        batch_size: int = 2000,
        api_path: str = "/services/data/v64.0",
    ) -> QueryPage:
        """Run SOQL as ``caller``; the first batch, with a locator when more remain.

        ``api_path`` (e.g. ``/services/data/v62.0``) is used in records' ``attributes.url``; for Tooling
        queries ``/tooling`` is appended."""
        with self._read(caller) as txn:
            found, total = paging.run_query(txn, soql, caller, tooling=tooling, api_path=api_path)
        owner = caller.user_id
        if len(found) <= batch_size:
            return QueryPage(total, True, self._paged_children(found, batch_size, owner), None)
        cursor_id = self._cursors.open(found, batch_size, owner)
        return self._page(self._cursors, cursor_id, 0, batch_size, owner)

    def query_table(self, soql: str, *, caller: Caller) -> QueryTable:
        """Every record of ``soql`` at once, as columns and rows of values (for Bulk API query jobs)."""
        with self._read(caller) as txn:
            return paging.run_table(txn, soql, caller)

    def query_more(self, locator: str, *, caller: Caller) -> QueryPage:
        """The batch a ``nextRecordsUrl`` locator points at (of a query or of one parent's children)."""
        cursor_id, _, offset_text = locator.partition("-")
        owner = caller.user_id  # another user's locator does not exist for this one (paging.Cursors)
        cursors = self._cursors
        found = cursors.get(cursor_id, owner)
        if found is None:
            cursors = self._child_cursors
            found = cursors.get(cursor_id, owner)
        if found is None or not offset_text.isdigit():
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(cursors, cursor_id, int(offset_text), found[1], owner)

    def _page(
        self, cursors: paging.Cursors, cursor_id: str, offset: int, batch: int, owner: str
    ) -> QueryPage:
        rows, _ = cursors.get(cursor_id, owner) or ([], batch)
        end = offset + batch
        done = end >= len(rows)
        if done:
            cursors.drop(cursor_id)
        page = self._paged_children(rows[offset:end], batch, owner)
        return QueryPage(len(rows), done, page, None if done else f"{cursor_id}-{end}")

    def _paged_children(self, records: list[dict[str, Any]], batch: int, owner: str) -> list[dict[str, Any]]:
        """Child results longer than ``child_batch_size`` page behind their own locator; their later
        pages hold ``batch`` records like the query's."""
        return paging.page_children(
            records, self.child_batch_size, lambda rows: self._child_cursors.open(rows, batch, owner)
        )

    # -- single-record CRUD -----------------------------------------------------------------
    def get(
        self, sobject: str, record_id: str, fields: Sequence[str] | None, *, caller: Caller
    ) -> dict[str, Any]:
        """The record as REST returns it (``attributes`` first); NOT_FOUND for a missing Id."""
        with self._read(caller) as txn:
            so = txn.sobject(sobject)
            permissions.check_object_access(txn, caller, so, "read")
            full = to18(record_id)
            row = txn.get(so.name, full) if full else None
            if row is None:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            access = ALL if caller.system else field_access(txn, caller.user_id, so)
            return describe.record_json(so, row, fields, readable=access.can_read)

    def create(self, sobject: str, values: Mapping[str, Any], *, caller: Caller) -> str:
        with self._tx(caller) as txn:
            return writes.create(txn, sobject, values, caller)

    def update(
        self,
        sobject: str,
        record_id: str,
        values: Mapping[str, Any],
        *,
        caller: Caller,
        unmodified_since: datetime | None = None,
    ) -> None:
        """Update one row; with ``unmodified_since`` (If-Unmodified-Since), 412 if it changed after it."""
        with self._tx(caller) as txn:
            if unmodified_since is not None:
                stamp = _last_modified(txn, sobject, record_id)
                if stamp and modified_after(stamp, unmodified_since):
                    raise precondition_failed(record_id)
            writes.update(txn, sobject, record_id, values, caller)

    def last_modified(self, sobject: str, record_id: str, *, caller: Caller) -> str | None:
        """The row's LastModifiedDate (None for objects without one)."""
        with self._read(caller) as txn:
            return _last_modified(txn, sobject, record_id)

    def upsert(
        self, sobject: str, field: str, value: str, values: Mapping[str, Any], *, caller: Caller
    ) -> upserting.UpsertResult:
        """Upsert by the External ID ``field`` (store/upsert.py)."""
        with self._tx(caller) as txn:
            return upserting.upsert(txn, sobject, field, value, values, caller)

    def find_by_key(self, sobject: str, field: str, value: str, *, caller: Caller) -> list[str]:
        """The Ids of the records whose External ID ``field`` equals ``value``."""
        with self._read(caller) as txn:
            return upserting.matching(txn, sobject, field, value)

    def delete(self, sobject: str, record_id: str, *, caller: Caller) -> None:
        with self._tx(caller) as txn:
            writes.delete(txn, sobject, record_id, caller)

    # -- collections ------------------------------------------------------------------------
    def collection(
        self, op: str, items: list[Any], *, all_or_none: bool, caller: Caller
    ) -> list[dict[str, Any]]:
        """sObject Collections create/update/delete: one SaveResult per item, in order.

        ``items``: records with ``attributes.type`` (create/update, update with ``Id``) or Ids (delete).
        https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
        """
        if op not in ("create", "update", "delete"):
            raise ValueError(op)
        with self._lock:
            savepoint = self._begin()
            try:
                txn = Txn(self._conn, self._schema, caller.user_id or self.admin_user_id)
                results = writes.collection_items(txn, op, items, caller)
                failed = any(not r["success"] for r in results)
            except BaseException:
                self._finish(savepoint, keep=False)
                raise
            self._finish(savepoint, keep=not (all_or_none and failed))
            return [writes.rolled_back(r, op) for r in results] if all_or_none and failed else results

    # -- bulk load (benchmarks) -------------------------------------------------------------
    def bulk_insert(self, sobject: str, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """Insert rows without rules or side effects, in one transaction; returns the new Ids."""
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            return effects.bulk_insert(txn, sobject, rows)


def _last_modified(txn: Txn, sobject: str, record_id: str) -> str | None:
    so = txn.sobject(sobject)
    full = to18(record_id)
    row = txn.get(so.name, full) if full else None
    if row is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    stamp = row.get("LastModifiedDate")
    return str(stamp) if stamp else None
