"""OrgStore: the emulated org's state in SQLite, with Salesforce's rules on every write.

Thread-safe: one connection, one re-entrant lock; each public write is one SQLite transaction
(WAL, synchronous=FULL), so an acknowledged write survives a crash and a reopen.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from leastforce.emulator.errors import ApiError
from leastforce.emulator.http import describe
from leastforce.emulator.rules import user_access as permissions
from leastforce.emulator.rules.field_access import ALL, field_access
from leastforce.emulator.store import auth, db, effects, eventlog, packages, writes
from leastforce.emulator.store import query as paging
from leastforce.emulator.store import seed as seeding
from leastforce.emulator.store.ids import to18
from leastforce.emulator.store.limits import org_limits
from leastforce.emulator.store.schema import TOOLING_ONLY, Schema, load_schema
from leastforce.emulator.store.txn import Caller, Txn
from leastforce.values.packages import PackageSpec

__all__ = ["ApiError", "Caller", "OrgStore", "QueryPage"]

T = TypeVar("T")

DAILY_REQUEST_MAX = 100_000  # Developer Edition's 15,000 is lower; Enterprise starts at 100,000 (UNVERIFIED)


@dataclass(frozen=True)
class QueryPage:
    """One batch of a query: ``locator`` (e.g. ``01gLf0000000001AAA-2000``) when more remain."""

    total_size: int
    done: bool
    records: list[dict[str, Any]] = field(default_factory=list)
    locator: str | None = None


class OrgStore:
    """The org: records, rules, sessions and limits. Open with ``OrgStore.open(state_dir)``."""

    def __init__(self, conn: sqlite3.Connection, schema: Schema) -> None:
        self._conn = conn
        self._schema = schema
        self._lock = threading.RLock()
        self._cursors = paging.Cursors()
        self._child_cursors = paging.Cursors(paging.MAX_CHILD_CURSORS)
        self.child_batch_size = paging.CHILD_BATCH
        self._requests = auth.RequestCounter("", 0)
        self.requests_max = DAILY_REQUEST_MAX
        self.org_id = ""
        self.admin_user_id = ""
        self._calls: list[eventlog.ApiCall] = []

    # -- lifecycle --------------------------------------------------------------------------
    @classmethod
    def open(cls, state_dir: Path, *, seed: bool = True) -> OrgStore:
        """Open (or create and seed) the org stored in ``state_dir/org.sqlite``."""
        state_dir = Path(state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        path = state_dir / "org.sqlite"
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
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

    def close(self) -> None:
        with self._lock:
            self._save_requests()
            self._flush_calls()
            self._conn.close()

    @property
    def admin_username(self) -> str:
        return seeding.ADMIN_USERNAME

    @property
    def admin_password(self) -> str | None:
        """The seeded admin's password (kept in the 0600 state file so `emulator serve` can show it)."""
        with self._read(Caller("", system=True)) as txn:
            return txn.meta("admin_password")

    @contextmanager
    def _tx(self, caller: Caller) -> Iterator[Txn]:
        """One transaction; rolled back if the body raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Txn(self._conn, self._schema, caller.user_id or self.admin_user_id)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def system(self) -> AbstractContextManager[Txn]:
        """One transaction as the system (the OAuth policies of store/app_policy.py run in it)."""
        return self._tx(Caller(self.admin_user_id, system=True))

    def transaction(self, caller: Caller, work: Callable[[Txn], T]) -> T:
        """Run ``work`` in one transaction: kept when it returns, rolled back when it raises (a Metadata
        API deploy writes many components all or none; emulator/metadata/deploy.py)."""
        with self._tx(caller) as txn:
            return work(txn)

    def read_with(self, caller: Caller, work: Callable[[Txn], T]) -> T:
        """Run a read-only ``work`` under the store's lock (retrieve, listMetadata)."""
        with self._read(caller) as txn:
            return work(txn)

    @contextmanager
    def _read(self, caller: Caller) -> Iterator[Txn]:
        with self._lock:
            yield Txn(self._conn, self._schema, caller.user_id)

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
        if len(found) <= batch_size:
            return QueryPage(total, True, self._paged_children(found, batch_size), None)
        return self._page(self._cursors, self._cursors.open(found, batch_size), 0, batch_size)

    def query_rows(self, soql: str, *, caller: Caller) -> list[dict[str, Any]]:
        """Every record of ``soql`` at once, as REST JSON (for Bulk API query jobs)."""
        with self._read(caller) as txn:
            found, _total = paging.run_query(txn, soql, caller, tooling=False)
        return found

    def query_more(self, locator: str, *, caller: Caller) -> QueryPage:
        """The batch a ``nextRecordsUrl`` locator points at (of a query or of one parent's children)."""
        cursor_id, _, offset_text = locator.partition("-")
        cursors = self._cursors
        found = cursors.get(cursor_id)
        if found is None:
            cursors = self._child_cursors
            found = cursors.get(cursor_id)
        if found is None or not offset_text.isdigit():
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(cursors, cursor_id, int(offset_text), found[1])

    def _page(self, cursors: paging.Cursors, cursor_id: str, offset: int, batch: int) -> QueryPage:
        rows, _ = cursors.get(cursor_id) or ([], batch)
        end = offset + batch
        done = end >= len(rows)
        if done:
            cursors.drop(cursor_id)
        page = self._paged_children(rows[offset:end], batch)
        return QueryPage(len(rows), done, page, None if done else f"{cursor_id}-{end}")

    def _paged_children(self, records: list[dict[str, Any]], batch: int) -> list[dict[str, Any]]:
        """Child results longer than ``child_batch_size`` page behind their own locator; their later
        pages hold ``batch`` records like the query's."""
        return paging.page_children(
            records, self.child_batch_size, lambda rows: self._child_cursors.open(rows, batch)
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

    def update(self, sobject: str, record_id: str, values: Mapping[str, Any], *, caller: Caller) -> None:
        with self._tx(caller) as txn:
            writes.update(txn, sobject, record_id, values, caller)

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
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                txn = Txn(self._conn, self._schema, caller.user_id or self.admin_user_id)
                results = writes.collection_items(txn, op, items, caller)
                failed = any(not r["success"] for r in results)
                if all_or_none and failed:
                    self._conn.execute("ROLLBACK")
                    return [writes.rolled_back(r, op) for r in results]
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return results

    # -- bulk load (benchmarks) -------------------------------------------------------------
    def bulk_insert(self, sobject: str, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """Insert rows without rules or side effects, in one transaction; returns the new Ids."""
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            return effects.bulk_insert(txn, sobject, rows)

    # -- limits -----------------------------------------------------------------------------
    @property
    def requests_used(self) -> int:
        with self._lock:
            return self._requests.used()

    def count_request(self) -> int:
        """Count one API request against the daily limit; REQUEST_LIMIT_EXCEEDED past it.

        Kept in memory and saved every 100 requests and on close (not worth an fsync per request)."""
        with self._lock:
            used = self._requests.count(self.requests_max)
            if used % 100 == 0:
                self._save_requests()
            return used

    def _save_requests(self) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            self._requests.save(txn)

    def limits(self) -> dict[str, Any]:
        """GET /limits: DailyApiRequests counted, custom permission sets counted, the rest at Max."""
        used = self.requests_used
        with self._read(Caller("", system=True)) as txn:
            custom = txn.count("PermissionSet", IsOwnedByProfile=False, IsCustom=True)
        return org_limits(self.requests_max, used, custom)

    def record_counts(self, names: Sequence[str] | None) -> list[dict[str, Any]]:
        """GET /limits/recordCount: ``{"count", "name"}`` for each named object (every object when None);
        unknown names are left out ("If a listed object is not found in the org, it is ignored")."""
        with self._read(Caller("", system=True)) as txn:
            if names is None:
                found = [so for so in self._schema.sobjects.values() if so.name not in TOOLING_ONLY]
            else:
                found = [so for so in (self._schema.get(n) for n in names) if so is not None]
            return [{"count": txn.count(so.name), "name": so.name} for so in found]

    # -- permissions and auth ---------------------------------------------------------------
    def effective_permissions(self, user_id: str) -> frozenset[str]:
        with self._read(Caller(user_id)) as txn:
            return permissions.effective_permissions(txn, user_id)

    def find_user(self, username: str) -> dict[str, Any] | None:
        with self._read(Caller("", system=True)) as txn:
            return auth.find_user(txn, username)

    def check_password(self, user_id: str, password: str) -> bool:
        with self._read(Caller("", system=True)) as txn:
            return auth.check_password(txn, user_id, password)

    def set_password(self, user_id: str, password: str) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.set_password(txn, user_id, password)

    def create_session(self, user_id: str, *, app: str | None) -> str:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            return auth.create_session(txn, self.org_id, user_id, app)

    def session_user(self, token: str) -> str | None:
        with self._read(Caller("", system=True)) as txn:
            return auth.session_user(txn, token)

    def revoke_session(self, token: str) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.revoke_session(txn, token)

    def expire_sessions(self) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.expire_sessions(txn)

    def connected_app(self, client_id: str) -> dict[str, Any] | None:
        with self._read(Caller("", system=True)) as txn:
            return auth.connected_app(txn, client_id)

    def add_connected_app(self, name: str, **options: Any) -> dict[str, Any]:
        """Install a connected app (fixture helper); see auth.add_connected_app for ``options``."""
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            return auth.add_connected_app(txn, name, **options)

    def is_app_preauthorized(self, app_id: str, user_id: str) -> bool:
        with self._read(Caller("", system=True)) as txn:
            return auth.is_app_preauthorized(txn, app_id, user_id)

    def record_login(self, user_id: str, status: str, application: str) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.record_login(txn, user_id, status, application)

    def touch_token(self, user_id: str, app_name: str) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.touch_token(txn, user_id, app_name)

    def session_app(self, token: str) -> str | None:
        """The connected app a live session was opened through (None: none, or no such session)."""
        with self._read(Caller("", system=True)) as txn:
            return auth.session_app(txn, token)

    # -- event monitoring (store/eventlog.py) -----------------------------------------------
    def log_call(self, call: eventlog.ApiCall) -> None:
        """Log one API call; buffered, written every 200 calls, on close and before log files."""
        with self._lock:
            self._calls.append(call)
            if len(self._calls) >= 200:
                self._flush_calls()

    def _flush_calls(self) -> None:
        if self._calls:
            with self._tx(Caller(self.admin_user_id, system=True)) as txn:
                eventlog.append(txn, self._calls)
            self._calls = []

    def write_event_logs(self) -> list[eventlog.LogFileInfo]:
        """Close the current period: write the EventLogFile rows of every call not yet in one."""
        with self._lock:
            self._flush_calls()
            with self._tx(Caller(self.admin_user_id, system=True)) as txn:
                return eventlog.write_log_files(txn, self.org_id)

    def add_log_file(
        self,
        event_type: str,
        interval: str,
        start: datetime,
        columns: Sequence[tuple[str, str]],
        body: bytes,
    ) -> str:
        """Store one EventLogFile with its CSV body as given (the benchmark writes a month of logs so)."""
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            return eventlog.store_log_file(txn, event_type, interval, start, columns, body)

    def event_log_body(self, file_id: str, *, caller: Caller) -> bytes:
        """An EventLogFile's CSV; NOT_FOUND when there is none or the caller may not read log files."""
        with self._read(caller) as txn:
            readable = permissions.can_read_object(txn, caller, txn.sobject("EventLogFile"))
            full = to18(file_id)
            body = eventlog.log_file_body(txn, full) if readable and full else None
        if body is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return body
