"""The 2026 phishing-resistant MFA rule for integration users.

Salesforce enforces phishing-resistant MFA on UI logins (direct and SSO) of users with the System
Administrator profile or Modify All Data, View All Data, Customize Application or Author Apex, granted
by any path (sandboxes from 2026-06-22, production from 2026-07-01). The announcement is not in our
stored Salesforce docs; third-party summaries agree on the scope and dates:
https://coastalcloud.us/?p=7375, https://techtitanconsulting.com/salesforce-phishing-resistant-mfa-2026,
https://people-helpsandbox.sage.com/Content/SP_AdditionalResources/Salesforce_updates/SP_AddRes_SFUpdates_Phising_Resistant_MFA.htm
How a user logs in comes from its OAuth tokens (an OAuth flow) or, without one, a password is assumed;
LoginHistory is not part of the snapshot.
"""

from __future__ import annotations

from leastforce.access.grants import EffectiveAccess
from leastforce.catalog.catalog import Catalog
from leastforce.checks.audit.model import Finding
from leastforce.checks.audit.user import SYSTEM_ADMINISTRATOR, evidence, is_api_only
from leastforce.values.model import OAuthToken

MFA_PERMISSIONS = ("ModifyAllData", "ViewAllData", "CustomizeApplication", "AuthorApex")


def mfa_findings(access: EffectiveAccess, catalog: Catalog, tokens: tuple[OAuthToken, ...]) -> list[Finding]:
    """One finding when the user is in the enforcement's scope: blocked (it can log in to the UI) or
    in scope but API only."""
    why = _in_scope(access, catalog)
    if not why:
        return []
    apps = sorted({t.app_name for t in tokens})
    login = (
        f"logs in through OAuth (connected apps: {', '.join(apps)})"
        if apps
        else "no OAuth token on record: logs in with a password (username-password or SOAP login)"
    )
    api_only = is_api_only(access, catalog)
    way_out = (
        "way out: the Salesforce Integration license and API Only User where the vendor allows it"
        if not api_only
        else "way out: an OAuth flow (JWT bearer or client credentials) instead of a password"
    )
    rule = "mfa-in-scope-api-only" if api_only else "mfa-blocked"
    return [
        Finding(rule, access.user.username, ", ".join(sorted(why)), (*_paths(access, why), login, way_out))
    ]


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
