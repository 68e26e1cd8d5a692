"""Reading Event Monitoring's log files for one user: list the EventLogFile rows of the period, download
each LogFile streaming (line by line, a few files at a time), keep the user's rows.

Reading EventLogFile "requires View Event Log Files and API Enabled user permissions"
(https://developer.salesforce.com/docs/atlas.en-us.210.0.api.meta/api/sforce_api_objects_eventlogfile.htm);
a LogFile is fetched with GET /sobjects/EventLogFile/{id}/LogFile
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/dome_event_log_file_blob.htm).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from leastforce.checks.observe.calls import LoggedCall
from leastforce.checks.observe.period import API_TOTAL_USAGE, UNIQUE_QUERY, LogFile
from leastforce.checks.observe.usage import Tally
from leastforce.errors import InputError, OrgError, PermissionDenied
from leastforce.org.client import OrgClient
from leastforce.org.soql import soql

WORKERS = 4  # files downloaded at once: enough to overlap network and parsing, gentle on the org
_NEEDS_PERMISSION = "View Event Log Files and API Enabled"
_USAGE_COLUMNS = ("USER_ID", "HTTP_METHOD", "API_RESOURCE", "STATUS_CODE")
_QUERY_COLUMNS = ("USER_ID", "REQUEST_ID", "QUERY_IDENTIFIER")


def list_log_files(client: OrgClient, since: datetime) -> tuple[LogFile, ...]:
    """The API Total Usage and Unique Query files logged since ``since`` (UTC)."""
    query = soql(
        "SELECT Id, EventType, Interval, LogDate, LogFileLength, Sequence FROM EventLogFile "
        "WHERE EventType IN {types} AND LogDate >= {since} ORDER BY LogDate",
        types=[API_TOTAL_USAGE, UNIQUE_QUERY],
        since=since,
    )
    try:
        rows = client.query(query)
    except OrgError as exc:
        if exc.error_code in ("INVALID_TYPE", "INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY"):
            raise PermissionDenied(
                f"the connected user cannot read EventLogFile ({exc.error_code}): {exc}",
                error_code=exc.error_code,
                hint=f"connect as a user with {_NEEDS_PERMISSION}",
            ) from None
        raise
    return tuple(
        LogFile(
            id=str(r["Id"]),
            event_type=str(r["EventType"]),
            interval=str(r.get("Interval") or "Daily"),
            log_date=str(r["LogDate"]),
            length=int(r.get("LogFileLength") or 0),
            sequence=int(r.get("Sequence") or 0),
        )
        for r in rows
    )


def read_usage(client: OrgClient, files: tuple[LogFile, ...], user_id: str) -> Tally:
    """The user's calls in ``files`` (already chosen: no call twice), SOQL text joined by REQUEST_ID."""
    return read_usages(client, files, (user_id,))[user_id[:15]]


def read_usages(client: OrgClient, files: tuple[LogFile, ...], user_ids: tuple[str, ...]) -> dict[str, Tally]:
    """Per user (by its 15-character id) the calls in ``files``: every file is read once for all users."""
    wanted = tuple(dict.fromkeys(u[:15] for u in user_ids))
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        queries: dict[str, str] = {}
        for part in pool.map(
            lambda f: _queries(client, f, wanted), [f for f in files if f.event_type == UNIQUE_QUERY]
        ):
            queries.update(part)
        totals = {u: Tally() for u in wanted}
        for tallies in pool.map(
            lambda f: _usage(client, f, wanted, queries),
            [f for f in files if f.event_type == API_TOTAL_USAGE],
        ):
            for user, tally in tallies.items():
                totals[user].merge(tally)
    return totals


def _usage(
    client: OrgClient, file: LogFile, user_ids: tuple[str, ...], queries: dict[str, str]
) -> dict[str, Tally]:
    tallies = {u: Tally() for u in user_ids}
    for user, row in _user_rows(client, file, user_ids, _USAGE_COLUMNS):
        try:
            status = int(row["STATUS_CODE"] or 0)
        except ValueError:
            raise _bad(file, f"STATUS_CODE {row['STATUS_CODE']!r} is not a number") from None
        call = LoggedCall(
            at=row.get("TIMESTAMP_DERIVED") or row.get("TIMESTAMP") or "",
            method=row["HTTP_METHOD"],
            resource=row["API_RESOURCE"],
            entity=row.get("ENTITY_NAME") or "",
            family=row.get("API_FAMILY") or "",
            status=status,
            request_id=row.get("REQUEST_ID") or "",
            app_id=row.get("CONNECTED_APP_ID") or "",
        )
        tallies[user].add(call, queries.get(call.request_id))
    return tallies


def _queries(client: OrgClient, file: LogFile, user_ids: tuple[str, ...]) -> dict[str, str]:
    return {
        row["REQUEST_ID"]: row["QUERY_IDENTIFIER"]
        for _, row in _user_rows(client, file, user_ids, _QUERY_COLUMNS)
        if row.get("QUERY_TYPE", "soql").lower() == "soql"
    }


def _user_rows(
    client: OrgClient, file: LogFile, user_ids: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[str, dict[str, str]]]:
    """The file's rows of the users (15-character ids), as (user, dict); lines without any of the ids
    are skipped before CSV parsing (the USER_ID is in every row of its user, so such a line is someone
    else's)."""
    lines = _records(client.stream_lines(f"sobjects/EventLogFile/{file.id}/LogFile"))
    header_line = next(lines, None)
    if header_line is None:
        return
    header = next(csv.reader([header_line.decode("utf-8-sig", "replace")]))
    missing = [c for c in required if c not in header]
    if missing:
        raise _bad(file, f"no column {', '.join(missing)} (columns: {', '.join(header[:8])} ...)")
    index = header.index("USER_ID")
    for number, line in _candidates(lines, user_ids):
        values = next(csv.reader([line.decode("utf-8", "replace")]))
        if len(values) != len(header):
            raise _bad(file, f"line {number} has {len(values)} values, the header {len(header)}")
        user = values[index][:15]
        if user in user_ids:
            yield user, dict(zip(header, values, strict=True))


def _candidates(lines: Iterator[bytes], user_ids: tuple[str, ...]) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the lines holding one of the ids' bytes: the hot loop, kept to a bytes
    search per line (one user: ``in``; several: one compiled alternation)."""
    if len(user_ids) == 1:
        needle = user_ids[0].encode()
        for number, line in enumerate(lines, start=2):
            if needle in line:
                yield number, line
        return
    search = re.compile(b"|".join(re.escape(u.encode()) for u in user_ids)).search
    for number, line in enumerate(lines, start=2):
        if search(line) is not None:
            yield number, line


def _records(lines: Iterable[bytes]) -> Iterator[bytes]:
    """CSV records from lines: a quoted value may hold a line break (SOQL text), so lines are joined
    while their double quotes are unbalanced."""
    pending = b""
    for line in lines:
        record = pending + line if pending else line
        if record.count(b'"') % 2:
            pending = record + b"\n"
            continue
        pending = b""
        if record:
            yield record
    if pending:
        yield pending.rstrip(b"\n")


def _bad(file: LogFile, problem: str) -> InputError:
    return InputError(
        f"log file {file.id} ({file.event_type}, {file.interval}, {file.log_date[:10]}) is not in the "
        f"expected format: {problem}"
    )
