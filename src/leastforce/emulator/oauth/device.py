"""The OAuth 2.0 device flow at the token endpoint: ``response_type=device_code`` asks for a user code,
``grant_type=device`` polls with the device code.
https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_device_flow.htm

Since September 2025 every uninstalled app that uses the device flow is blocked, even for users who
authorized it before and whatever their permissions (KB 005132365,
https://help.salesforce.com/s/articleView?id=005132365&type=1; the Salesforce CLI's announcement:
https://github.com/forcedotcom/cli/issues/3368). The local org has no verification page where a user
could approve a code, so polling answers ``authorization_pending`` until the code expires.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from leastforce.emulator.http.wire import OAuthFailure
from leastforce.emulator.oauth import policy

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

DEVICE_CODE_SECONDS = 600  # UNVERIFIED lifetime


def token(ctx: EmulatorContext, form: dict[str, str]) -> dict[str, Any]:
    """A device/user code pair for an installed app, or the refusal of a blocked or uninstalled one."""
    app = ctx.store.connected_app(form.get("client_id", ""))
    if app is None:
        raise OAuthFailure("invalid_client_id", "client identifier invalid")  # as endpoints.unknown_client
    if app.get("blocked"):
        raise policy.blocked()
    if not app.get("installed", True):
        raise policy.eca_not_installed() if app.get("kind") == "external_client_app" else policy.uninstalled()
    if form.get("grant_type") == "device":
        # [3P] the pending answer, as the Salesforce CLI polls for it
        raise OAuthFailure("authorization_pending", "authorization pending")
    return {
        "device_code": secrets.token_urlsafe(32),
        "user_code": secrets.token_hex(4).upper(),
        "verification_uri": f"{ctx.instance_url}/setup/connect",
        "interval": 5,
    }
