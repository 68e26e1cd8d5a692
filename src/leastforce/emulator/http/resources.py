"""REST resources behind the gate: query, sobjects, composite/sobjects, limits, and their Tooling twins.

Shapes follow the REST API Developer Guide:
query https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm,
sObject rows https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm,
collections https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.http import bulk, composite, conditional
from leastforce.emulator.http import columns as rest_columns
from leastforce.emulator.http.by_key import by_key
from leastforce.emulator.http.wire import NOT_FOUND, Request, Response, json_response, no_content, rest_error
from leastforce.emulator.store.org_store import Caller, QueryPage
from leastforce.emulator.store.query import flat

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_URL_VERSION = re.compile(r"/services/data/v[^/]+/")


def dispatch(ctx: EmulatorContext, request: Request, version: str, resource: str, user_id: str) -> Response:
    """Route one versioned call (`resource` is the path after /services/data/vNN.0/)."""
    caller = Caller(user_id=user_id)
    parts = resource.split("/") if resource else []
    tooling = bool(parts) and parts[0] == "tooling"
    if tooling:
        parts = parts[1:]
    call = _Call(ctx, request, version, caller, tooling)
    if not parts:
        return _only(request, "GET") or json_response(200, call.directory())
    head, rest = parts[0], parts[1:]
    if head in ("query", "queryAll"):
        return _only(request, "GET") or call.query(rest, include_deleted=head == "queryAll")
    if head == "sobjects":
        return call.sobjects(rest)
    if head == "composite" and rest == ["sobjects"]:
        return call.collection()
    if head == "composite" and rest in ([], ["batch"]):
        return _only(request, "POST") or composite.handle(ctx, request, version, caller, rest, dispatch)
    if head == "limits" and not rest and not tooling:
        return _only(request, "GET") or json_response(200, _limits(ctx))
    if head == "limits" and rest == ["recordCount"] and not tooling:
        return _only(request, "GET") or json_response(200, _record_counts(ctx, request))
    if head == "jobs" and rest[:1] == ["query"] and not tooling:
        return bulk.handle(ctx, request, version, rest[1:], caller)
    return rest_error(404, "NOT_FOUND", NOT_FOUND)


def _limits(ctx: EmulatorContext) -> dict[str, Any]:
    """The store's limits, with the Bulk API 2.0 query jobs created since the server started."""
    limits = ctx.store.limits()
    jobs = ctx.bulk_jobs
    limits["DailyBulkV2QueryJobs"] = {
        "Max": jobs.daily_max,
        "Remaining": max(0, jobs.daily_max - jobs.created),
    }
    return limits


def _record_counts(ctx: EmulatorContext, request: Request) -> dict[str, Any]:
    """`/limits/recordCount?sObjects=A,B`: `{"sObjects": [{"count": N, "name": "A"}, ...]}`, exact here
    (Salesforce's counts are approximate, refreshed periodically).
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_record_count.htm"""
    given = request.param("sObjects")
    names = [n.strip() for n in given.split(",") if n.strip()] if given else None
    return {"sObjects": ctx.store.record_counts(names)}


def _only(request: Request, *methods: str) -> Response | None:
    """405 with Salesforce's wording when the method is not one of `methods` (HEAD rides on GET)."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    allowed = ",".join(sorted({*methods, "HEAD"} if "GET" in methods else set(methods)))
    return rest_error(
        405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed. Allowed are {allowed}"
    )


class _Call:
    """One resource call: the context, the request, the API version and the caller."""

    def __init__(
        self, ctx: EmulatorContext, request: Request, version: str, caller: Caller, tooling: bool
    ) -> None:
        self.ctx, self.request, self.version, self.caller, self.tooling = (
            ctx,
            request,
            version,
            caller,
            tooling,
        )
        self.base = f"/services/data/v{version}/" + ("tooling/" if tooling else "")

    def directory(self) -> dict[str, str]:
        names = ["sobjects", "query", "queryAll"] + (
            [] if self.tooling else ["limits", "composite", "tooling"]
        )
        return {name: self.base + name for name in names}

    # --- query -----------------------------------------------------------------------------------------
    def query(self, rest: list[str], *, include_deleted: bool) -> Response:
        store = self.ctx.store
        if rest:  # query/<locator>: the next page (queryMore)
            locator = rest[0].split("?")[0]
            return json_response(200, self._page(store.query_more(locator, caller=self.caller)))
        soql = self.request.param("q")
        if soql and self.request.param("columns") == "true":  # sf data query asks for column metadata
            return json_response(200, rest_columns.column_metadata(store, soql, tooling=self.tooling))
        if not soql:
            return rest_error(
                400, "MALFORMED_QUERY", "A query string has to be specified"
            )  # UNVERIFIED wording
        # queryAll equals query here: the emulator keeps no recycle bin (deleted rows are gone).
        page = store.query(
            soql,
            caller=self.caller,
            tooling=self.tooling,
            batch_size=self._batch_size(),
            api_path=f"/services/data/v{self.version}",  # records' URLs on this call's version
        )
        return json_response(200, self._page(page))

    def _batch_size(self) -> int:
        """`Sforce-Query-Options: batchSize=N`, 200..2000; Salesforce may return more per page than asked,
        never fewer than 200. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm"""
        match = _BATCH.search(self.request.headers.get("sforce-query-options", ""))
        if match is None:
            return 2000
        return max(200, min(2000, int(match.group(1))))

    def _page(self, page: QueryPage) -> dict[str, Any]:
        body: dict[str, Any] = {"totalSize": page.total_size, "done": page.done}
        if page.locator:
            body["nextRecordsUrl"] = f"{self.base}query/{page.locator}"
        body["records"] = [self._versioned_record(r) for r in page.records]
        if (
            self.tooling
        ):  # the Tooling QueryResult adds these (corpus/rest/mogox__permissionset_tooling_query.json)
            records = body["records"]
            body["size"] = len(records)
            body["queryLocator"] = page.locator
            body["entityTypeName"] = (
                records[0]["attributes"]["type"] if records and "attributes" in records[0] else None
            )
        return body

    def _versioned_record(self, record: Any) -> Any:
        """A query record on this call's version: a flat one whose URL already is (the store rendered it
        for this call) is kept as it is; a page of 2,000 permission sets holds a million values."""
        attributes = record.get("attributes") if isinstance(record, dict) else None
        url = attributes.get("url") if isinstance(attributes, dict) else None
        if isinstance(url, str) and url.startswith(self.base) and flat(record):
            return record
        return self._versioned(record)

    def _versioned(self, value: Any) -> Any:
        """Record `attributes.url`s and describe `urls` carry the version and API (data or tooling) of
        this call."""
        if isinstance(value, dict):
            out = {k: self._versioned(v) for k, v in value.items()}
            attrs = out.get("attributes")
            if isinstance(attrs, dict) and isinstance(attrs.get("url"), str):
                attrs["url"] = self._url(attrs["url"])
            more = out.get("nextRecordsUrl")
            if isinstance(more, str):  # a child result's next page, on this call's version and API
                out["nextRecordsUrl"] = f"{self.base}query/{more.rsplit('/', 1)[-1]}"
            urls = out.get("urls")
            if isinstance(urls, dict):
                out["urls"] = {k: self._url(v) if isinstance(v, str) else v for k, v in urls.items()}
            return out
        if isinstance(value, list):
            return [self._versioned(v) for v in value]
        return value

    def _url(self, url: str) -> str:
        tail = _URL_VERSION.sub("", url, count=1).removeprefix("tooling/")
        if tail.startswith("sobjects/"):
            return self.base + tail
        return url

    # --- sobjects ----------------------------------------------------------------------------------------
    def sobjects(self, rest: list[str]) -> Response:
        store, method = self.ctx.store, self.request.method
        if not rest:
            return _only(self.request, "GET") or json_response(200, store.describe_global(**self._tool()))
        sobject = rest[0]
        if len(rest) == 1:
            return self._sobject_root(sobject)
        if len(rest) == 2 and rest[1] == "describe":
            return _only(self.request, "GET") or json_response(
                200, self._versioned(store.describe(sobject, **self._tool()))
            )
        if len(rest) == 2:
            record_id = rest[1]
            if method in ("GET", "HEAD"):
                fields = self.request.param("fields")
                names = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
                since = conditional.header_date(self.request, "If-Modified-Since")
                record = store.get(sobject, record_id, names, caller=self.caller)
                stamp = store.last_modified(sobject, record_id, caller=self.caller) if since else None
                if since and stamp and not conditional.modified_after(stamp, since):
                    return Response(304, b"", content_type="")
                return json_response(200, self._versioned(record))
            if method == "PATCH":
                unmodified = conditional.header_date(self.request, "If-Unmodified-Since")
                store.update(
                    sobject, record_id, self._body_object(), caller=self.caller, unmodified_since=unmodified
                )
                return no_content()
            if method == "DELETE":
                store.delete(sobject, record_id, caller=self.caller)
                return no_content()
            return _only(self.request, "GET", "PATCH", "DELETE") or rest_error(404, "NOT_FOUND", NOT_FOUND)
        if len(rest) == 3 and sobject == "EventLogFile" and rest[2] == "LogFile" and not self.tooling:
            # sObject Blob Retrieve: the CSV itself, "Content-Type: application/octetstream" (sic)
            # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/dome_event_log_file_blob.htm
            body = store.event_log_body(rest[1], caller=self.caller)
            return _only(self.request, "GET") or Response(200, body, "application/octetstream")
        if len(rest) == 3 and not self.tooling:
            where = (sobject, rest[1], rest[2])
            return by_key(store, method, self.version, self.caller, where, self._body_object)
        return rest_error(404, "NOT_FOUND", NOT_FOUND)

    def _tool(self) -> dict[str, bool]:
        return {"tooling": True} if self.tooling else {}

    def _sobject_root(self, sobject: str) -> Response:
        store = self.ctx.store
        if self.request.method == "POST":
            new_id = store.create(sobject, self._body_object(), caller=self.caller)
            return json_response(201, {"id": new_id, "success": True, "errors": []})
        refused = _only(self.request, "GET", "POST")
        if refused:
            return refused
        described = store.describe(sobject, **self._tool())
        keys = (
            "name",
            "label",
            "labelPlural",
            "keyPrefix",
            "custom",
            "queryable",
            "createable",
            "updateable",
            "deletable",
            "urls",
        )
        summary = {k: described[k] for k in keys if k in described}
        return json_response(200, self._versioned({"objectDescribe": summary, "recentItems": []}))

    def _json_body(self) -> Any:
        """The request body as JSON; JSON_PARSER_ERROR when it is not."""
        try:
            return self.request.json()
        except ValueError as exc:
            raise ApiError(
                400, "JSON_PARSER_ERROR", f"Unexpected end of input or invalid JSON: {exc}"
            ) from exc

    def _body_object(self) -> dict[str, Any]:
        body = self._json_body()
        if not isinstance(body, dict):
            raise ApiError(
                400, "JSON_PARSER_ERROR", "Cannot deserialize instance of SObject from a non-object"
            )
        body.pop("attributes", None)
        return body

    # --- composite/sobjects -----------------------------------------------------------------------------
    def collection(self) -> Response:
        method, store = self.request.method, self.ctx.store
        if method == "DELETE":
            ids = [i for i in (self.request.param("ids") or "").split(",") if i]
            if not ids:  # UNVERIFIED wording beyond issue 15's report of a real org's answer
                return rest_error(400, "REQUIRED_FIELD_MISSING", "At least 1 Id is required.")
            all_or_none = (self.request.param("allOrNone") or "false").lower() == "true"
            return json_response(
                200, store.collection("delete", ids, all_or_none=all_or_none, caller=self.caller)
            )
        if method not in ("POST", "PATCH"):
            return _only(self.request, "POST", "PATCH", "DELETE") or rest_error(404, "NOT_FOUND", NOT_FOUND)
        body = self._json_body()
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise ApiError(
                400, "INVALID_FIELD", "Required field records is missing", ("records",)
            )  # UNVERIFIED
        if len(records) > 200:
            raise ApiError(
                400,
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
                (),
            )  # UNVERIFIED wording
        op = "create" if method == "POST" else "update"
        results = store.collection(op, records, all_or_none=bool(body.get("allOrNone")), caller=self.caller)
        return json_response(200, results)
