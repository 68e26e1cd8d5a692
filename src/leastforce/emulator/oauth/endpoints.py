"""OAuth at /services/oauth2: token (password, JWT bearer, client credentials, refresh), userinfo,
revoke, and the identity URL /id/<org>/<user>.

Flows: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flows.htm. Error pairs are the
ones Salesforce returns (sources on each; [3P] = seen in public issue threads, not in Salesforce's text).
The connected-app checks run in Salesforce's order: the client (consumer key/secret), the user (password,
active), the app being installed (Sept 2025 restriction, salesforce-facts.md §7), then pre-authorization.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import TYPE_CHECKING, Any

from leastforce.emulator.http.wire import (
    OAuthFailure,
    Request,
    Response,
    json_response,
    oauth_error,
    rest_error,
)
from leastforce.emulator.oauth import authorize as oauth_authorize
from leastforce.emulator.oauth import device as oauth_device
from leastforce.emulator.oauth import identity as oauth_identity
from leastforce.emulator.oauth import jwt_bearer as oauth_jwt
from leastforce.emulator.oauth import policy as oauth_policy
from leastforce.emulator.oauth.policy import App
from leastforce.emulator.store.org_store import Caller

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


# invalid_client_id / "client identifier invalid": unknown consumer key [3P, jsforce/restforce threads].
def unknown_client() -> OAuthFailure:
    return OAuthFailure("invalid_client_id", "client identifier invalid")


# [3P] https://github.com/restforce/restforce/issues/338
def bad_secret() -> OAuthFailure:
    return OAuthFailure("invalid_client", "invalid client credentials")


# [3P] https://github.com/omniphx/forrest/issues/364
def auth_failure() -> OAuthFailure:
    return OAuthFailure("invalid_grant", "authentication failure")


def handle(ctx: EmulatorContext, request: Request) -> Response:
    """Answer one /services/oauth2 or /id call."""
    name = request.path.removeprefix("/services/oauth2/").strip("/")
    if request.path.startswith("/id/"):
        return _identity(ctx, request)
    if name == "token":
        if request.method != "POST":
            return oauth_error(400, "invalid_request", "must use HTTP POST")  # UNVERIFIED wording
        try:
            return json_response(200, _token(ctx, request.form(), request))
        except OAuthFailure as exc:
            return oauth_error(exc.status, exc.error, exc.description)
    if name == "authorize":
        return oauth_authorize.handle(ctx, request)
    if name == "userinfo":
        return _userinfo(ctx, request)
    if name == "revoke":
        return _revoke(ctx, request)
    return rest_error(404, "NOT_FOUND", "The requested resource does not exist")


def _token(ctx: EmulatorContext, form: dict[str, str], request: Request) -> dict[str, Any]:
    grant = form.get("grant_type", "")
    if grant == "password":
        return _password_grant(ctx, form, request)
    if grant == JWT_GRANT:
        return _jwt_grant(ctx, form, request.client_ip)
    if grant == "client_credentials":
        return _client_credentials_grant(ctx, form, request)
    if grant == "device" or form.get("response_type") == "device_code":
        return oauth_device.token(ctx, form)
    if grant == "refresh_token":
        # No flow the emulator offers issues refresh tokens (JWT and client credentials never do), so any
        # refresh token is unknown. [3P] wording, e.g. https://github.com/forcedotcom/cli/issues
        raise OAuthFailure("invalid_grant", "expired access/refresh token")
    raise OAuthFailure("unsupported_grant_type", "grant type not supported")


def _client(ctx: EmulatorContext, form: dict[str, str], request: Request, *, secret: bool) -> App:
    """The app named by client_id (form or HTTP Basic), its secret checked when `secret`."""
    client_id, client_secret = form.get("client_id", ""), form.get("client_secret")
    basic = request.headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        decoded = base64.b64decode(basic[6:].strip() + "==").decode("utf-8", "replace")
        client_id, _, client_secret = decoded.partition(":")
    raw = ctx.store.connected_app(client_id) if client_id else None
    if raw is None:
        raise unknown_client()
    app = App.from_store(raw)
    if secret and not (
        app.consumer_secret and client_secret and hmac.compare_digest(app.consumer_secret, client_secret)
    ):
        raise bad_secret()
    return app


def _password_grant(ctx: EmulatorContext, form: dict[str, str], request: Request) -> dict[str, Any]:
    """Username-password flow. The password is the user's password with the security token appended
    (the store checks it). https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm"""
    app = _client(ctx, form, request, secret=True)
    user = ctx.store.find_user(form.get("username", ""))
    if user is None:
        raise auth_failure()
    user_id = str(user["Id"])
    if not ctx.store.check_password(user_id, form.get("password", "")):
        ctx.store.record_login(user_id, "Invalid Password", app.name)
        raise auth_failure()
    _user_may_use(
        ctx,
        app,
        user,
        request.client_ip,
        approval=("invalid_app_access", "user is not admin approved to access this app"),
    )
    return _issue(ctx, app, user_id)


def _jwt_grant(ctx: EmulatorContext, form: dict[str, str], client_ip: str) -> dict[str, Any]:
    """JWT bearer flow: RS256 assertion signed by the key whose certificate is on the app; iss = consumer key,
    sub = username, aud = login URL or this instance. Needs prior approval (pre-authorization).
    https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm"""
    claims = oauth_jwt.unverified_claims(form.get("assertion", ""))
    raw = ctx.store.connected_app(str(claims.get("iss", "")))
    if raw is None:
        raise unknown_client()
    app = App.from_store(raw)
    oauth_jwt.verify(form["assertion"], app.certificate, audiences=_audiences(ctx))
    user = ctx.store.find_user(str(claims.get("sub", "")))
    if user is None:
        # Salesforce does not say "no such user" here; an unknown sub looks unapproved [3P].
        raise OAuthFailure("invalid_grant", "user hasn't approved this consumer")
    _user_may_use(
        ctx,
        app,
        user,
        client_ip,
        approval=("invalid_grant", "user hasn't approved this consumer"),
        always=True,
    )
    return _issue(ctx, app, str(user["Id"]))


def _client_credentials_grant(ctx: EmulatorContext, form: dict[str, str], request: Request) -> dict[str, Any]:
    """Client credentials flow: the token is for the app's Run As user.
    https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm"""
    app = _client(ctx, form, request, secret=True)
    if not app.run_as_user_id:
        raise OAuthFailure(
            "invalid_grant", "no client credentials user enabled"
        )  # [3P] salesforce-facts.md §7
    user = _user_by_id(ctx, app.run_as_user_id)
    _user_may_use(
        ctx, app, user, request.client_ip, approval=None
    )  # permitted-users policy does not apply to the Run As user
    return _issue(ctx, app, app.run_as_user_id)


def _user_by_id(ctx: EmulatorContext, user_id: str) -> dict[str, Any]:
    row = ctx.store.get("User", user_id, ["Username"], caller=Caller(ctx.store.admin_user_id, system=True))
    found = ctx.store.find_user(str(row["Username"]))
    assert found is not None
    return found


def _user_may_use(
    ctx: EmulatorContext,
    app: App,
    user: dict[str, Any],
    client_ip: str,
    *,
    approval: tuple[str, str] | None,
    always: bool = False,
) -> None:
    """The policies of oauth/policy.py, then pre-authorization when the policy asks for it (`always`: JWT
    needs prior approval whatever the policy, and the emulator has no consent screen)."""
    user_id = str(user["Id"])
    oauth_policy.admit(ctx, app, user, client_ip)
    if (
        approval
        and (app.admin_approved_only or always)
        and not ctx.store.is_app_preauthorized(app.id, user_id)
    ):
        ctx.store.record_login(user_id, "Failed: Not approved for access", app.name)
        raise OAuthFailure(*approval)
    ctx.store.record_login(user_id, "Success", app.name)


def _audiences(ctx: EmulatorContext) -> frozenset[str]:
    base = ctx.instance_url
    local = base.replace("127.0.0.1", "localhost")
    return frozenset({"https://login.salesforce.com", "https://test.salesforce.com", base, local})


def _issue(ctx: EmulatorContext, app: App, user_id: str) -> dict[str, Any]:
    token = ctx.store.create_session(user_id, app=app.name)
    issued_at = str(int(time.time() * 1000))
    identity = f"{ctx.instance_url}/id/{ctx.store.org_id}/{user_id}"
    key = (app.consumer_secret or app.consumer_key).encode()
    signature = base64.b64encode(
        hmac.new(key, (identity + issued_at).encode(), hashlib.sha256).digest()
    ).decode()
    return {
        "access_token": token,
        "instance_url": ctx.instance_url,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": signature,
        "scope": "api",
    }


def _userinfo(ctx: EmulatorContext, request: Request) -> Response:
    user_id = ctx.store.session_user(request.bearer_token() or "")
    if user_id is None:
        # UNVERIFIED: Salesforce answers 403 with a plain "Bad_OAuth_Token" body.
        return Response(403, b"Bad_OAuth_Token", content_type="text/plain;charset=UTF-8")
    return json_response(200, oauth_identity.userinfo(ctx, user_id))


def _identity(ctx: EmulatorContext, request: Request) -> Response:
    user_id = ctx.store.session_user(request.bearer_token() or "")
    if user_id is None:
        return Response(403, b"Bad_OAuth_Token", content_type="text/plain;charset=UTF-8")
    return json_response(200, oauth_identity.identity(ctx, user_id))


def _revoke(ctx: EmulatorContext, request: Request) -> Response:
    """POST (or GET) token=<access token>: 200 with an empty body; an unknown token is 400.
    https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm"""
    token = request.form().get("token", "")
    if not token or ctx.store.session_user(token) is None:
        return oauth_error(400, "unsupported_token_type", "this token type is not supported")  # UNVERIFIED
    ctx.store.revoke_session(token)
    return Response(200, b"", content_type="")
