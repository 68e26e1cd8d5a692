"""``app:``'s policies as prerequisites verify checks, with the Setup steps an admin follows for each.

What the API shows: ConnectedApplication (REST, read-only) has OptionsAllowAdminApprovedUsersOnly, the
Permitted Users policy (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_connectedapplication.htm).
It has no IP relaxation nor Run As user, and gives RefreshTokenValidityPeriod without its unit; External
Client Apps are not ConnectedApplication rows. Those policies are reported as not checked, never passed.
Pre-authorisation itself is a requirement of a feature (manifest/validate_app.py), which verify checks as
the user's SetupEntityAccess to the app through its profile or permission sets.

Setup paths: connected apps, Setup > App Manager > (app) > Manage > Edit Policies
(https://help.salesforce.com/s/articleView?id=xcloud.connected_app_manage_oauth.htm); External Client Apps,
Setup > External Client App Manager > (app) > Edit Settings > Policies
(https://help.salesforce.com/s/articleView?id=xcloud.external_client_apps.htm; UNVERIFIED: the exact labels).
"""

from __future__ import annotations

from leastforce.manifest.model import Prerequisite
from leastforce.values.apps import AppKind, AppSpec, IpRelaxation, PermittedUsers, RefreshTokenPolicy
from leastforce.values.org_facts import OrgFacts

PERMITTED_USERS = "app_permitted_users"
APP_KINDS = frozenset({PERMITTED_USERS, "app_ip_relaxation", "app_refresh_token", "app_run_as"})
_UNREAD = frozenset(APP_KINDS - {PERMITTED_USERS})

_PERMITTED = {
    PermittedUsers.ADMIN_APPROVED: "Admin approved users are pre-authorized",
    PermittedUsers.ALL_USERS: "All users may self-authorize",
}
_IP = {
    IpRelaxation.ENFORCE: "Enforce IP restrictions",
    IpRelaxation.RELAX_WITH_SECOND_FACTOR: "Relax IP restrictions with second factor",
    IpRelaxation.RELAX: "Relax IP restrictions",
}
_REFRESH = {
    RefreshTokenPolicy.UNTIL_REVOKED: "Refresh token is valid until revoked",
    RefreshTokenPolicy.EXPIRE_IMMEDIATELY: "Immediately expire refresh token",
    RefreshTokenPolicy.EXPIRE_IF_UNUSED: "Expire refresh token if not used for",
    RefreshTokenPolicy.EXPIRE_AFTER: "Expire refresh token after",
}


def app_prerequisites(app: AppSpec | None) -> tuple[Prerequisite, ...]:
    """One prerequisite per policy the manifest states: subject the app's name, values (the policy as
    Setup labels it, the app's kind)."""
    if app is None:
        return ()
    kind = app.kind.value
    why = app.why or f"the integration connects through {app.name}"
    wanted: list[tuple[str, str]] = []
    if app.permitted_users is not None:
        wanted.append((PERMITTED_USERS, _PERMITTED[app.permitted_users]))
    if app.ip_relaxation is not None:
        wanted.append(("app_ip_relaxation", _IP[app.ip_relaxation]))
    if app.refresh_token is not None:
        token = app.refresh_token
        period = f" {token.period} {token.unit}" if token.period else ""
        wanted.append(("app_refresh_token", _REFRESH[token.policy] + period))
    if app.run_as:
        wanted.append(("app_run_as", app.run_as))
    return tuple(
        Prerequisite(key, app.name, (value, kind), why=why, position=app.position) for key, value in wanted
    )


def unreadable(item: Prerequisite) -> bool:
    """No API reads this policy: everything but a connected app's Permitted Users."""
    return item.kind in _UNREAD or _kind(item) is AppKind.EXTERNAL_CLIENT_APP


def describe(item: Prerequisite) -> str:
    value = item.values[0] if item.values else ""
    policy = {
        PERMITTED_USERS: f'Permitted Users "{value}"',
        "app_ip_relaxation": f'IP Relaxation "{value}"',
        "app_refresh_token": f'Refresh Token Policy "{value}"',
        "app_run_as": f"client credentials Run As user {value}",
    }[item.kind]
    return f"{_kind(item).label} {item.subject}: {policy}"


def setup_steps(item: Prerequisite) -> str:
    """Where an admin sets the policy."""
    value = item.values[0] if item.values else ""
    if _kind(item) is AppKind.EXTERNAL_CLIENT_APP:
        where = f"Setup > External Client App Manager > {item.subject} > Edit Settings > Policies > OAuth Policies"
    else:
        where = f"Setup > App Manager > {item.subject} > Manage > Edit Policies > OAuth Policies"
    if item.kind == "app_run_as":
        return f"{where}: check Enable Client Credentials Flow and set Run As to {value} (an API only user); save."
    field = {PERMITTED_USERS: "Permitted Users", "app_ip_relaxation": "IP Relaxation"}.get(
        item.kind, "Refresh Token Policy"
    )
    return f'{where}: set {field} to "{value}" and save.'


def found(item: Prerequisite, facts: OrgFacts) -> tuple[bool, str] | None:
    """Permitted Users from ConnectedApplication.OptionsAllowAdminApprovedUsersOnly (None: not read)."""
    if facts.connected_apps is None:
        return None
    admin_only = facts.connected_apps.get(item.subject)
    if admin_only is None:
        return False, f"no connected app named {item.subject} in this org (install it first)"
    have = _PERMITTED[PermittedUsers.ADMIN_APPROVED if admin_only else PermittedUsers.ALL_USERS]
    wanted = item.values[0] if item.values else ""
    return have == wanted, f'Permitted Users is "{have}"'


def _kind(item: Prerequisite) -> AppKind:
    return AppKind(item.values[1]) if len(item.values) > 1 else AppKind.CONNECTED_APP
