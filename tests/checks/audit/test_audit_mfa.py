"""The 2026 MFA rule (checks/audit/mfa.py) with login history: which rule fires and what the evidence
says about how the user logs in."""

from __future__ import annotations

from dataclasses import replace

from leastforce.catalog import load_catalog
from leastforce.checks.audit.model import Finding
from leastforce.checks.audit.run import audit
from leastforce.values.model import LoginSummary, OAuthToken, OrgSnapshot
from support.factories import NOW, OrgBuilder

USER = "int@x.com"
NO_MANAGE_USERS = "the connecting user lacks Manage Users: LoginHistory shows it only its own logins"


def _org(*, api_only: bool) -> OrgSnapshot:
    perms = ["ModifyAllData", "ViewAllData", "ViewSetup", *(["ApiUserOnly"] if api_only else [])]
    return (
        OrgBuilder()
        .profile("Integration Sync", perms=["ApiEnabled"])  # listed as an integration by its profile name
        .permission_set("Vendor_Perms", perms=perms)
        .user(USER, profile="Integration Sync")
        .assign(USER, "Vendor_Perms")
        .build()
    )


def _mfa(snapshot: OrgSnapshot, *logins: tuple[str, str, str, int], unread: str = "") -> Finding:
    user_id = snapshot.user_by_username(USER).id  # type: ignore[union-attr]
    rows = tuple(LoginSummary(user_id, t, app, browser, n, NOW) for t, app, browser, n in logins)
    result = audit(replace(snapshot, logins=rows, logins_unread=unread), load_catalog())
    (user,) = result.users
    return next(f for f in user.findings if f.rule_id.startswith("mfa-"))


def test_api_only_user_with_only_headless_oauth_logins_is_in_scope_not_blocked() -> None:
    found = _mfa(_org(api_only=True), ("Remote Access 2.0", "Upflow", "Unknown", 412))
    assert found.rule_id == "mfa-in-scope-api-only"
    assert "logins in the last 30 days: 412 OAuth (Upflow, headless)" in found.evidence
    assert found.evidence[-1] == "way out: none needed for this rule (API only; OAuth without a browser)"


def test_a_ui_login_blocks_even_an_api_only_user_and_is_named() -> None:
    found = _mfa(
        _org(api_only=True),
        ("Remote Access 2.0", "Upflow", "Unknown", 412),
        ("Application", "Browser", "Chrome 126", 3),
    )
    assert found.rule_id == "mfa-blocked"
    assert "logins in the last 30 days: 3 UI (Application), 412 OAuth (Upflow, headless)" in found.evidence
    assert found.evidence[-1].startswith("way out: connect with an OAuth flow without a browser")


def test_an_oauth_flow_in_a_browser_is_a_ui_login() -> None:
    found = _mfa(_org(api_only=True), ("Remote Access 2.0", "Upflow", "Chrome 126", 2))
    assert found.rule_id == "mfa-blocked"
    assert "logins in the last 30 days: 2 OAuth (Upflow, in a browser: a UI login)" in found.evidence


def test_a_user_that_can_log_in_to_the_ui_is_blocked_whatever_its_logins() -> None:
    found = _mfa(_org(api_only=False), ("Remote Access 2.0", "Upflow", "Unknown", 5))
    assert found.rule_id == "mfa-blocked"
    assert "logins in the last 30 days: 5 OAuth (Upflow, headless)" in found.evidence
    assert found.evidence[-1].startswith("way out: the Salesforce Integration license and API Only User")


def test_password_logins_keep_the_oauth_advice() -> None:
    found = _mfa(_org(api_only=True), ("Other Apex API", "", "Unknown", 9))
    assert found.rule_id == "mfa-in-scope-api-only"
    assert "logins in the last 30 days: 9 API with a password (Other Apex API)" in found.evidence
    assert (
        found.evidence[-1]
        == "way out: an OAuth flow (JWT bearer or client credentials) instead of a password"
    )


def test_read_history_without_logins_says_so_beside_the_tokens() -> None:
    snapshot = _org(api_only=True)
    user_id = snapshot.user_by_username(USER).id  # type: ignore[union-attr]
    with_token = replace(snapshot, oauth_tokens=(OAuthToken(user_id, "Upflow", created=NOW),))
    found = _mfa(with_token)
    assert "logs in through OAuth (connected apps: Upflow); no logins in the last 30 days" in found.evidence
    assert not any("password" in line for line in found.evidence[:-1])


def test_unread_history_says_why_and_never_claims_a_password() -> None:
    found = _mfa(_org(api_only=False), unread=NO_MANAGE_USERS)
    assert f"no OAuth token on record; no login history read ({NO_MANAGE_USERS})" in found.evidence
    assert not any("logs in with a password" in line for line in found.evidence)
