"""The emulator's own control endpoints under /_emulator (not Salesforce; documented in docs/emulator.md).

- GET  /_emulator/stats   API calls counted by the store, fault counters, calls per area, recent paths.
- GET  /_emulator/faults  the current fault plan.
- POST /_emulator/faults  replace the plan (JSON FaultPlan fields); the sequence restarts from the seed.
- DELETE /_emulator/faults  no faults.
- GET  /_emulator/packages  the installed managed packages.
- POST /_emulator/sessions  `{"username": U, "app": optional connected app name}` -> `{"accessToken",
  "instanceUrl", "userId"}`: a session of that user, so a test can act as an integration user.
- POST /_emulator/eventlogs  close the current period: write the log files (EventLogFile rows) of every
  call not yet in one at once, so a test need not wait for the hour to end; returns the files written.
- POST /_emulator/packages  install packages: a JSON list (or one object) of {name, namespace,
  min_version: [major, minor, patch], objects: [{name, fields}], permission_sets: [{name, label}],
  apex_classes, custom_permissions ...} (values.packages.PackageSpec's fields).

- POST /_emulator/apps  break or mend an OAuth app: {name, blocked?, installed?, kind?: connected_app |
  external_client_app, admin_approved?: its Permitted Users is "Admin approved users are pre-authorized"}
  (store/app_policy.py); answers the app's policy.
- POST /_emulator/high_risk_ips  {ips: [...]}: token requests from these addresses freeze the user and
  revoke its tokens, as Salesforce does for anonymizing VPNs and high-risk IPs since April 2026.

Authorised by `Authorization: Bearer <control key>` or by a live session of the org's admin user.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING

from leastforce.emulator.faults import FaultPlan
from leastforce.emulator.http.wire import NOT_FOUND, Request, Response, json_response, rest_error
from leastforce.emulator.store import app_policy, packages

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext


def handle(ctx: EmulatorContext, request: Request) -> Response:
    """Answer one /_emulator call."""
    if not _authorised(ctx, request):
        return rest_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
    name = request.path.removeprefix("/_emulator/").strip("/")
    if name == "stats" and request.method == "GET":
        return json_response(200, stats(ctx))
    if name == "faults":
        return _faults(ctx, request)
    if name == "packages":
        return _packages(ctx, request)
    if name == "sessions":
        return _only_post(request) or _session(ctx, request)
    if name == "eventlogs":
        return _only_post(request) or _eventlogs(ctx)
    if name in ("apps", "high_risk_ips") and request.method == "POST":
        try:
            return json_response(
                200, _apps(ctx, request.json()) if name == "apps" else _risky(ctx, request.json())
            )
        except (ValueError, TypeError, KeyError) as exc:
            return rest_error(400, "INVALID_INPUT", str(exc))
    return rest_error(404, "NOT_FOUND", NOT_FOUND)


def _authorised(ctx: EmulatorContext, request: Request) -> bool:
    token = request.bearer_token()
    if token is None:
        return False
    if hmac.compare_digest(token, ctx.control_key):
        return True
    return ctx.store.session_user(token) == ctx.store.admin_user_id


def _faults(ctx: EmulatorContext, request: Request) -> Response:
    if request.method == "GET":
        return json_response(200, ctx.faults.plan.to_dict())
    if request.method == "DELETE":
        ctx.faults.set_plan(None)
        return json_response(200, ctx.faults.plan.to_dict())
    if request.method in ("POST", "PUT"):
        try:
            plan = FaultPlan.from_mapping(request.json())
        except (ValueError, TypeError) as exc:
            return rest_error(400, "INVALID_FAULT_PLAN", str(exc))
        ctx.faults.set_plan(plan)
        return json_response(200, plan.to_dict())
    return rest_error(
        405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed. Allowed are GET,POST,DELETE"
    )


def _packages(ctx: EmulatorContext, request: Request) -> Response:
    if request.method in ("POST", "PUT"):
        try:
            body = request.json()
            specs = tuple(
                packages.from_mapping(item) for item in (body if isinstance(body, list) else [body])
            )
        except ValueError as exc:
            return rest_error(400, "INVALID_PACKAGE", str(exc))
        ctx.store.install_packages(specs)
    elif request.method != "GET":
        return rest_error(
            405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed. Allowed are GET,POST"
        )
    return json_response(200, json.loads(packages.dump(ctx.store.installed_packages())))


def _apps(ctx: EmulatorContext, body: dict[str, object]) -> dict[str, object]:
    name = str(body["name"])
    with ctx.store.system() as txn:
        app_id = app_policy.app_id_by_name(txn, name)
        if app_id is None:
            raise ValueError(f"no connected app named {name!r}")
        if "installed" in body:
            app_policy.set_installed(txn, app_id, bool(body["installed"]))
        if "admin_approved" in body:
            app_policy.set_admin_approved(txn, app_id, bool(body["admin_approved"]))
        kind = body.get("kind")
        blocked = body.get("blocked")
        app_policy.set_policy(
            txn,
            app_id,
            blocked=None if blocked is None else bool(blocked),
            kind=None if kind is None else str(kind),
        )
        return {"name": name, **app_policy.policy(txn, app_id)}


def _risky(ctx: EmulatorContext, body: dict[str, object]) -> dict[str, object]:
    ips = body["ips"]
    if not isinstance(ips, list):
        raise ValueError("ips must be a list of addresses")
    with ctx.store.system() as txn:
        app_policy.set_high_risk_ips(txn, [str(ip) for ip in ips])
        return {"ips": sorted(app_policy.high_risk_ips(txn))}


def stats(ctx: EmulatorContext) -> dict[str, object]:
    """Counters for tests and operators: API usage as the store counts it, faults, calls per area."""
    with ctx.lock:
        calls = dict(sorted(ctx.calls.items()))
        recent = list(ctx.log)[-50:]
    return {
        "api_requests": {"used": ctx.store.requests_used, "max": ctx.store.requests_max},
        "faults": ctx.faults.stats(),
        "calls": calls,
        "recent": recent,
    }


def _only_post(request: Request) -> Response | None:
    if request.method == "POST":
        return None
    return rest_error(
        405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed. Allowed are POST"
    )


def _session(ctx: EmulatorContext, request: Request) -> Response:
    try:
        body = request.json()
        username = body["username"]
        app = body.get("app")
    except (ValueError, TypeError, KeyError, AttributeError):
        return rest_error(
            400, "INVALID_SESSION_REQUEST", 'expected {"username": "...", "app": optional name}'
        )
    user = ctx.store.find_user(str(username))
    if user is None or not user["IsActive"]:
        return rest_error(404, "NOT_FOUND", f"no active user {username!r}")
    token = ctx.store.create_session(user["Id"], app=str(app) if app else None)
    return json_response(200, {"accessToken": token, "instanceUrl": ctx.instance_url, "userId": user["Id"]})


def _eventlogs(ctx: EmulatorContext) -> Response:
    files = ctx.store.write_event_logs()
    return json_response(
        200,
        {
            "written": [
                {
                    "id": f.id,
                    "eventType": f.event_type,
                    "interval": f.interval,
                    "logDate": f.log_date,
                    "rows": f.rows,
                }
                for f in files
            ]
        },
    )
