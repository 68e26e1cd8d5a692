"""Reading Event Monitoring's log files for one user: list the EventLogFile rows of the period, download
each LogFile streaming (line by line, a few files at a time), keep the user's rows.

Reading EventLogFile "requires View Event Log Files and API Enabled user permissions"
(https://developer.salesforce.com/docs/atlas.en-us.210.0.api.meta/api/sforce_api_objects_eventlogfile.htm);
a LogFile is fetched with GET /sobjects/EventLogFile/{id}/LogFile
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/dome_event_log_file_blob.htm).
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
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
    """The file's rows of the users (15-character ids), as (user, dict). Only the records holding one of
    the ids' bytes are CSV-parsed: the USER_ID is in every row of its user, so any other is someone else's."""
    parts = _parts(client.stream_bytes(f"sobjects/EventLogFile/{file.id}/LogFile"))
    first = next(parts, b"")
    end = _record_end(first, 0)
    header = next(csv.reader([first[:end].rstrip(b"\r").decode("utf-8-sig", "replace")]), [])
    if not header:
        return
    missing = [c for c in required if c not in header]
    if missing:
        raise _bad(file, f"no column {', '.join(missing)} (columns: {', '.join(header[:8])} ...)")
    index = header.index("USER_ID")
    records = _matching(itertools.chain([first[end + 1 :]], parts), _finder(user_ids))
    for number, record in records:
        values = next(csv.reader([record.decode("utf-8", "replace")]))
        if len(values) != len(header):
            raise _bad(file, f"line {number} has {len(values)} values, the header {len(header)}")
        user = values[index][:15]
        if user in user_ids:
            yield user, dict(zip(header, values, strict=True))


def _finder(user_ids: tuple[str, ...]) -> Callable[[bytes, int], int]:
    """``find(data, start)``: where the next of the ids' bytes is, or -1."""
    if len(user_ids) == 1:
        needle = user_ids[0].encode()
        return lambda data, start: data.find(needle, start)
    pattern = re.compile(b"|".join(re.escape(u.encode()) for u in user_ids))

    def find(data: bytes, start: int) -> int:
        found = pattern.search(data, start)
        return -1 if found is None else found.start()

    return find


def _parts(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The stream as runs of whole CSV records: each part ends just after a newline outside quotes (a
    quoted value, the SOQL text, may hold line breaks: a newline is a record's end when the count of
    double quotes before it is even)."""
    pending = b""
    for chunk in chunks:
        data = pending + chunk if pending else chunk
        cut = data.rfind(b"\n") + 1
        while cut and data.count(b'"', 0, cut) % 2:
            cut = data.rfind(b"\n", 0, cut - 1) + 1
        pending = data[cut:]
        if cut:
            yield data[:cut]
    if pending:
        yield pending


def _record_end(part: bytes, start: int) -> int:
    """The index of the newline ending the record that begins at ``start`` (len(part) at the end)."""
    end = part.find(b"\n", start)
    while end >= 0 and part.count(b'"', start, end) % 2:
        end = part.find(b"\n", end + 1)
    return len(part) if end < 0 else end


def _matching(parts: Iterable[bytes], find: Callable[[bytes, int], int]) -> Iterator[tuple[int, bytes]]:
    """(line number, record) of the records in which ``find`` finds a user id: the search runs over a
    whole part in C, so the Python loop turns only for the matches."""
    line = 2  # the first record after the header
    for part in parts:
        done = 0  # parts begin at a record; ``done`` is the start of the next record not yet passed
        hit = find(part, 0)
        while hit >= 0:
            start = _record_start(part, done, hit)
            end = _record_end(part, start)
            line += part.count(b"\n", done, start)
            yield line, part[start:end].rstrip(b"\r")
            line += part.count(b"\n", start, end + 1)
            done = end + 1
            hit = find(part, done)
        line += part.count(b"\n", done)


def _record_start(part: bytes, done: int, hit: int) -> int:
    """The start of the record holding ``hit``: after the last newline before it with an even count of
    double quotes since ``done`` (a record start)."""
    start = part.rfind(b"\n", done, hit) + 1 or done
    while start > done and part.count(b'"', done, start) % 2:
        start = part.rfind(b"\n", done, start - 1) + 1 or done
    return start


def _bad(file: LogFile, problem: str) -> InputError:
    return InputError(
        f"log file {file.id} ({file.event_type}, {file.interval}, {file.log_date[:10]}) is not in the "
        f"expected format: {problem}"
    )
