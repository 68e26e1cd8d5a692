"""Bulk API 2.0 query under /services/data/vNN.0/jobs/query: create, status, results, abort, delete, list.

"Understanding Bulk API 2.0 Query" lists the resources and what a query may not contain:
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
Create: https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
Results (`locator`, `maxRecords`, `Sforce-Locator` 'null' on the last set, `Sforce-NumberOfRecords`):
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
Error codes and messages the guide does not give are marked UNVERIFIED.
"""

from __future__ import annotations

import base64
import binascii
import gzip
from typing import TYPE_CHECKING, Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.http.bulk_jobs import DELIMITERS, LINE_ENDINGS, QueryJob, fill_results, public_info
from leastforce.emulator.http.wire import NOT_FOUND, Request, Response, json_response, no_content
from leastforce.emulator.soql import SoqlError, parse_soql
from leastforce.emulator.soql.syntax import Aggregate, FieldsCall, Query, SubQuery
from leastforce.emulator.store.org_store import Caller

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

# Without maxRecords Salesforce sizes a result set itself ("the server uses a default value based on the
# service"); the local org's default is UNVERIFIED.
DEFAULT_MAX_RECORDS = 100_000
_TERMINAL = frozenset({"JobComplete", "Aborted", "Failed"})


def handle(ctx: EmulatorContext, request: Request, version: str, rest: list[str], caller: Caller) -> Response:
    """Route /jobs/query[/{id}[/results]]."""
    method = request.method
    if not rest:
        if method == "POST":
            return _create(ctx, request, version, caller)
        if method in ("GET", "HEAD"):
            jobs = [public_info(j) for j in ctx.bulk_jobs.all()]
            # "Get Information About All Query Jobs": {"done", "records", "nextRecordsUrl"}
            # https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_all_jobs.htm
            return json_response(200, {"done": True, "records": jobs, "nextRecordsUrl": None})
        return _method_not_allowed(method, "GET,HEAD,POST")
    job = ctx.bulk_jobs.get(rest[0])
    if job is None or len(rest) > 2 or (len(rest) == 2 and rest[1] != "results"):
        raise ApiError(404, "NOT_FOUND", NOT_FOUND)
    if len(rest) == 2:
        if method not in ("GET", "HEAD"):
            return _method_not_allowed(method, "GET,HEAD")
        return _results(ctx, request, version, job, caller)
    if method in ("GET", "HEAD"):
        _run(ctx, job, caller)
        return json_response(200, public_info(job))
    if method == "PATCH":
        return _abort(request, job)
    if method == "DELETE":
        ctx.bulk_jobs.delete(job.info["id"])
        return no_content()
    return _method_not_allowed(method, "DELETE,GET,HEAD,PATCH")


def _method_not_allowed(method: str, allowed: str) -> Response:
    raise ApiError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {allowed}")


def _create(ctx: EmulatorContext, request: Request, version: str, caller: Caller) -> Response:
    body = _body(request)
    operation, soql = body.get("operation"), body.get("query")
    if operation not in ("query", "queryAll"):  # UNVERIFIED code and wording
        raise ApiError(400, "INVALIDJOB", f"Invalid operation: {operation}")
    if not isinstance(soql, str) or not soql.strip():
        raise ApiError(400, "INVALIDJOB", "Query is required for a query job")  # UNVERIFIED wording
    _check_options(body)
    query = _parse(soql)
    _check_supported(query)
    jobs = ctx.bulk_jobs
    if jobs.created >= jobs.daily_max:  # DailyBulkV2QueryJobs in /limits; UNVERIFIED code and wording
        raise ApiError(400, "LIMIT_EXCEEDED", "Max bulk v2 query jobs per 24 hours exceeded")
    sobject = _sobject_name(ctx, query.sobject)
    job = jobs.create(body, sobject=sobject, owner=caller.user_id, version=version)
    return json_response(200, _created(job))


def _sobject_name(ctx: EmulatorContext, name: str) -> str:
    """The object's API name; INVALID_TYPE as a REST query answers for an unknown one (UNVERIFIED that a
    query job is refused at creation rather than failed)."""
    try:
        return str(ctx.store.describe(name)["name"])
    except ApiError as exc:
        raise ApiError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.") from exc


def _created(job: QueryJob) -> dict[str, Any]:
    """The create answer: the job's info without the processing counters (the guide's example)."""
    info = public_info(job)
    for key in ("jobType", "numberRecordsProcessed", "retries", "totalProcessingTime"):
        info.pop(key, None)
    return info


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected end of input or invalid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize the request body")  # UNVERIFIED
    return body


def _check_options(body: dict[str, Any]) -> None:
    content = body.get("contentType", "CSV")
    if content != "CSV":  # "Currently the only supported value is CSV"; code UNVERIFIED
        raise ApiError(400, "INVALIDJOB", f"Invalid content type: {content}")
    delimiter = body.get("columnDelimiter", "COMMA")
    if delimiter not in DELIMITERS:
        raise ApiError(400, "INVALIDJOB", f"Invalid column delimiter: {delimiter}")  # UNVERIFIED
    ending = body.get("lineEnding", "LF")
    if ending not in LINE_ENDINGS:
        raise ApiError(400, "INVALIDJOB", f"Invalid line ending: {ending}")  # UNVERIFIED


def _parse(soql: str) -> Query:
    try:
        return parse_soql(soql)
    except SoqlError as exc:
        raise ApiError(400, exc.error_code, exc.message) from exc


def _check_supported(query: Query) -> None:
    """Refuse what "Create a Query Job" says Bulk API 2.0 does not support."""
    if query.group_by or query.offset is not None:
        raise ApiError(400, "API_ERROR", "GROUP BY and OFFSET are not supported in Bulk API 2.0 query")
    for item in query.select:
        if isinstance(item, Aggregate):  # wording UNVERIFIED
            raise ApiError(400, "API_ERROR", "Aggregate functions are not supported in Bulk API 2.0 query")
        if isinstance(item, SubQuery):  # the message real orgs give (OpenFn/adaptors#395); code UNVERIFIED
            raise ApiError(
                400,
                "API_ERROR",
                "Aggregate Relationships not supported in Bulk V2 Query with CSV content type",
            )
        if isinstance(item, FieldsCall):  # compound data and FIELDS(); wording from Bulk API 1.0 (haoide#137)
            raise ApiError(
                400, "FUNCTIONALITY_NOT_ENABLED", "Selecting compound data not supported in Bulk Query"
            )


def _run(ctx: EmulatorContext, job: QueryJob, caller: Caller) -> None:
    """Run the job's query the first time anyone looks at it; a query error fails the job (Salesforce
    gives no message for a failed query job: jsforce's bulk2.ts says so)."""
    if job.state != "UploadComplete":
        return
    job.set_state("InProgress")
    try:
        table = ctx.store.query_table(str(job.info["query"]), caller=Caller(job.owner or caller.user_id))
    except ApiError:
        job.set_state("Failed")
        return
    fill_results(job, table)
    job.set_state("JobComplete")


def _abort(request: Request, job: QueryJob) -> Response:
    state = _body(request).get("state")
    if state != "Aborted":  # UNVERIFIED code and wording
        raise ApiError(400, "INVALIDJOB", f"Invalid state: {state}")
    if job.state in _TERMINAL:  # UNVERIFIED code and wording
        raise ApiError(400, "INVALIDJOBSTATE", f"Cannot abort a job in state {job.state}")
    job.set_state("Aborted")
    return json_response(200, public_info(job))


def _results(ctx: EmulatorContext, request: Request, version: str, job: QueryJob, caller: Caller) -> Response:
    _run(ctx, job, caller)
    if float(version) != job.info["apiVersion"]:  # "Otherwise, the call returns a 409 error"; body UNVERIFIED
        raise ApiError(409, "API_ERROR", "Use the API version the job was created with")
    if job.state != "JobComplete":  # UNVERIFIED code and wording
        raise ApiError(400, "API_ERROR", f"Job is not complete: {job.state}")
    start = _offset(request.param("locator"), len(job.rows))
    size = _max_records(request.param("maxRecords"))
    end = min(len(job.rows), start + size)
    body = job.csv_lines(start, end).encode("utf-8")
    locator = _locator(end) if end < len(job.rows) else "null"
    headers: list[tuple[str, str]] = [
        ("Sforce-Locator", locator),
        ("Sforce-NumberOfRecords", str(end - start)),
    ]
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        # "Use Compression for Bulk API 2.0 Query Responses": Accept-Encoding: gzip
        # https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_compression.htm
        body = gzip.compress(body, compresslevel=1)
        headers.append(("Content-Encoding", "gzip"))
    return Response(200, body, content_type="text/csv", headers=tuple(headers))


def _locator(offset: int) -> str:
    """An opaque string, like the guide's example locator "MTAwMDA=" (base64 of "10000")."""
    return base64.b64encode(str(offset).encode()).decode()


def _offset(locator: str | None, size: int) -> int:
    if not locator:
        return 0
    try:
        offset = int(base64.b64decode(locator, validate=True).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        offset = -1
    if not 0 <= offset <= size:  # UNVERIFIED code and wording
        raise ApiError(400, "INVALID_LOCATOR", f"Invalid locator: {locator}")
    return offset


def _max_records(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_MAX_RECORDS
    if not text.isdigit() or int(text) < 1:  # UNVERIFIED code and wording
        raise ApiError(400, "API_ERROR", f"Invalid maxRecords: {text}")
    return int(text)
