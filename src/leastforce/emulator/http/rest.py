"""REST API under /services/data: the gate every call passes (faults, session, API Enabled, daily limit,
`Sforce-Limit-Info`) and the dispatch to resources (rest_resources.py).

Order of checks, as seen from a client: a dropped connection or 5xx comes first (network/pod trouble),
then the session (401 INVALID_SESSION_ID), then API access (403), then the daily request limit (403
REQUEST_LIMIT_EXCEEDED), then the resource itself.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from leastforce.emulator.errors import ApiError
from leastforce.emulator.faults import FaultKind
from leastforce.emulator.http import resources as rest_resources
from leastforce.emulator.http.wire import (
    NOT_FOUND,
    SESSION_INVALID,
    Request,
    Response,
    json_response,
    rest_error,
)

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

# API versions the emulator answers: 31.0 (Winter '15) .. 67.0 (Summer '26), the release whose
# permissions (CanApproveUninstalledApps ...) the emulated org has.
MIN_VERSION = 31
MAX_VERSION = 67
_VERSIONED = re.compile(r"^/services/data/v(\d+)\.0(?:/(.*))?$")
_SEASONS = ("Winter", "Spring", "Summer")
_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_AFTER_COMMIT = -1  # the status of the marker Response for FaultKind.LOSE_ANSWER (never sent)


def release_label(major: int) -> str:
    """v20.0 was Winter '11; three releases a year since (v62.0 = Winter '25, v64.0 = Summer '25)."""
    k = major - 20
    return f"{_SEASONS[k % 3]} '{11 + k // 3:02d}"


def versions() -> list[dict[str, str]]:
    """GET /services/data: every version, oldest first, as `[{"label","url","version"}]`.
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_versions.htm"""
    return [
        {"label": release_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
        for v in range(MIN_VERSION, MAX_VERSION + 1)
    ]


def handle(ctx: EmulatorContext, request: Request) -> Response:
    """Answer one /services/data call."""
    if request.path.rstrip("/") == "/services/data":
        return json_response(200, versions())  # public: no session needed
    match = _VERSIONED.match(request.path)
    if match is None or not MIN_VERSION <= int(match.group(1)) <= MAX_VERSION:
        return rest_error(404, "NOT_FOUND", NOT_FOUND)
    version = f"{match.group(1)}.0"
    resource = (match.group(2) or "").strip("/")
    response = _gated(ctx, request, version, resource)
    return response.with_headers(("Sforce-Limit-Info", _usage(ctx)))


def _usage(ctx: EmulatorContext) -> str:
    """`Sforce-Limit-Info: api-usage=N/M`, read by simple-salesforce into `sf.api_usage`.
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm"""
    return f"api-usage={ctx.store.requests_used}/{ctx.store.requests_max}"


def _gated(ctx: EmulatorContext, request: Request, version: str, resource: str) -> Response:
    fault = _fault(ctx, request)
    if fault is not None and fault.status == _AFTER_COMMIT:
        _answered(ctx, request, version, resource)  # the write is done and committed ...
        return Response(0, drop=True)  # ... and its answer never reaches the client
    if fault is not None:
        return fault
    return _answered(ctx, request, version, resource)


def _answered(ctx: EmulatorContext, request: Request, version: str, resource: str) -> Response:
    user_id = ctx.store.session_user(request.bearer_token() or "")
    if user_id is None:
        return rest_error(401, "INVALID_SESSION_ID", SESSION_INVALID)
    try:
        if "ApiEnabled" not in ctx.store.effective_permissions(user_id):
            # The user lacks API Enabled. REST answers with the org-level code and message, as REST
            # integrators document for a user without API Enabled:
            # https://docs.sequin.io/integrations/salesforce/playbooks/enable-salesforce-api,
            # https://github.com/restforce/restforce/issues/219 (SOAP says API_CURRENTLY_DISABLED instead).
            return rest_error(
                403, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization."
            )
        ctx.store.count_request()
        return rest_resources.dispatch(ctx, request, version, resource, user_id)
    except ApiError as exc:
        return json_response(exc.status, exc.to_rest())


def _fault(ctx: EmulatorContext, request: Request) -> Response | None:
    decision = ctx.faults.decide(is_write=request.method in _WRITES)
    if decision.latency_ms:
        time.sleep(decision.latency_ms / 1000)
    kind = decision.kind
    if kind is FaultKind.NONE:
        return None
    if kind is FaultKind.DROP:
        return Response(0, drop=True)
    if kind is FaultKind.LOSE_ANSWER:
        return Response(_AFTER_COMMIT, drop=True)
    if kind is FaultKind.ERROR_500 or kind is FaultKind.FAIL_WRITE:
        # UNKNOWN_EXCEPTION is Salesforce's code for an internal error; the ErrorId is random there.
        return rest_error(
            500,
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId "
            "if you contact support: 0000000000-00000 (-0000000000)",
        )
    if kind is FaultKind.ERROR_503:
        return rest_error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable")  # UNVERIFIED wording
    if kind is FaultKind.EXPIRE_SESSION:
        ctx.store.expire_sessions()
        return rest_error(401, "INVALID_SESSION_ID", SESSION_INVALID)
    if kind is FaultKind.RATE_LIMIT:
        return rest_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    raise AssertionError(f"unhandled fault {kind}")
