"""The 2026 phishing-resistant MFA rule for integration users.

Salesforce enforces phishing-resistant MFA on UI logins (direct and SSO) of users with the System
Administrator profile or Modify All Data, View All Data, Customize Application or Author Apex, granted
by any path (sandboxes from 2026-06-22, production from 2026-07-01). The announcement is not in our
stored Salesforce docs; third-party summaries agree on the scope and dates:
https://coastalcloud.us/?p=7375, https://techtitanconsulting.com/salesforce-phishing-resistant-mfa-2026,
https://people-helpsandbox.sage.com/Content/SP_AdditionalResources/Salesforce_updates/SP_AddRes_SFUpdates_Phising_Resistant_MFA.htm
How a user logs in comes from its successful logins of the last 30 days (LoginHistory, classified in
logins.py). A UI login among them makes the finding mfa-blocked even for a user whose permissions and
license make it API only: the logins show what happens. Without logins the evidence names the OAuth
tokens' connected apps and says whether LoginHistory was not read (and why) or held no login in 30 days;
it never assumes a password.
"""

from __future__ import annotations

from leastforce.access.grants import EffectiveAccess
from leastforce.catalog.catalog import Catalog
from leastforce.checks.audit.logins import LoginWay, UserLogins, logins_line
from leastforce.checks.audit.model import Finding
from leastforce.checks.audit.user import SYSTEM_ADMINISTRATOR, evidence, is_api_only
from leastforce.values.model import LOGIN_DAYS, OAuthToken

MFA_PERMISSIONS = ("ModifyAllData", "ViewAllData", "CustomizeApplication", "AuthorApex")


def mfa_findings(
    access: EffectiveAccess,
    catalog: Catalog,
    tokens: tuple[OAuthToken, ...],
    logins: UserLogins,
) -> list[Finding]:
    """One finding when the user is in the enforcement's scope: blocked (it can log in to the UI, or
    its logins show UI logins) or in scope but API only."""
    why = _in_scope(access, catalog)
    if not why:
        return []
    api_only = is_api_only(access, catalog)
    rule = "mfa-blocked" if not api_only or logins.has_ui() else "mfa-in-scope-api-only"
    lines = (*_paths(access, why), _how(tokens, logins), _way_out(api_only, logins))
    return [Finding(rule, access.user.username, ", ".join(sorted(why)), lines)]


def _how(tokens: tuple[OAuthToken, ...], logins: UserLogins) -> str:
    """The logins of the last 30 days; without any, the OAuth tokens and why no logins are shown."""
    if logins.summaries:
        return logins_line(logins.summaries)
    apps = ", ".join(sorted({t.app_name for t in tokens}))
    known = f"logs in through OAuth (connected apps: {apps})" if apps else "no OAuth token on record"
    if logins.read:
        return f"{known}; no logins in the last {LOGIN_DAYS} days"
    return f"{known}; no login history read ({logins.unread})"


def _way_out(api_only: bool, logins: UserLogins) -> str:
    if not api_only:
        return "way out: the Salesforce Integration license and API Only User where the vendor allows it"
    if logins.has_ui():
        return "way out: connect with an OAuth flow without a browser (JWT bearer or client credentials)"
    if logins.ways() == {LoginWay.OAUTH_HEADLESS}:
        return "way out: none needed for this rule (API only; OAuth without a browser)"
    return "way out: an OAuth flow (JWT bearer or client credentials) instead of a password"


def _in_scope(access: EffectiveAccess, catalog: Catalog) -> set[str]:
    out = {p for p in MFA_PERMISSIONS if access.has_permission(p)}
    name = access.profile.name if access.profile else access.user.profile_name
    std = catalog.find_profile(name) if name else None
    if std is not None and std.name == SYSTEM_ADMINISTRATOR:
        out.add(SYSTEM_ADMINISTRATOR)
    return out


def _paths(access: EffectiveAccess, why: set[str]) -> tuple[str, ...]:
    out = []
    for name in sorted(why):
        if name == SYSTEM_ADMINISTRATOR:
            out.append(f"{SYSTEM_ADMINISTRATOR}: profile {name}")
        else:
            out.append(f"{name}: {'; '.join(evidence(access.permissions[name]))}")
    return tuple(out)
