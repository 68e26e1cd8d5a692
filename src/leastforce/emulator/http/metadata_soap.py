"""The Metadata API's SOAP endpoint, /services/Soap/m/NN.0, as jsforce (and so the Salesforce CLI) calls
it: deploy, checkDeployStatus, cancelDeploy, retrieve, checkRetrieveStatus, checkStatus, listMetadata,
describeMetadata (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_calls_intro.htm).

Checks in the REST order: session (fault sf:INVALID_SESSION_ID "Invalid Session ID found in
SessionHeader: Illegal Session", as quoted in https://github.com/forcedotcom/postman-salesforce-apis/issues/56),
API Enabled (sf:API_CURRENTLY_DISABLED "API is disabled for this User"), the daily limit, then the call.
Metadata calls also need Modify All Data or Modify Metadata Through Metadata API Functions
(https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_metadata_perm.htm).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.http.wire import Request, Response
from leastforce.emulator.metadata import soap
from leastforce.emulator.metadata.deploy import DeployOptions, run_deploy
from leastforce.emulator.metadata.jobs import DEPLOY_PREFIX, RETRIEVE_PREFIX
from leastforce.emulator.metadata.retrieve import describe_metadata, list_metadata, run_retrieve
from leastforce.emulator.metadata.soap import SoapCall, SoapFault
from leastforce.emulator.metadata.xml import children, flag, text
from leastforce.emulator.store.txn import Caller

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

PATH = re.compile(r"^/services/Soap/m/(\d+)\.0/?$")
_METADATA_PERMS = ("ModifyAllData", "ModifyMetadata")


def handle(ctx: EmulatorContext, request: Request) -> Response:
    match = PATH.match(request.path)
    if match is None or request.method != "POST":
        return _fault(
            "UNKNOWN_EXCEPTION", "Destination URL not reset. The URL returned from login must be set"
        )  # UNVERIFIED
    try:
        call = soap.parse_call(request.body)
        user_id = _gate(ctx, call)
        result = _dispatch(ctx, call, user_id, f"{match.group(1)}.0")
    except SoapFault as exc:
        return _fault(exc.code, exc.message)
    except ApiError as exc:
        return _fault(exc.error_code, exc.message)
    return Response(200, soap.response(call.operation, result), soap.CONTENT_TYPE)


def _fault(code: str, message: str) -> Response:
    return Response(500, soap.fault(code, message), soap.CONTENT_TYPE)


def _gate(ctx: EmulatorContext, call: SoapCall) -> str:
    user_id = ctx.store.session_user(call.session_id)
    if user_id is None:
        raise SoapFault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")
    held = ctx.store.effective_permissions(user_id)
    if "ApiEnabled" not in held:
        raise SoapFault("API_CURRENTLY_DISABLED", "API is disabled for this User")
    if not any(p in held for p in _METADATA_PERMS):
        raise SoapFault(
            "INSUFFICIENT_ACCESS", "insufficient access rights on cross-reference id"
        )  # UNVERIFIED
    if ctx.store.count_request() > ctx.store.requests_max:
        raise SoapFault("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    return user_id


def _user(ctx: EmulatorContext, user_id: str) -> dict[str, str]:
    row = ctx.store.get("User", user_id, ["Name"], caller=Caller(user_id, system=True))
    return {"id": user_id, "name": str(row.get("Name") or "")}


def _dispatch(ctx: EmulatorContext, call: SoapCall, user_id: str, version: str) -> Any:
    op = call.operation
    jobs = ctx.metadata_jobs
    if op == "deploy":
        data = _zip(call.arg("ZipFile"))
        options = _deploy_options(call)
        job_id = jobs.new_id(DEPLOY_PREFIX)
        jobs.put(job_id, run_deploy(ctx.store, Caller(user_id), data, options, job_id, _user(ctx, user_id)))
        return {"done": False, "id": job_id, "state": "Queued"}
    if op == "checkDeployStatus":
        result = _job(ctx, call.arg("asyncProcessId"), DEPLOY_PREFIX)
        return (
            result
            if call.arg("includeDetails") == "true"
            else {k: v for k, v in result.items() if k != "details"}
        )
    if op == "cancelDeploy":
        return {"done": True, "id": _job(ctx, call.arg("String") or call.arg("id"), DEPLOY_PREFIX)["id"]}
    if op == "retrieve":
        return _retrieve(ctx, call, user_id, version)
    if op == "checkRetrieveStatus":
        return _job(ctx, call.arg("asyncProcessId"), RETRIEVE_PREFIX)
    if op == "checkStatus":
        job_id = call.arg("asyncProcessId")
        found = jobs.get(job_id, DEPLOY_PREFIX) or jobs.get(job_id, RETRIEVE_PREFIX)
        if found is None:
            raise SoapFault("INVALID_ID_FIELD", f"Invalid id: {job_id}")  # UNVERIFIED
        return {"done": True, "id": job_id, "state": "Completed"}
    if op == "listMetadata":
        types = [text(q, "type") for q in call.args("queries")]
        return ctx.store.read_with(
            Caller(user_id, system=True), lambda txn: list_metadata(txn, types, _user(ctx, user_id))
        )
    if op == "describeMetadata":
        return describe_metadata()
    raise SoapFault("INVALID_OPERATION", f"No operation available for request {op}")  # UNVERIFIED wording


def _job(ctx: EmulatorContext, job_id: str, prefix: str) -> dict[str, Any]:
    found = ctx.metadata_jobs.get(job_id, prefix)
    if found is None:
        raise SoapFault("INVALID_ID_FIELD", f"Invalid id: {job_id}")  # UNVERIFIED wording
    return found


def _zip(encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        raise SoapFault("INVALID_ZIP", "The zip file is not base64") from None  # UNVERIFIED


def _deploy_options(call: SoapCall) -> DeployOptions:
    found = call.args("DeployOptions")
    if not found:
        return DeployOptions()
    el = found[0]
    return DeployOptions(
        check_only=flag(el, "checkOnly"),
        rollback_on_error=text(el, "rollbackOnError").lower() != "false",
        ignore_warnings=flag(el, "ignoreWarnings"),
        test_level=text(el, "testLevel") or "NoTestRun",
    )


def _retrieve(ctx: EmulatorContext, call: SoapCall, user_id: str, version: str) -> dict[str, Any]:
    found = call.args("request") or call.args("retrieveRequest")
    if not found:
        raise SoapFault("INVALID_CROSS_REFERENCE_KEY", "No retrieve request")  # UNVERIFIED
    req = found[0]
    wanted: dict[str, list[str]] = {}
    for unpackaged in children(req, "unpackaged"):
        for types in children(unpackaged, "types"):
            wanted.setdefault(text(types, "name"), []).extend(
                (m.text or "").strip() for m in children(types, "members")
            )
    job_id = ctx.metadata_jobs.new_id(RETRIEVE_PREFIX)
    single = flag(req, "singlePackage")
    api = text(req, "apiVersion") or version
    user = _user(ctx, user_id)
    result = ctx.store.read_with(
        Caller(user_id, system=True),
        lambda txn: run_retrieve(txn, wanted, single=single, version=api, job_id=job_id, user=user),
    )
    ctx.metadata_jobs.put(job_id, result)
    return {"done": False, "id": job_id, "state": "Queued"}
