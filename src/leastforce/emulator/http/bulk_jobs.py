"""Bulk API 2.0 query jobs of the local org: their info, their CSV result rows, the daily job count.

Kept in memory (a restart forgets them, as it forgets REST query cursors). A job's query runs when the
job is first looked at after its creation (status or results), so a job is `UploadComplete` when created,
as Salesforce answers, and can be aborted before it ran.
Job info fields: "Get Information About a Query Job",
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_one_job.htm
"""

from __future__ import annotations

import csv
import io
import itertools
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from leastforce.emulator.soql import QueryTable
from leastforce.emulator.store.ids import make_id

# columnDelimiter values and the characters they stand for ("Create a Query Job", request parameters)
# https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
DELIMITERS = {"BACKQUOTE": "`", "CARET": "^", "COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "TAB": "\t"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
MAX_KEPT_JOBS = 50  # jobs whose results stay in memory; older ones are forgotten (UNVERIFIED: 7 days there)
_COUNTER = itertools.count(1)
DAILY_QUERY_JOBS = 10_000  # /limits DailyBulkV2QueryJobs Max (emulator/store/limits.py)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass
class QueryJob:
    """One job: its public info, and once it ran, the CSV header and one row of values per record
    (a result set is written from them in one go when asked for: `csv_lines`)."""

    info: dict[str, Any]
    owner: str
    header: str = ""
    rows: list[list[Any]] = field(default_factory=list)

    def csv_lines(self, start: int, end: int) -> str:
        """The header and rows[start:end] as CSV text, written by one csv writer call."""
        buffer = io.StringIO()
        buffer.write(self.header)
        _writer(self, buffer).writerows(itertools.islice(self.rows, start, end))
        return buffer.getvalue()

    @property
    def state(self) -> str:
        return str(self.info["state"])

    def set_state(self, state: str) -> None:
        self.info["state"] = state
        self.info["systemModstamp"] = _now()


class QueryJobs:
    """Every job of the org, by id (thread-safe), and how many were created today."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, QueryJob] = OrderedDict()
        self._lock = threading.Lock()
        self.created = 0
        self.daily_max = DAILY_QUERY_JOBS

    def create(self, body: Mapping[str, Any], *, sobject: str, owner: str, version: str) -> QueryJob:
        now = _now()
        job_id = make_id("750", next(_COUNTER))
        info = {
            "id": job_id,
            "operation": body.get("operation"),
            "object": sobject,
            "createdById": owner,
            "createdDate": now,
            "systemModstamp": now,
            "state": "UploadComplete",
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(version),
            "lineEnding": body.get("lineEnding") or "LF",
            "columnDelimiter": body.get("columnDelimiter") or "COMMA",
        }
        job = QueryJob(info, owner)
        job.info["query"] = str(body.get("query"))
        with self._lock:
            self.created += 1
            self._jobs[job_id] = job
            while len(self._jobs) > MAX_KEPT_JOBS:
                self._jobs.popitem(last=False)
        return job

    def get(self, job_id: str) -> QueryJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def delete(self, job_id: str) -> bool:
        with self._lock:
            return self._jobs.pop(job_id, None) is not None

    def all(self) -> list[QueryJob]:
        with self._lock:
            return list(self._jobs.values())


def public_info(job: QueryJob) -> dict[str, Any]:
    """The job as GET /jobs/query/{id} shows it (the query itself is not part of it)."""
    info = {k: v for k, v in job.info.items() if k != "query"}
    info["jobType"] = "V2Query"
    info["numberRecordsProcessed"] = len(job.rows) if job.state == "JobComplete" else 0
    info["retries"] = 0
    info["totalProcessingTime"] = 0
    return info


def fill_results(job: QueryJob, table: QueryTable) -> None:
    """Keep the query's rows for the CSV: one column per selected path, "Parent.Field" for relationships
    (child-to-parent fields in a Bulk query), every value quoted, null as an empty value; the csv module
    writes the text of numbers and ids itself, booleans are spelt here.
    UNVERIFIED: that Salesforce quotes every value, and writes booleans as true/false."""
    buffer = io.StringIO()
    _writer(job, buffer).writerow(table.columns)
    job.header = buffer.getvalue()
    booleans = [i for i, kind in enumerate(table.types) if kind == "boolean"]
    for row in table.rows if booleans else ():
        for i in booleans:
            row[i] = _BOOLEAN_CELLS[row[i]]
    job.rows = table.rows


def _writer(job: QueryJob, buffer: io.StringIO) -> Any:
    delimiter = DELIMITERS[str(job.info["columnDelimiter"])]
    ending = LINE_ENDINGS[str(job.info["lineEnding"])]
    return csv.writer(buffer, delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_ALL)


# A null (a parent's field past a null lookup) stays empty; csv writes None as "".
_BOOLEAN_CELLS = {True: "true", False: "false", None: None}
