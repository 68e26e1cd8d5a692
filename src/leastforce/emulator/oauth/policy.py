"""Whether a user may get a token through an app: the checks of the token and authorize endpoints, in
Salesforce's order (the user's address, the user's state, the app's state, then pre-authorization).

Error pairs: [3P] = seen in public threads, UNVERIFIED = no source shows the wording; each with its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leastforce.emulator.http.wire import OAuthFailure
from leastforce.emulator.store import app_policy

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

# Users with either permission may use a connected app that is not installed (KB 005132365,
# https://help.salesforce.com/s/articleView?id=005132365&type=1).
UNINSTALLED_BYPASS = frozenset({"CanApproveUninstalledApps", "UseAnyApiClient"})


@dataclass(frozen=True)
class App:
    """The connected app as the token endpoint needs it (from store.connected_app)."""

    id: str
    name: str
    consumer_key: str
    consumer_secret: str | None
    certificate: str | None
    installed: bool
    admin_approved_only: bool
    run_as_user_id: str | None
    blocked: bool = False
    kind: str = "connected_app"

    @classmethod
    def from_store(cls, raw: dict[str, Any]) -> App:
        return cls(
            id=str(raw.get("Id") or raw.get("id") or ""),
            name=str(raw.get("Name") or raw.get("name") or ""),
            consumer_key=str(raw.get("consumer_key") or ""),
            consumer_secret=raw.get("consumer_secret"),
            certificate=raw.get("certificate"),
            installed=bool(raw.get("installed", True)),
            admin_approved_only=bool(raw.get("admin_preauthorized")),
            run_as_user_id=raw.get("run_as_user_id"),
            blocked=bool(raw.get("blocked")),
            kind=str(raw.get("kind") or "connected_app"),
        )


def auth_failure() -> OAuthFailure:
    # [3P] https://github.com/omniphx/forrest/issues/364 (also what a frozen user gets)
    return OAuthFailure("invalid_grant", "authentication failure")


def uninstalled() -> OAuthFailure:
    # The Sept 2025 pair, in the error page's URL: RemoteAccessErrorPage.apexp?error=invalid_client&
    # error_description=app+must+be+installed+into+org [3P]
    # https://support.movedata.io/knowledgebase/technical/oauth-error-approve-uninstalled-connected-apps/
    return OAuthFailure("invalid_client", "app must be installed into org")


def blocked() -> OAuthFailure:
    # The error code is Salesforce's (KB 000232413 shows "Remote_Error: OAUTH_APP_BLOCKED"); the
    # error_description is UNVERIFIED.
    return OAuthFailure("OAUTH_APP_BLOCKED", "this app is blocked by admin")


def eca_not_installed() -> OAuthFailure:
    # UNVERIFIED pair (the description as admins quote it; no Salesforce page shows the token answer).
    return OAuthFailure("invalid_client", "External client app is not installed in this org")


def admit_address(ctx: EmulatorContext, user: dict[str, Any], client_ip: str, app_name: str = "") -> None:
    """A frozen user, or one connecting from a high-risk address (which freezes it, KB 005318944: the
    user is frozen and its refresh tokens revoked), gets "authentication failure"."""
    user_id = str(user["Id"])
    with ctx.store.system() as txn:
        risky = client_ip in app_policy.high_risk_ips(txn)
        if risky:
            app_policy.contain(txn, user_id)
    if risky or user.get("IsFrozen"):
        ctx.store.record_login(user_id, "User is Frozen", app_name)  # status wording UNVERIFIED
        raise auth_failure()


def admit(
    ctx: EmulatorContext, app: App, user: dict[str, Any], client_ip: str, *, device: bool = False
) -> None:
    """Raise the OAuthFailure Salesforce answers when ``user`` may not use ``app`` from ``client_ip``."""
    user_id = str(user["Id"])
    admit_address(ctx, user, client_ip, app.name)
    if not user.get("IsActive", True):
        ctx.store.record_login(user_id, "User is Inactive", app.name)
        raise OAuthFailure("invalid_grant", "inactive user")  # UNVERIFIED exact pair
    if app.blocked:
        ctx.store.record_login(user_id, "Failed: Not approved for access", app.name)
        raise blocked()
    if app.installed:
        return
    ctx.store.record_login(user_id, "Failed: Not approved for access", app.name)
    if app.kind == "external_client_app":
        raise eca_not_installed()
    # Device flow: "All uninstalled apps that use the OAuth 2.0 device flow will be blocked, even for
    # specific users who have previously authorized the app" (KB 005132365): no permission bypasses it.
    if device or not (ctx.store.effective_permissions(user_id) & UNINSTALLED_BYPASS):
        raise uninstalled()
