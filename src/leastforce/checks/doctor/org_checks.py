"""The org checks doctor runs to confirm or rule out a cause, by the names data/diagnoses.yaml uses.

Each check is pure: ``OrgFacts`` in, ``Check`` out; ``holds`` True means the cause is present, None that
the facts could not tell (no org, no user, an unknown app).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from leastforce.checks.doctor.model import Check, OrgFacts
from leastforce.values.model import SetupEntityType

# Since Sept 2025 either permission lets a user authorise an uninstalled app (salesforce-facts.md §7).
UNINSTALLED_BYPASS = ("CanApproveUninstalledApps", "UseAnyApiClient")
# "Use Any API Auth": the API name comes from third-party code only (salesforce-facts.md §1): UNVERIFIED.
USE_ANY_API_AUTH = "UseAnyApiAuth"
NEAR_EXPIRY = timedelta(days=7)

CheckFn = Callable[[OrgFacts], Check]


def _unknown(name: str, why: str = "no org or user to check") -> Check:
    return Check(name, None, why)


def user_inactive(facts: OrgFacts) -> Check:
    if facts.access is None:
        return _unknown("user_inactive")
    active = facts.access.user.is_active
    return Check("user_inactive", not active, f"{facts.username} is {'active' if active else 'inactive'}")


def user_frozen(facts: OrgFacts) -> Check:
    if facts.access is None:
        return _unknown("user_frozen")
    frozen = facts.access.user.is_frozen
    return Check("user_frozen", frozen, f"{facts.username} is {'frozen' if frozen else 'not frozen'}")


def user_unusable(facts: OrgFacts) -> Check:
    """A missing, inactive or frozen user explains "authentication failure"; a password cannot be checked."""
    if not facts.user_found:
        return Check("user_unusable", True, f"no user {facts.username!r} in the org")
    if facts.access is None:
        return _unknown("user_unusable")
    user = facts.access.user
    if not user.is_active or user.is_frozen:
        return Check(
            "user_unusable", True, f"{facts.username} is {'inactive' if not user.is_active else 'frozen'}"
        )
    return Check(
        "user_unusable", None, f"{facts.username} exists and is active: check the password and token"
    )


def _holds_any(facts: OrgFacts, names: tuple[str, ...]) -> list[str]:
    assert facts.access is not None
    return [n for n in names if facts.access.has_permission(n)]


def lacks_uninstalled_bypass(facts: OrgFacts) -> Check:
    if facts.access is None:
        return _unknown("lacks_uninstalled_bypass")
    held = _holds_any(facts, UNINSTALLED_BYPASS)
    if held:
        return Check("lacks_uninstalled_bypass", False, f"{facts.username} holds {', '.join(held)}")
    return Check(
        "lacks_uninstalled_bypass", True, f"{facts.username} holds neither {' nor '.join(UNINSTALLED_BYPASS)}"
    )


def holds_uninstalled_bypass(facts: OrgFacts) -> Check:
    """The user could use an uninstalled app through any flow but the device flow (KB 005132365)."""
    held = lacks_uninstalled_bypass(facts)
    name = "holds_uninstalled_bypass"
    return Check(name, None if held.holds is None else not held.holds, held.detail)


# Phishing-resistant MFA for UI logins, July 2026 (KB 005321563,
# https://help.salesforce.com/s/articleView?id=005321563&type=1).
MFA_PRIVILEGED = ("ModifyAllData", "ViewAllData", "CustomizeApplication", "AuthorApex")


def user_privileged_ui_login(facts: OrgFacts) -> Check:
    """The user may log in to the UI (not API only) and is admin-level, so the MFA rule applies."""
    if facts.access is None:
        return _unknown("user_privileged_ui_login")
    access = facts.access
    held = [p for p in MFA_PRIVILEGED if access.has_permission(p)]
    profile = access.profile.name if access.profile else ""
    if profile == "System Administrator":
        held.insert(0, "the System Administrator profile")
    api_only = access.has_permission("ApiUserOnly") or access.license.casefold() == "salesforce integration"
    if api_only:
        return Check("user_privileged_ui_login", False, f"{facts.username} is API only (no UI login)")
    if not held:
        return Check("user_privileged_ui_login", False, f"{facts.username} holds no admin-level permission")
    return Check(
        "user_privileged_ui_login", True, f"{facts.username} logs in to the UI and holds {', '.join(held)}"
    )


def client_credentials_user_not_api_only(facts: OrgFacts) -> Check:
    """Only for the client credentials flow (--flow or the manifest's app): the Run As user lacks API Only."""
    name = "client_credentials_user_not_api_only"
    if facts.flow != "client_credentials":
        return Check(name, None, "not the client credentials flow")
    if facts.access is None:
        return _unknown(name)
    api_only = facts.access.has_permission("ApiUserOnly")
    return Check(name, not api_only, f"{facts.username} {'is' if api_only else 'is not'} API only")


def lacks_api_enabled(facts: OrgFacts) -> Check:
    if facts.access is None:
        return _unknown("lacks_api_enabled")
    has = facts.access.has_permission("ApiEnabled")
    return Check("lacks_api_enabled", not has, f"{facts.username} {'holds' if has else 'lacks'} API Enabled")


def lacks_use_any_api_auth(facts: OrgFacts) -> Check:
    if facts.access is None:
        return _unknown("lacks_use_any_api_auth")
    has = facts.access.has_permission(USE_ANY_API_AUTH)
    word = "holds" if has else "lacks"
    return Check(
        "lacks_use_any_api_auth", not has, f"{facts.username} {word} {USE_ANY_API_AUTH} (API name UNVERIFIED)"
    )


def user_api_only(facts: OrgFacts) -> Check:
    if facts.access is None:
        return _unknown("user_api_only")
    has = facts.access.has_permission("ApiUserOnly")
    return Check("user_api_only", has, f"{facts.username} {'is' if has else 'is not'} API only")


def password_expires(facts: OrgFacts) -> Check:
    if facts.access is None:
        return _unknown("password_expires")
    access = facts.access
    exempt = access.has_permission("ApiUserOnly") or access.license.casefold() == "salesforce integration"
    never = access.has_permission("PasswordNeverExpires")
    return Check(
        "password_expires",
        not exempt and not never,
        "API only"
        if exempt
        else ("Password Never Expires held" if never else "not API only, password expires"),
    )


def has_login_ip_ranges(facts: OrgFacts) -> Check:
    profile = facts.access.profile if facts.access else None
    if profile is None:
        return _unknown("has_login_ip_ranges")
    ranges = profile.login_ip_ranges
    if not ranges:
        return Check("has_login_ip_ranges", None, f"no Login IP Ranges known for profile {profile.name}")
    text = ", ".join(f"{a}-{b}" for a, b in ranges)
    return Check("has_login_ip_ranges", True, f"profile {profile.name} allows logins only from {text}")


def _app_names(facts: OrgFacts) -> tuple[str, ...]:
    return facts.apps or tuple(sorted({t.app_name for t in facts.tokens}))


def app_not_installed(facts: OrgFacts) -> Check:
    """Installed = a ConnectedApplication row of that name (uninstalled apps only show under OAuth Usage)."""
    apps = _app_names(facts)
    if facts.installed_apps is None or not apps:
        return _unknown("app_not_installed", "no connected app named (use --app) or no org to check")
    installed = {a.casefold() for a in facts.installed_apps}
    missing = [a for a in apps if a.casefold() not in installed]
    if missing:
        return Check("app_not_installed", True, f"not installed: {', '.join(missing)}")
    return Check("app_not_installed", False, f"installed: {', '.join(apps)}")


def not_preauthorized(facts: OrgFacts) -> Check:
    """The user's profile or sets give SetupEntityAccess to the app (by name or Id)."""
    apps = _app_names(facts)
    if facts.access is None or not apps:
        return _unknown("not_preauthorized", "no user or no connected app named (use --app)")
    ids = dict((n.casefold(), i) for n, i in facts.app_ids)
    granted = {
        e.name.casefold()
        for e in facts.access.setup_entities
        if e.type in (SetupEntityType.CONNECTED_APP, SetupEntityType.EXTERNAL_CLIENT_APP)
    }
    missing = [
        a for a in apps if a.casefold() not in granted and ids.get(a.casefold(), "").casefold() not in granted
    ]
    if missing:
        return Check("not_preauthorized", True, f"{facts.username} has no access to {', '.join(missing)}")
    return Check("not_preauthorized", False, f"{facts.username} is pre-authorized for {', '.join(apps)}")


def token_past_lifetime(facts: OrgFacts) -> Check:
    """Each token's age (OauthToken.CreatedDate) against the manifest's credentials' lifetime."""
    if facts.token_lifetime_days is None or not facts.tokens:
        return _unknown("token_past_lifetime", "no token, or no token lifetime in the manifest")
    lifetime = timedelta(days=facts.token_lifetime_days)
    notes, holds = [], False
    for token in facts.tokens:
        if token.created is None:
            continue
        age = facts.now - token.created
        left = lifetime - age
        if left <= timedelta(0):
            holds = True
            notes.append(
                f"token for {token.app_name} is {age.days} days old (lifetime {lifetime.days} days): expired"
            )
        elif left <= NEAR_EXPIRY:
            holds = True
            notes.append(f"token for {token.app_name} expires in {left.days} day(s)")
        else:
            notes.append(f"token for {token.app_name} is {age.days} days old, {left.days} day(s) left")
    renew = f"; renew: {facts.renew}" if holds and facts.renew else ""
    return Check("token_past_lifetime", holds, "; ".join(notes) + renew)


def unusable_user_with_tokens(facts: OrgFacts) -> Check:
    if facts.access is None:
        return _unknown("unusable_user_with_tokens")
    user = facts.access.user
    bad = not user.is_active or user.is_frozen
    apps = ", ".join(sorted({t.app_name for t in facts.tokens}))
    return Check("unusable_user_with_tokens", bad and bool(facts.tokens), f"tokens: {apps or 'none'}")


def api_limit_spent(facts: OrgFacts) -> Check:
    if facts.org_error == "REQUEST_LIMIT_EXCEEDED":
        return Check("api_limit_spent", True, "the org answered REQUEST_LIMIT_EXCEEDED to doctor's own calls")
    if facts.api_usage is None:
        return _unknown("api_limit_spent", "API usage not read")
    used, top = facts.api_usage
    return Check("api_limit_spent", used >= top, f"{used:,} of {top:,} daily API requests used")


CHECKS: dict[str, CheckFn] = {
    fn.__name__: fn
    for fn in (
        user_inactive,
        user_frozen,
        user_unusable,
        lacks_uninstalled_bypass,
        holds_uninstalled_bypass,
        user_privileged_ui_login,
        client_credentials_user_not_api_only,
        lacks_api_enabled,
        lacks_use_any_api_auth,
        user_api_only,
        password_expires,
        has_login_ip_ranges,
        app_not_installed,
        not_preauthorized,
        token_past_lifetime,
        unusable_user_with_tokens,
        api_limit_spent,
    )
}
