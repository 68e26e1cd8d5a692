"""How a login logged in (checks/audit/logins.py): each LoginType the MFA rule cares about, and the
evidence line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from leastforce.checks.audit.logins import LoginWay, UserLogins, login_way, logins_line
from leastforce.values.model import LOGINS_NOT_READ, LoginSummary, OrgSnapshot
from support.factories import NOW


@pytest.mark.parametrize(
    ("login_type", "browser", "way"),
    [
        ("Application", "Chrome 126", LoginWay.UI),
        ("Remote Access Client", "Salesforce1 240", LoginWay.UI),
        ("Lightning Login", "Safari 17", LoginWay.UI),
        ("Employee Login to Community", "Firefox 127", LoginWay.UI),
        ("SAML Idp Initiated SSO", "Chrome 126", LoginWay.UI),
        ("SAML Sfdc Initiated SSO", "Edge 126", LoginWay.UI),
        ("Remote Access 2.0", "Unknown", LoginWay.OAUTH_HEADLESS),
        ("Remote Access 2.0", "Java", LoginWay.OAUTH_HEADLESS),
        ("Remote Access 2.0", "Java (Salesforce.com)", LoginWay.OAUTH_HEADLESS),
        ("Remote Access 2.0", "Chrome 126", LoginWay.OAUTH_BROWSER),
        ("Other Apex API", "Unknown", LoginWay.PASSWORD_API),
        ("Partner Product", "Unknown", LoginWay.PASSWORD_API),
        ("SYNC", "Unknown", LoginWay.OTHER),
    ],
)
def test_each_login_type_is_classified(login_type: str, browser: str, way: LoginWay) -> None:
    assert login_way(LoginSummary("005A", login_type, browser=browser, count=1)) is way


def test_only_ui_logins_and_browser_oauth_count_as_ui() -> None:
    assert {w for w in LoginWay if w.is_ui} == {LoginWay.UI, LoginWay.OAUTH_BROWSER}


def test_evidence_line_counts_each_way_in_a_fixed_order() -> None:
    summaries = (
        LoginSummary("005A", "Application", "Browser", "Chrome 126", 2),
        LoginSummary("005A", "Remote Access 2.0", "Upflow", "Unknown", 400),
        LoginSummary("005A", "Remote Access 2.0", "Upflow", "Java", 12),
        LoginSummary("005A", "SAML Idp Initiated SSO", "", "Chrome 126", 1),
        LoginSummary("005A", "Other Apex API", "", "Unknown", 5),
    )
    assert logins_line(summaries) == (
        "logins in the last 30 days: 3 UI (Application, SAML Idp Initiated SSO), "
        "412 OAuth (Upflow, headless), 5 API with a password (Other Apex API)"
    )


def test_browser_oauth_is_named_a_ui_login_and_an_unnamed_app_is_left_out() -> None:
    line = logins_line((LoginSummary("005A", "Remote Access 2.0", "", "Chrome 126", 7),))
    assert line == "logins in the last 30 days: 7 OAuth (in a browser: a UI login)"


def test_user_logins_are_the_users_own_and_carry_why_none_were_read() -> None:
    mine = LoginSummary("005A", "Application", count=1, last_login=NOW)
    snapshot = OrgSnapshot(taken_at=NOW, logins=(mine, LoginSummary("005B", "Application")), logins_unread="")
    logins = UserLogins.of(snapshot, "005A")
    assert logins.summaries == (mine,) and logins.read and logins.has_ui()
    unread = UserLogins.of(replace(snapshot, logins=(), logins_unread=LOGINS_NOT_READ), "005A")
    assert not unread.read and unread.unread == LOGINS_NOT_READ and not unread.has_ui()
