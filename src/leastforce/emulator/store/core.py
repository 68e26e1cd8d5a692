"""The store's plumbing: one connection, one re-entrant lock, transactions as a caller, the daily
request count and the buffered API-call log (store/eventlog.py).

``OrgStore`` (org_store.py) builds the org's features on these; every public write is one SQLite
transaction (WAL, synchronous=FULL), so an acknowledged write survives a crash and a reopen.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, TypeVar

from leastforce.emulator.errors import ApiError
from leastforce.emulator.rules import user_access as permissions
from leastforce.emulator.store import auth, eventlog
from leastforce.emulator.store import query as paging
from leastforce.emulator.store.ids import to18
from leastforce.emulator.store.limits import org_limits
from leastforce.emulator.store.schema import TOOLING_ONLY, Schema
from leastforce.emulator.store.txn import Caller, Txn

T = TypeVar("T")

DAILY_REQUEST_MAX = 100_000  # Developer Edition's 15,000 is lower; Enterprise starts at 100,000 (UNVERIFIED)


class StoreCore:
    """Connection, lock and transactions; the request counter and the call log."""

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
        self._depth = 0  # open savepoints (see _begin)

    def close(self) -> None:
        with self._lock:
            self._save_requests()
            self._flush_calls()
            self._conn.close()

    # -- transactions -----------------------------------------------------------------------
    @contextmanager
    def _tx(self, caller: Caller) -> Iterator[Txn]:
        """One transaction; rolled back if the body raises."""
        with self._lock:
            savepoint = self._begin()
            try:
                yield Txn(self._conn, self._schema, caller.user_id or self.admin_user_id)
            except BaseException:
                self._finish(savepoint, keep=False)
                raise
            self._finish(savepoint, keep=True)

    def _begin(self) -> str | None:
        """BEGIN; or a SAVEPOINT (its name returned) inside an open transaction: a /composite request with
        allOrNone runs each subrequest's transaction inside its own (http/composite.py)."""
        if not self._conn.in_transaction:
            self._conn.execute("BEGIN IMMEDIATE")
            return None
        self._depth += 1
        name = f"nested_{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}")
        return name

    def _finish(self, savepoint: str | None, *, keep: bool) -> None:
        if savepoint is None:
            self._conn.execute("COMMIT" if keep else "ROLLBACK")
            return
        if not keep:
            self._conn.execute(f"ROLLBACK TO {savepoint}")
        self._conn.execute(f"RELEASE {savepoint}")
        self._depth -= 1

    def all_or_none(self, work: Callable[[], tuple[T, bool]]) -> T:
        """Run ``work`` (calls to this store) as one transaction: kept when it reports success, rolled back
        when it reports failure or raises. The store's lock is held throughout."""
        with self._lock:
            savepoint = self._begin()
            try:
                result, keep = work()
            except BaseException:
                self._finish(savepoint, keep=False)
                raise
            self._finish(savepoint, keep=keep)
            return result

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
