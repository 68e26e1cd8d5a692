"""The org's API call log and the Event Monitoring log files generated from it.

Every REST call of a known user is appended to the private table ``_api_call``; closing a period
(``write_log_files``) turns the calls not yet in a file into ``EventLogFile`` rows, one Daily and one
Hourly file per day and hour, for the event types API Total Usage (every call) and Unique Query (the
SOQL text of queries). The CSV bodies live in ``_log_file`` and are served at
``/sobjects/EventLogFile/{id}/LogFile``.

EventLogFile: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile.htm
API Total Usage columns and types:
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile_apitotalusage.htm
("EVENT_TYPE ... The value is always ApiTotalUsage"; TIMESTAMP "20130715233322.670"; TIMESTAMP_DERIVED
"2015-07-27T11:32:59.555Z"; USER_ID the 15-character id). Unique Query columns:
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile_unique_query_event_elf.htm
(QUERY_IDENTIFIER "The text of the SOQL query run"; QUERY_TYPE soql). UNVERIFIED: the EventType value
'UniqueQuery', the column order, USER_ID_DERIVED on Unique Query, booleans written as "1"/"0", "\\n" line
ends, the Sequence numbering (1, 2 ... per event type, interval and log date).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from typing import Any

from leastforce.emulator.store import db
from leastforce.emulator.store.txn import Txn

DDL = (
    "CREATE TABLE IF NOT EXISTS _api_call (seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,"
    " request_id TEXT, user_id TEXT NOT NULL, app TEXT, method TEXT, resource TEXT, entity TEXT,"
    " family TEXT, version TEXT, status INTEGER, client TEXT, soql TEXT, rows INTEGER,"
    " closed INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS _log_file (id TEXT PRIMARY KEY, body BLOB NOT NULL)",
)
API_TOTAL_USAGE = "ApiTotalUsage"
UNIQUE_QUERY = "UniqueQuery"  # UNVERIFIED spelling of the EventType value
API_TOTAL_USAGE_COLUMNS = (
    ("EVENT_TYPE", "String"),
    ("TIMESTAMP", "String"),
    ("REQUEST_ID", "String"),
    ("ORGANIZATION_ID", "Id"),
    ("USER_ID", "Id"),
    ("API_FAMILY", "String"),
    ("API_VERSION", "Number"),
    ("API_RESOURCE", "String"),
    ("CLIENT_NAME", "String"),
    ("HTTP_METHOD", "String"),
    ("CLIENT_IP", "String"),
    ("COUNTS_AGAINST_API_LIMIT", "Boolean"),
    ("CONNECTED_APP_ID", "String"),
    ("CONNECTED_APP_NAME", "String"),
    ("ENTITY_NAME", "Set"),
    ("STATUS_CODE", "Number"),
    ("TIMESTAMP_DERIVED", "DateTime"),
    ("USER_ID_DERIVED", "Id"),
)
UNIQUE_QUERY_COLUMNS = (
    ("EVENT_TYPE", "String"),
    ("TIMESTAMP", "String"),
    ("REQUEST_ID", "String"),
    ("ORGANIZATION_ID", "Id"),
    ("USER_ID", "Id"),
    ("QUERY_IDENTIFIER", "String"),
    ("QUERY_TYPE", "String"),
    ("TIMESTAMP_DERIVED", "DateTime"),
    ("USER_ID_DERIVED", "Id"),
)
_COLUMNS = (
    "at, request_id, user_id, app, method, resource, entity, family, version, status, client, soql, rows"
)


@dataclass(frozen=True)
class ApiCall:
    """One logged REST call (``at``: epoch seconds; ``user_id``: the 18-character id)."""

    at: float
    request_id: str
    user_id: str
    app: str | None
    method: str
    resource: str
    entity: str
    family: str
    version: str
    status: int
    client: str
    soql: str | None
    rows: int | None


@dataclass(frozen=True)
class LogFileInfo:
    """One written EventLogFile row, as the admin endpoint reports it."""

    id: str
    event_type: str
    interval: str
    log_date: str
    rows: int


def append(txn: Txn, calls: Iterable[ApiCall]) -> None:
    """Add calls to the log."""
    marks = ", ".join("?" * 13)
    txn.conn.executemany(f"INSERT INTO _api_call ({_COLUMNS}) VALUES ({marks})", (astuple(c) for c in calls))


def write_log_files(txn: Txn, org_id: str) -> list[LogFileInfo]:
    """Close the current period: every call not yet in a file goes into its day's Daily file and its
    hour's Hourly file (each event type apart); returns the files written."""
    rows = txn.conn.execute(f"SELECT {_COLUMNS} FROM _api_call WHERE closed = 0 ORDER BY seq").fetchall()
    calls = [ApiCall(*tuple(r)) for r in rows]
    apps = {a["Name"]: a["Id"] for a in db.select(txn.conn, txn.sobject("ConnectedApplication"))}
    by_period: dict[tuple[str, datetime], list[ApiCall]] = defaultdict(list)
    for call in calls:
        moment = datetime.fromtimestamp(call.at, UTC)
        by_period[("Daily", moment.replace(hour=0, minute=0, second=0, microsecond=0))].append(call)
        by_period[("Hourly", moment.replace(minute=0, second=0, microsecond=0))].append(call)
    written: list[LogFileInfo] = []
    for (interval, start), group in sorted(by_period.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        usage = [_usage_row(c, org_id, apps) for c in group]
        written.append(_file(txn, API_TOTAL_USAGE, interval, start, API_TOTAL_USAGE_COLUMNS, usage))
        queries = [_query_row(c, org_id) for c in group if c.soql]
        if queries:
            written.append(_file(txn, UNIQUE_QUERY, interval, start, UNIQUE_QUERY_COLUMNS, queries))
    txn.conn.execute("UPDATE _api_call SET closed = 1 WHERE closed = 0")
    return written


def log_file_body(txn: Txn, file_id: str) -> bytes | None:
    row = txn.conn.execute("SELECT body FROM _log_file WHERE id = ?", (file_id,)).fetchone()
    return bytes(row["body"]) if row is not None else None


def store_log_file(
    txn: Txn,
    event_type: str,
    interval: str,
    start: datetime,
    columns: Sequence[tuple[str, str]],
    body: bytes,
) -> str:
    """One EventLogFile row with its CSV body (also used by the benchmark to write files directly)."""
    log_date = db.format_datetime(start)
    sequence = 1 + db.count(
        txn.conn,
        txn.sobject("EventLogFile"),
        [("EventType", event_type), ("Interval", interval), ("LogDate", log_date)],
    )
    file_id = txn.insert(
        "EventLogFile",
        {
            "EventType": event_type,
            "Interval": interval,
            "LogDate": log_date,
            "Sequence": sequence,
            "LogFileContentType": "CSV",
            "LogFileFieldNames": ",".join(name for name, _ in columns),
            "LogFileFieldTypes": ",".join(kind for _, kind in columns),
            "LogFileLength": float(len(body)),
            "ApiVersion": 64.0,
        },
    )
    txn.update(
        "EventLogFile", file_id, {"LogFile": f"/services/data/v64.0/sobjects/EventLogFile/{file_id}/LogFile"}
    )
    txn.conn.execute("INSERT INTO _log_file (id, body) VALUES (?, ?)", (file_id, body))
    return file_id


def csv_body(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[str]]) -> bytes:
    """The CSV as Salesforce writes it: a header of column names, every value double-quoted."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([name for name, _ in columns])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _file(
    txn: Txn,
    event_type: str,
    interval: str,
    start: datetime,
    columns: Sequence[tuple[str, str]],
    rows: list[list[str]],
) -> LogFileInfo:
    file_id = store_log_file(txn, event_type, interval, start, columns, csv_body(columns, rows))
    return LogFileInfo(file_id, event_type, interval, db.format_datetime(start), len(rows))


def timestamps(at: float) -> tuple[str, str]:
    """(TIMESTAMP "20130715233322.670", TIMESTAMP_DERIVED "2015-07-27T11:32:59.555Z"), both GMT."""
    moment = datetime.fromtimestamp(at, UTC)
    millis = f"{moment.microsecond // 1000:03d}"
    return moment.strftime("%Y%m%d%H%M%S.") + millis, moment.strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z"


def _usage_row(call: ApiCall, org_id: str, apps: dict[str, Any]) -> list[str]:
    stamp, derived = timestamps(call.at)
    app_id = str(apps.get(call.app or "", "") or "")
    return [
        API_TOTAL_USAGE,
        stamp,
        call.request_id,
        org_id[:15],
        call.user_id[:15],
        call.family,
        call.version,
        call.resource,
        call.client,
        call.method,
        "127.0.0.1",
        "1" if call.status < 500 else "0",
        app_id[:15],
        call.app or "",
        call.entity,
        str(call.status),
        derived,
        call.user_id,
    ]


def _query_row(call: ApiCall, org_id: str) -> list[str]:
    stamp, derived = timestamps(call.at)
    return [
        UNIQUE_QUERY,
        stamp,
        call.request_id,
        org_id[:15],
        call.user_id[:15],
        call.soql or "",
        "soql",
        derived,
        call.user_id,
    ]
