"""Reading big tables through Bulk API 2.0 query jobs, and choosing, table by table, Bulk or REST.

A query job returns a table in a few large CSV result sets instead of one REST page per 2,000 rows:
create the job, wait for `JobComplete`, read the results set by set (each answer's `Sforce-Locator` names
the next; 'null' after the last), delete the job.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
Result sets are read as a stream (csv over the response's text), never held whole. Locators are
sequential, so one table's sets come one after the other, each asked for while the one before is parsed;
tables run concurrently (whole_org.py).
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from leastforce.errors import AuthError, OrgError, RequestLimitError
from leastforce.org.client import OrgClient

_log = logging.getLogger(__name__)

# Tables of more rows than this are read through Bulk API 2.0 (5 REST pages: below it, a job's create,
# status and results calls cost about as much as the pages).
BULK_THRESHOLD = 10_000
MAX_RECORDS = 250_000  # rows per result set asked for (`maxRecords`)
_POLL_FIRST_S, _POLL_MAX_S, _POLL_TIMEOUT_S = 0.05, 2.0, 600.0
# What "Create a Query Job" says Bulk API 2.0 does not support, as a pattern and the reason shown.
# https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
_UNSUPPORTED = (
    (re.compile(r"\bFIELDS\s*\(", re.IGNORECASE), "Bulk API 2.0 does not support FIELDS()"),
    (re.compile(r"\(\s*SELECT\b", re.IGNORECASE), "Bulk API 2.0 does not support parent-to-child subqueries"),
    (
        re.compile(r"\bGROUP\s+BY\b|\bOFFSET\b", re.IGNORECASE),
        "Bulk API 2.0 does not support GROUP BY or OFFSET",
    ),
    (re.compile(r"\bCOUNT\s*\(", re.IGNORECASE), "Bulk API 2.0 does not support aggregate functions"),
)


class ReadApi(StrEnum):
    """How whole tables are read: `auto` (Bulk API 2.0 above BULK_THRESHOLD rows), `rest`, `bulk`."""

    AUTO = "auto"
    REST = "rest"
    BULK = "bulk"


@dataclass(frozen=True)
class TableApi:
    """The API a table is read with (REST or BULK) and why."""

    table: str
    api: ReadApi
    reason: str


def unsupported(soql: str) -> str | None:
    """Why Bulk API 2.0 cannot run ``soql``, or None."""
    return next((reason for pattern, reason in _UNSUPPORTED if pattern.search(soql)), None)


def choose_apis(client: OrgClient, tables: Mapping[str, str], api: ReadApi) -> dict[str, TableApi]:
    """The API for each table (name = its object): REST when asked or when Bulk API cannot run the query;
    with `auto`, Bulk API above BULK_THRESHOLD rows, counted by one /limits/recordCount call."""
    if api is ReadApi.REST:
        return {t: TableApi(t, ReadApi.REST, "--api rest") for t in tables}
    out = {t: TableApi(t, ReadApi.REST, why) for t, soql in tables.items() if (why := unsupported(soql))}
    candidates = [t for t in tables if t not in out]
    if api is ReadApi.BULK:
        return out | {t: TableApi(t, ReadApi.BULK, "--api bulk") for t in candidates}
    counts = record_counts(client, candidates)
    for table in candidates:
        rows = counts[table]
        big = rows > BULK_THRESHOLD
        out[table] = TableApi(
            table,
            ReadApi.BULK if big else ReadApi.REST,
            f"{rows:,} rows {'>' if big else '<='} {BULK_THRESHOLD:,}",
        )
    return out


def choose_api_of_part(client: OrgClient, table: str, soql: str, part: float, api: ReadApi) -> TableApi:
    """The API for ``soql``, which reads about ``part`` (0 to 1) of ``table``'s rows (the field rows of
    some sets): as `choose_apis`, on the rows it is expected to read."""
    if api is not ReadApi.AUTO or part >= 1 or unsupported(soql):
        return choose_apis(client, {table: soql}, api)[table]
    expected = int(record_counts(client, [table])[table] * part)
    big = expected > BULK_THRESHOLD
    reason = f"~{expected:,} rows expected {'>' if big else '<='} {BULK_THRESHOLD:,}"
    return TableApi(table, ReadApi.BULK if big else ReadApi.REST, reason)


def record_counts(client: OrgClient, objects: list[str]) -> dict[str, int]:
    """Rows per object: /limits/recordCount (one call; "an approximate count", enough to pick an API),
    then `SELECT COUNT()` for any object it leaves out (it lists only some objects in some orgs).
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_record_count.htm"""
    if not objects:
        return {}
    answer = client.request("GET", "limits/recordCount", params={"sObjects": ",".join(objects)}) or {}
    found = {str(e.get("name", "")).lower(): int(e.get("count", 0)) for e in answer.get("sObjects", [])}
    counts: dict[str, int] = {}
    for name in objects:
        if name.lower() in found:
            counts[name] = found[name.lower()]
        else:
            page = client.request("GET", "query/", params={"q": f"SELECT COUNT() FROM {name}"})
            counts[name] = int((page or {}).get("totalSize", 0))
    return counts


class BulkRefused(OrgError):
    """The org would not run a query job for this table (so REST reads it); the message says why."""


def bulk_rows(
    client: OrgClient,
    soql: str,
    *,
    max_records: int = MAX_RECORDS,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[dict[str, Any]]:
    """Every row of ``soql`` through a Bulk API 2.0 query job, as REST-shaped records ("Parent.Field"
    columns nested, true/false as booleans, empty as None). BulkRefused before any row when the org
    refuses the job or the job fails; the job is deleted at the end.

    The next result set is asked for as soon as this one's headers name it, so the org prepares it while
    this one is parsed; each set is still read as a stream."""
    job_id = _start(client, soql, sleep)
    try:
        with ThreadPoolExecutor(max_workers=1) as ahead:
            page: Future[_Page] | None = ahead.submit(_result_set, client, job_id, "", max_records)
            while page is not None:
                headers, body = page.result()
                locator = _header(headers, "Sforce-Locator")
                more = bool(locator) and locator != "null"
                page = ahead.submit(_result_set, client, job_id, locator, max_records) if more else None
                try:
                    with body:
                        reader = csv.reader(_lines(body))
                        yield from _records(next(reader, []), reader)
                except BaseException:
                    _discard(page)
                    raise
    finally:
        try:
            client.request("DELETE", f"jobs/query/{job_id}")
        except OrgError as exc:  # the rows are read; a job left behind expires on its own
            _log.info("could not delete Bulk API job %s: %s", job_id, exc)


_Page = tuple[Mapping[str, str], IO[str]]


def _result_set(client: OrgClient, job_id: str, locator: str, max_records: int) -> _Page:
    params = {"maxRecords": str(max_records)} | ({"locator": locator} if locator else {})
    return client.stream(f"jobs/query/{job_id}/results", params=params)


def _discard(page: Future[_Page] | None) -> None:
    """Close a result set asked for ahead that will not be read (the reader stopped or failed)."""
    if page is None:
        return
    try:
        page.result()[1].close()
    except Exception:  # it failed on its own: nothing to close
        _log.debug("a result set asked for ahead failed", exc_info=True)


def _start(client: OrgClient, soql: str, sleep: Callable[[float], None]) -> str:
    body = {
        "operation": "query",
        "query": soql,
        "contentType": "CSV",
        "columnDelimiter": "COMMA",
        "lineEnding": "LF",
    }
    try:
        job = client.request("POST", "jobs/query", json=body)
    except (AuthError, RequestLimitError):
        raise
    except OrgError as exc:
        if exc.status in (400, 404):  # refused (an unsupported object or query): REST can still read it
            raise BulkRefused(exc.message, error_code=exc.error_code, status=exc.status) from exc
        raise
    job_id = str(job["id"])
    job = client.request("GET", f"jobs/query/{job_id}")  # small jobs are done at the first look
    delay, waited = _POLL_FIRST_S, 0.0
    while job.get("state") in ("UploadComplete", "InProgress"):
        if waited > _POLL_TIMEOUT_S:
            raise OrgError(f"Bulk API query job {job_id} did not finish in {_POLL_TIMEOUT_S:.0f} s")
        sleep(delay)
        waited, delay = waited + delay, min(_POLL_MAX_S, delay * 2)
        job = client.request("GET", f"jobs/query/{job_id}")
    if job.get("state") != "JobComplete":
        raise BulkRefused(f"Bulk API query job {job_id} ended {job.get('state')}", status=0)
    return job_id


def _lines(body: IO[str], size: int = 1 << 20) -> Iterator[str]:
    """The lines of a result set, read a megabyte at a time and split in C: iterating the response's own
    text stream asks its `closed` property (Python code) once per line, a third of the parse."""
    return itertools.chain.from_iterable(_chunks(body, size))


def _chunks(body: IO[str], size: int) -> Iterator[io.StringIO]:
    """Whole lines, a chunk at a time (a quoted field's newline stays inside its record: lines are never
    cut, and the csv reader joins a record's lines across chunks)."""
    rest = ""
    while chunk := body.read(size):
        text = rest + chunk
        end = text.rfind("\n") + 1
        rest = text[end:]
        if end:
            yield io.StringIO(text[:end])
    if rest:
        yield io.StringIO(rest)


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


# CSV carries text only: booleans and nulls as REST gives them (other values stay text).
_SPECIAL: dict[str, Any] = {"": None, "true": True, "false": False}


def _records(header: list[str], rows: Iterable[list[str]]) -> Iterator[dict[str, Any]]:
    """REST-shaped records of CSV rows. Flat columns (most tables) take one C-level pass per row:
    each cell through _SPECIAL.get(cell, cell), zipped with the column names."""
    value = _SPECIAL.get
    if not any("." in c for c in header):
        names = tuple(header)
        for row in rows:
            yield dict(zip(names, map(value, row, row), strict=False))
        return
    columns = [c.split(".") for c in header]
    for row in rows:
        yield _record(columns, row)


def _record(columns: list[list[str]], row: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for path, text in zip(columns, row, strict=False):
        value = _SPECIAL.get(text, text)
        if len(path) == 1:
            record[path[0]] = value
            continue
        node = record
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[path[-1]] = value
    return record
