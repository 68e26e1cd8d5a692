"""Composite (`/composite`) and Composite Batch (`/composite/batch`): several REST calls in one, each
dispatched to the same router as a call of its own.

Composite: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
(request https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite.htm,
result https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_subrequest_result.htm,
allOrNone https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_allornone.htm).
Batch: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from leastforce.emulator.errors import ApiError
from leastforce.emulator.http.composite_refs import Unresolved, resolve
from leastforce.emulator.http.wire import Request, Response, json_response
from leastforce.emulator.store.txn import Caller

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

Route = Callable[["EmulatorContext", Request, str, str, str], Response]

MAX_SUBREQUESTS = 25  # "up to 25 subrequests in a single request" (both resources)
_METHODS = ("POST", "PUT", "PATCH", "GET", "DELETE")  # "(case sensitive)"
_INHERITED = ("accept", "authorization", "content-type")  # a subrequest may not set these: top-level 400
_VERSIONED = re.compile(r"^/services/data/v(\d+\.0)/(.*)$")
HALTED = "The transaction was rolled back since another operation in the same transaction failed."
BATCH_HALTED = "Batch processing halted per request"  # UNVERIFIED wording; code and 412 from the batch doc


def handle(
    ctx: EmulatorContext, request: Request, version: str, caller: Caller, rest: list[str], route: Route
) -> Response:
    """POST /composite or /composite/batch."""
    try:
        body = request.json()
    except ValueError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected end of input or invalid JSON: {exc}") from exc
    key = "batchRequests" if rest == ["batch"] else "compositeRequest"
    subs = body.get(key) if isinstance(body, dict) else None
    _check(subs, key, batch=key == "batchRequests")
    assert isinstance(body, dict) and isinstance(subs, list)
    run = _Runner(ctx, request, caller, route, version)
    if key == "batchRequests":
        return json_response(200, run.batch(subs, halt=bool(body.get("haltOnError"))))
    # collateSubrequests only lets Salesforce reorder independent subrequests: in order is one valid order.
    if body.get("allOrNone"):
        results = ctx.store.all_or_none(lambda: run.composite(subs, all_or_none=True))
    else:
        results, _ = run.composite(subs, all_or_none=False)
    return json_response(200, {"compositeResponse": results})


def _check(subs: Any, key: str, *, batch: bool) -> None:
    """The whole request's errors (400, nothing run). Codes and wording UNVERIFIED; the rules documented."""
    if not isinstance(subs, list) or not subs:
        raise ApiError(400, "INVALID_INPUT", f"Required field {key} is missing or empty")
    if len(subs) > MAX_SUBREQUESTS:
        raise ApiError(
            400, "LIMIT_EXCEEDED", f"Maximum number of subrequests exceeded: {len(subs)} > {MAX_SUBREQUESTS}"
        )
    need = ("method", "url") if batch else ("method", "url", "referenceId")
    seen: set[str] = set()
    for sub in subs:
        if not isinstance(sub, dict) or any(not isinstance(sub.get(k), str) for k in need):
            raise ApiError(400, "INVALID_INPUT", f"Each of {key} needs {', '.join(need)}")
        if sub["method"] not in _METHODS:
            raise ApiError(400, "INVALID_INPUT", f"Invalid HTTP method: {sub['method']}")
        headers = sub.get("httpHeaders") or {}
        if any(str(h).lower() in _INHERITED for h in headers):
            raise ApiError(400, "INVALID_INPUT", "Accept, Authorization and Content-Type are inherited")
        ref = sub.get("referenceId")
        if not batch and ref in seen:
            raise ApiError(400, "INVALID_INPUT", f"Duplicate referenceId: {ref}")
        seen.add(str(ref))


class _Runner:
    """Runs subrequests as the caller through ``route``."""

    def __init__(
        self, ctx: EmulatorContext, request: Request, caller: Caller, route: Route, version: str
    ) -> None:
        self.ctx, self.request, self.caller, self.route, self.version = ctx, request, caller, route, version

    def composite(self, subs: list[dict[str, Any]], *, all_or_none: bool) -> tuple[list[Any], bool]:
        """Each subrequest's result; with ``all_or_none`` the first failure stops the run, keeps its own
        result and answers PROCESSING_HALTED for every other subrequest (all rolled back)."""
        results: list[dict[str, Any]] = []
        bodies: dict[str, Any] = {}  # referenceId -> body of a subrequest that succeeded
        for sub in subs:
            ref = sub["referenceId"]
            headers: dict[str, str] = {}
            try:
                url, body = resolve(sub["url"], bodies), resolve(sub.get("body"), bodies)
            except Unresolved as exc:
                # A subrequest that depends on a failed or unknown one is not run (requests_composite.htm)
                message = f"Invalid reference specified. No value for {exc.expression} found in {exc.name}."
                status, payload = 400, [{"errorCode": "PROCESSING_HALTED", "message": message}]
            else:
                if all_or_none:
                    url, body = _collection_all_or_none(sub["method"], url, body)
                status, headers, payload = self.one(sub["method"], url, body, sub.get("httpHeaders"))
            results.append(_result(ref, status, headers, payload))
            if _succeeded(status, payload):
                bodies[ref] = payload
            elif all_or_none:
                halted = [_result(s["referenceId"], 400, {}, [_halted()]) for s in subs]
                halted[len(results) - 1] = results[-1]
                return halted, False
        return results, True

    def batch(self, subs: list[dict[str, Any]], *, halt: bool) -> dict[str, Any]:
        """`{"hasErrors", "results": [{"statusCode", "result"}]}`; each subrequest counts against the
        daily limit and commits on its own; with haltOnError the rest are 412 after a failure."""
        results: list[dict[str, Any]] = []
        failed = False
        for sub in subs:
            if failed and halt:
                results.append(
                    {
                        "statusCode": 412,
                        "result": [{"errorCode": "BATCH_PROCESSING_HALTED", "message": BATCH_HALTED}],
                    }
                )
                continue
            self.ctx.store.count_request()
            url = sub["url"] if sub["url"].startswith("/") else "/services/data/" + sub["url"]
            status, _, payload = self.one(sub["method"], url, sub.get("richInput"), None)
            failed = failed or status >= 400
            results.append({"statusCode": status, "result": payload})
        return {"hasErrors": failed, "results": results}

    def one(
        self, method: str, url: str, body: Any, headers: dict[str, str] | None
    ) -> tuple[int, dict[str, str], Any]:
        """Run one subrequest through the router: its status, headers and JSON body."""
        parts = urlsplit(url)
        match = _VERSIONED.match(parts.path)
        if match is None or not _allowed(match.group(2)):
            error = {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
            return 404, {}, [error]
        extra = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        sub = Request(
            method,
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            {**self.request.headers, **extra},
            b"" if body is None else json.dumps(body).encode("utf-8"),
            self.request.client_ip,
        )
        try:
            response = self.route(
                self.ctx, sub, match.group(1), match.group(2).strip("/"), self.caller.user_id
            )
        except ApiError as exc:
            return exc.status, {}, exc.to_rest()
        payload = _decoded(response)
        out_headers = {}
        if response.status == 201 and isinstance(payload, dict) and "id" in payload:
            out_headers["Location"] = f"{parts.path.rstrip('/')}/{payload['id']}"
        return response.status, out_headers, payload


def _allowed(resource: str) -> bool:
    """Not another composite (or a Bulk job) inside a composite: sObject Collections only (UNVERIFIED
    answer: 404 here)."""
    head = resource.split("/")[0]
    return head not in ("composite", "jobs") or resource.startswith("composite/sobjects")


def _collection_all_or_none(method: str, url: str, body: Any) -> tuple[str, Any]:
    """The Composite request's allOrNone true "overrides the value of allOrNone" of sObject Collections
    subrequests (resources_composite_allornone.htm)."""
    if "/composite/sobjects" not in url:
        return url, body
    if method == "DELETE":
        return url + ("&" if "?" in url else "?") + "allOrNone=true", body
    if isinstance(body, dict):
        return url, {**body, "allOrNone": True}
    return url, body


def _decoded(response: Response) -> Any:
    if not response.body:
        return None
    if response.content_type.startswith("application/json"):
        return json.loads(response.body)
    return response.body.decode("utf-8", "replace")


def _succeeded(status: int, payload: Any) -> bool:
    """A 2xx whose body, when it is a list of SaveResults, has no failed record (an sObject Collections
    subrequest answers 200 with failures: resources_composite_allornone.htm case 4)."""
    if status >= 400:
        return False
    if isinstance(payload, list):
        return not any(isinstance(r, dict) and r.get("success") is False for r in payload)
    return True


def _halted() -> dict[str, str]:
    return {"errorCode": "PROCESSING_HALTED", "message": HALTED}


def _result(ref: str, status: int, headers: dict[str, str], payload: Any) -> dict[str, Any]:
    return {"body": payload, "httpHeaders": headers, "httpStatusCode": status, "referenceId": ref}
