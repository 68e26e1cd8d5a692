"""The web server flow's authorize step, /services/oauth2/authorize, where a person logs in and approves.
https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm

The local org has no HTML pages: a POST with ``username`` and ``password`` beside the OAuth parameters
stands for the login page being filled in (documented in docs/emulator.md; not Salesforce's interface).
Refusals redirect to the error page with ``error`` and ``error_description`` in the query, as Salesforce's
RemoteAccessErrorPage.apexp does [3P]
(https://support.movedata.io/knowledgebase/technical/oauth-error-approve-uninstalled-connected-apps/).

What only a UI login meets: since July 2026 (sandboxes June 22) users with the System Administrator
profile or Modify All Data, View All Data, Customize Application or Author Apex must log in with
phishing-resistant MFA (KB 005321563, https://help.salesforce.com/s/articleView?id=005321563&type=1);
the local org has no security keys, so such a user is always refused (wording UNVERIFIED). An External
Client App that is not installed answers OAUTH_EC_APP_NOT_FOUND after the login [3P]
(https://github.com/PipedreamHQ/pipedream/issues/21557).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from leastforce.emulator.http.wire import OAuthFailure, Request, Response
from leastforce.emulator.oauth import policy

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

PRIVILEGED = frozenset({"ModifyAllData", "ViewAllData", "CustomizeApplication", "AuthorApex"})
ADMIN_PROFILE = "System Administrator"
MFA_REFUSAL = ("mfa_required", "phishing-resistant multi-factor authentication is required for this user")


def handle(ctx: EmulatorContext, request: Request) -> Response:
    """Redirect to the callback with a code, or to the error page with error / error_description."""
    form = request.form()
    raw = ctx.store.connected_app(form.get("client_id", ""))
    if raw is None:
        return _error(ctx, "invalid_client_id", "client identifier invalid")
    if raw.get("blocked"):
        return _error(ctx, *_pair(policy.blocked()))
    user = ctx.store.find_user(form.get("username", ""))
    if user is None or not ctx.store.check_password(str(user["Id"]), form.get("password", "")):
        return _error(ctx, "invalid_grant", "authentication failure")  # the login page's refusal [3P]
    user_id = str(user["Id"])
    perms = ctx.store.effective_permissions(user_id)
    if "ApiUserOnly" not in perms and (user.get("ProfileName") == ADMIN_PROFILE or perms & PRIVILEGED):
        ctx.store.record_login(
            user_id, "Failed: Phishing-resistant MFA required", str(raw["Name"])
        )  # UNVERIFIED
        return _error(ctx, *MFA_REFUSAL)
    if raw.get("kind") == "external_client_app" and not raw.get("installed", True):
        return _error(ctx, "OAUTH_EC_APP_NOT_FOUND", policy.eca_not_installed().description)
    try:
        policy.admit(ctx, policy.App.from_store(raw), user, request.client_ip)
    except OAuthFailure as exc:
        return _error(ctx, exc.error, exc.description)
    ctx.store.record_login(user_id, "Success", str(raw["Name"]), browser=_browser(request))
    callback = form.get("redirect_uri") or str(raw.get("callback_url") or "")
    return _redirect(
        f"{callback}?{urlencode({'code': secrets.token_urlsafe(32), 'state': form.get('state', '')})}"
    )


def _browser(request: Request) -> str:
    """The browser as LoginHistory names it ("Chrome 126"), from the User-Agent; "Unknown" when it names
    none (the naming is UNVERIFIED: the object reference says only "The current browser version")."""
    agent = request.headers.get("user-agent", "")
    for token, name in (
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ):
        _, found, rest = agent.partition(token)
        if found:
            return f"{name} {rest.split('.')[0]}"
    return "Unknown"


def _pair(failure: OAuthFailure) -> tuple[str, str]:
    return failure.error, failure.description


def _error(ctx: EmulatorContext, error: str, description: str) -> Response:
    query = urlencode({"error": error, "error_description": description})
    return _redirect(f"{ctx.instance_url}/setup/secur/RemoteAccessErrorPage.apexp?{query}")


def _redirect(location: str) -> Response:
    return Response(302, b"", content_type="text/html", headers=(("Location", location),))
