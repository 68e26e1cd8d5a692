"""How a user logs in, from its LoginHistory summaries: which logins the 2026 phishing-resistant MFA rule
asks MFA of (UI logins, SSO included), which are OAuth flows without a browser, which send a password.

UNVERIFIED: the LoginType values and their meaning are not in our stored Salesforce docs; the object
reference lists LoginType as a picklist without explaining its values
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm).
The classification below is the one third-party MFA audit tools and login-history guides use (Salesforce
support's table of login types: https://mycloudexperience.blogspot.com/2014/06/salesforce-login-types.html):
"Application" is a UI login, "Remote Access 2.0" an OAuth 2.0 login (headless when LoginHistory names no
browser), "Remote Access Client" the mobile app, "Other Apex API" and "Partner Product" SOAP API logins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import assert_never

from leastforce.values.model import LOGIN_DAYS, LOGINS_NOT_READ, LoginSummary, OrgSnapshot

# Logins the enforcement asks phishing-resistant MFA of: the UI, the mobile app, Lightning Login, Experience
# Cloud employee logins and SSO (the rule covers SSO logins too).
UI_LOGIN_TYPES = frozenset(
    {
        "Application",
        "Remote Access Client",
        "Lightning Login",
        "Employee Login to Community",
        "SAML Idp Initiated SSO",
        "SAML Sfdc Initiated SSO",
    }
)
OAUTH_LOGIN_TYPE = "Remote Access 2.0"
# Browser values of a client with no browser (a server's HTTP library, the Java SOAP/REST clients).
HEADLESS_BROWSERS = frozenset({"Unknown", "Java", "Java (Salesforce.com)"})
# SOAP API login() calls: a username and a password (with the security token).
PASSWORD_API_LOGIN_TYPES = frozenset({"Other Apex API", "Partner Product"})


class LoginWay(Enum):
    """How one group of logins got in; the order is the evidence line's."""

    UI = "UI"
    OAUTH_BROWSER = "OAuth in a browser"
    OAUTH_HEADLESS = "OAuth"
    PASSWORD_API = "API login with a password"
    OTHER = "other"

    @property
    def is_ui(self) -> bool:
        """A login the enforcement asks phishing-resistant MFA of (an OAuth flow through the login page
        is one: the user signs in in a browser)."""
        return self in (LoginWay.UI, LoginWay.OAUTH_BROWSER)


def login_way(summary: LoginSummary) -> LoginWay:
    """The way a LoginHistory group logged in (see the module docstring: UNVERIFIED classification)."""
    if summary.login_type in UI_LOGIN_TYPES:
        return LoginWay.UI
    if summary.login_type == OAUTH_LOGIN_TYPE:
        return LoginWay.OAUTH_HEADLESS if summary.browser in HEADLESS_BROWSERS else LoginWay.OAUTH_BROWSER
    if summary.login_type in PASSWORD_API_LOGIN_TYPES:
        return LoginWay.PASSWORD_API
    return LoginWay.OTHER


@dataclass(frozen=True)
class UserLogins:
    """One user's login summaries, or why LoginHistory was not read (``unread`` "" when it was)."""

    summaries: tuple[LoginSummary, ...] = ()
    unread: str = LOGINS_NOT_READ

    @classmethod
    def of(cls, snapshot: OrgSnapshot, user_id: str) -> UserLogins:
        mine = tuple(s for s in snapshot.logins if s.user_id == user_id)
        return cls(mine, snapshot.logins_unread)

    @property
    def read(self) -> bool:
        return not self.unread

    def ways(self) -> frozenset[LoginWay]:
        return frozenset(login_way(s) for s in self.summaries)

    def has_ui(self) -> bool:
        return any(way.is_ui for way in self.ways())


def logins_line(summaries: Iterable[LoginSummary]) -> str:
    """'logins in the last 30 days: 412 OAuth (Upflow, headless), 3 UI (Application)'."""
    by_way: dict[LoginWay, list[LoginSummary]] = {}
    for summary in summaries:
        by_way.setdefault(login_way(summary), []).append(summary)
    parts = [_part(way, by_way[way]) for way in LoginWay if way in by_way]
    return f"logins in the last {LOGIN_DAYS} days: {', '.join(parts)}"


def _part(way: LoginWay, group: list[LoginSummary]) -> str:
    count = sum(s.count for s in group)
    apps = ", ".join(sorted({s.application for s in group if s.application}))
    types = ", ".join(sorted({s.login_type for s in group}))
    match way:
        case LoginWay.UI:
            return f"{count} UI ({types})"
        case LoginWay.OAUTH_BROWSER:
            return f"{count} OAuth ({_with(apps)}in a browser: a UI login)"
        case LoginWay.OAUTH_HEADLESS:
            return f"{count} OAuth ({_with(apps)}headless)"
        case LoginWay.PASSWORD_API:
            return f"{count} API with a password ({types})"
        case LoginWay.OTHER:
            return f"{count} other ({types})"
        case _:
            assert_never(way)


def _with(apps: str) -> str:
    return f"{apps}, " if apps else ""
