"""SOAP API ``login()`` at /services/Soap/u/<version> (and /c/): username + password (+ security token).
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_login.htm

The local org is a Summer '26 org created with login() enabled by its admin, so it enforces the new gate:
the user needs "Use Any API Auth" (UseAnyApiAuth, API name UNVERIFIED) or login() is refused; login() is
not available from API 65.0 and retires in Summer '27 (KB 005132110,
https://help.salesforce.com/s/articleView?id=005132110&type=1). Fault codes and strings other than
INVALID_LOGIN are UNVERIFIED: no source shows Salesforce's exact fault for the two refusals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from lxml import etree

from leastforce.emulator.http.wire import OAuthFailure, Request, Response
from leastforce.emulator.oauth import policy

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

USE_ANY_API_AUTH = "UseAnyApiAuth"
_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
_INVALID_LOGIN = "Invalid username, password, security token; or user locked out."


def _how(parts: list[str]) -> dict[str, str]:
    """How a login() shows in LoginHistory: LoginType "Other Apex API" as third-party login-history
    guides describe SOAP API logins (UNVERIFIED: LoginType values are not in our stored Salesforce docs),
    ApiType the WSDL of the endpoint (/u/ partner, /c/ enterprise; the object reference's example value is
    "Soap Enterprise"), no browser."""
    wsdl = "SOAP Enterprise" if len(parts) > 2 and parts[2] == "c" else "SOAP Partner"
    return {"login_type": "Other Apex API", "api_type": wsdl, "browser": "Unknown"}


def handle(ctx: EmulatorContext, request: Request) -> Response:
    """Answer a login() call; every other SOAP call is a fault (the local org speaks REST)."""
    parts = request.path.strip("/").split("/")  # services/Soap/u/<version>[/<org id>]
    version = parts[3] if len(parts) > 3 else ""
    try:
        body = etree.fromstring(request.body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return _fault("soapenv:Client", "Element type is not well-formed")  # UNVERIFIED wording
    username = body.findtext(".//{*}login/{*}username") or ""
    password = body.findtext(".//{*}login/{*}password") or ""
    if body.find(".//{*}login") is None:
        return _fault("sf:INVALID_OPERATION", "INVALID_OPERATION: only login() is available here")
    if _number(version) >= 65.0:
        return _fault(
            "sf:INVALID_OPERATION", "INVALID_OPERATION: login() is not available in API 65.0 and later"
        )
    user = ctx.store.find_user(username)
    if user is None or not ctx.store.check_password(str(user["Id"]), password):
        return _fault("sf:INVALID_LOGIN", f"INVALID_LOGIN: {_INVALID_LOGIN}")
    if user.get("IsFrozen") or not user.get("IsActive", True):
        return _fault("sf:INVALID_LOGIN", f"INVALID_LOGIN: {_INVALID_LOGIN}")
    if USE_ANY_API_AUTH not in ctx.store.effective_permissions(str(user["Id"])):
        ctx.store.record_login(
            str(user["Id"]), "Failed: API security token required", "SOAP login", **_how(parts)
        )
        return _fault(
            "sf:INSUFFICIENT_ACCESS",
            "INSUFFICIENT_ACCESS: login() requires the Use Any API Auth user permission",
        )
    try:
        policy.admit_address(ctx, user, request.client_ip, "SOAP login")
    except OAuthFailure:
        return _fault("sf:INVALID_LOGIN", f"INVALID_LOGIN: {_INVALID_LOGIN}")
    session = ctx.store.create_session(str(user["Id"]), app=None)
    ctx.store.record_login(str(user["Id"]), "Success", "SOAP login", **_how(parts))
    server = f"{ctx.instance_url}/services/Soap/u/{version}/{ctx.store.org_id[:15]}"
    return _envelope(
        "<loginResponse><result>"
        f"<metadataServerUrl>{escape(server.replace('/u/', '/m/'))}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{escape(server)}</serverUrl><sessionId>{escape(session)}</sessionId>"
        f"<userId>{escape(str(user['Id']))}</userId>"
        "</result></loginResponse>",
        200,
    )


def _number(version: str) -> float:
    try:
        return float(version)
    except ValueError:
        return 0.0


def _fault(code: str, message: str) -> Response:
    return _envelope(
        f"<soapenv:Fault><faultcode>{escape(code)}</faultcode><faultstring>{escape(message)}</faultstring>"
        "</soapenv:Fault>",
        500,
    )


def _envelope(body: str, status: int) -> Response:
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENV}" xmlns="urn:partner.soap.sforce.com" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
    return Response(status, text.encode(), content_type="text/xml;charset=UTF-8")
