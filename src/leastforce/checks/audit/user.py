"""The audit rules for one integration user: pure functions from its access to findings.

Each function returns the findings of one rule family; ``user_findings`` runs them in report order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from leastforce.access.grants import EffectiveAccess, Grant, describe_grant
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.types import Risk
from leastforce.checks.audit.declared import Declared, excess_access
from leastforce.checks.audit.model import Finding
from leastforce.values.model import OAuthToken

SYSTEM_ADMINISTRATOR = "System Administrator"
STALE_AFTER = timedelta(days=90)
_RISKY = {Risk.CRITICAL: "critical-permission", Risk.HIGH: "high-permission"}


def evidence(grants: tuple[Grant, ...]) -> tuple[str, ...]:
    """Each grant as a path in words: "permission set group G (via permission set S)"."""
    return tuple(dict.fromkeys(describe_grant(g) for g in grants))


def user_findings(
    access: EffectiveAccess,
    catalog: Catalog,
    declared: Declared | None,
    tokens: tuple[OAuthToken, ...],
    now: datetime,
) -> tuple[Finding, ...]:
    """Every finding on one integration user; ``declared`` is None when no manifest names it."""
    out: list[Finding] = []
    out += _profile(access, catalog)
    out += _risky_permissions(access, catalog, declared)
    out += _undeclared(access, catalog, declared)
    out += _login(access, catalog, declared)
    out += _tokens(access, tokens, now)
    if declared is None:
        out.append(Finding("no-manifest", access.user.username))
    return tuple(out)


def risky_permissions(access: EffectiveAccess, catalog: Catalog) -> Iterator[tuple[str, Risk]]:
    """Critical and high permissions the user holds, by name."""
    for name in sorted(access.permissions):
        perm = catalog.permissions.get(name)
        if perm is not None and perm.risk in _RISKY and access.permissions[name]:
            yield name, perm.risk


def _profile(access: EffectiveAccess, catalog: Catalog) -> list[Finding]:
    name = access.profile.name if access.profile else access.user.profile_name
    std = catalog.find_profile(name) if name else None
    if std is not None and std.name == SYSTEM_ADMINISTRATOR:
        return [Finding("system-administrator-profile", access.user.username, name, (f"profile {name}",))]
    return []


def _risky_permissions(access: EffectiveAccess, catalog: Catalog, declared: Declared | None) -> list[Finding]:
    out = []
    for name, risk in risky_permissions(access, catalog):
        rule = "declared-risky-permission" if declared and name in declared.permissions else _RISKY[risk]
        out.append(Finding(rule, access.user.username, name, evidence(access.permissions[name])))
    return out


def _undeclared(access: EffectiveAccess, catalog: Catalog, declared: Declared | None) -> list[Finding]:
    """Granted but not declared: permissions (below high: the risky ones have their own rule), objects
    and fields, each with the grants that give it."""
    if declared is None:
        return []
    out = []
    for item in excess_access(access, declared):
        if item.kind == "permission":
            perm = catalog.permissions.get(item.name)
            if perm is not None and perm.risk in _RISKY:
                continue
            out.append(
                Finding("undeclared-permission", access.user.username, item.name, evidence(item.grants))
            )
        else:
            rule = "undeclared-object-access" if item.kind == "object" else "undeclared-field-access"
            subject = f"{item.name}: {', '.join(item.rights)}"
            out.append(Finding(rule, access.user.username, subject, evidence(item.grants)))
    return out


def excess_count(access: EffectiveAccess, catalog: Catalog, declared: Declared | None) -> int:
    """Undeclared rights (with a manifest), or critical and high permissions held (without one)."""
    if declared is None:
        return sum(1 for _ in risky_permissions(access, catalog))
    return sum(max(1, len(item.rights)) for item in excess_access(access, declared))


def is_api_only(access: EffectiveAccess, catalog: Catalog) -> bool:
    """API Only User held, or a license whose users can only use the API."""
    lic = catalog.find_license(access.license) if access.license else None
    return access.has_permission("ApiUserOnly") or bool(lic and lic.api_only)


def _login(access: EffectiveAccess, catalog: Catalog, declared: Declared | None = None) -> list[Finding]:
    """A user that can open the UI: worse when its password expires (the integration will stop).
    Never recommends what the manifest forbids: with ``api_only: false`` the user must log in
    interactively, so only an expiring password (unless also declared) is reported.

    https://help.salesforce.com/s/articleView?id=platform.integration_user.htm (API-only integration users)
    """
    username = access.user.username
    interactive = declared is not None and declared.api_only is False
    if is_api_only(access, catalog):
        return []
    if access.has_permission("PasswordNeverExpires"):
        if interactive:
            return []
        return [Finding("not-api-only", username, "ApiUserOnly", ("API Only User is not granted",))]
    if interactive:
        if declared is not None and declared.password_never_expires is False:
            return []
        return [
            Finding(
                "expiring-password-interactive",
                username,
                "PasswordNeverExpires",
                ("Password Never Expires is not granted (the manifest says the user is not API only)",),
            )
        ]
    return [
        Finding(
            "expiring-password",
            username,
            "PasswordNeverExpires",
            ("API Only User is not granted", "Password Never Expires is not granted"),
        )
    ]


def _tokens(access: EffectiveAccess, tokens: tuple[OAuthToken, ...], now: datetime) -> list[Finding]:
    user = access.user
    out = []
    if tokens and not user.is_active:
        out.append(Finding("inactive-user-with-tokens", user.username, _apps(tokens), _token_lines(tokens)))
    elif tokens and user.is_frozen:
        out.append(Finding("frozen-user-with-tokens", user.username, _apps(tokens), _token_lines(tokens)))
    for token in tokens:
        last = token.last_used or token.created
        if last is not None and now - last >= STALE_AFTER:
            out.append(Finding("stale-token", user.username, token.app_name, _token_lines((token,))))
    return out


def _apps(tokens: tuple[OAuthToken, ...]) -> str:
    return ", ".join(sorted({t.app_name for t in tokens}))


def _token_lines(tokens: tuple[OAuthToken, ...]) -> tuple[str, ...]:
    def day(when: datetime | None) -> str:
        return when.date().isoformat() if when else "never"

    return tuple(
        f"OAuth token for {t.app_name} (created {day(t.created)}, last used {day(t.last_used)}, "
        f"{t.use_count} uses)"
        for t in tokens
    )
