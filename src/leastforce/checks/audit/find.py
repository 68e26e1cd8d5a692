"""Which users of an org are integration users, and why.

A user counts when any of these holds (each is a ``Reason``):
- its license is Salesforce Integration (the API-only integration license;
  https://help.salesforce.com/s/articleView?id=platform.integration_user.htm);
- it holds API Only User (``ApiUserOnly``);
- it has an OAuth token for a connected app (an ``OauthToken`` row). Admins who use the sf CLI or Data
  Loader have tokens too: they are listed, and their findings say what such a token can reach;
- its profile's name looks made for an integration (``INTEGRATION_PROFILE_PATTERN``: "integration",
  "API", "API only", "connector", "service account", "sync" as words) - a heuristic, documented in
  docs/audit.md;
- it is named with --manifest/--user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from leastforce.access.grants import EffectiveAccess
from leastforce.checks.audit.model import Reason
from leastforce.values.model import OrgSnapshot

INTEGRATION_LICENSE = "Salesforce Integration"
INTEGRATION_PROFILE_PATTERN = re.compile(
    r"\b(integrations?|api|api[ _-]?only|connector|service[ _-]?account|sync)\b", re.IGNORECASE
)


def integration_reasons(
    access: EffectiveAccess, token_users: frozenset[str], named: Iterable[str] = ()
) -> tuple[Reason, ...]:
    """Why this user is an integration user (empty: it is not one)."""
    user = access.user
    reasons: list[Reason] = []
    if access.license.casefold() == INTEGRATION_LICENSE.casefold():
        reasons.append(Reason.INTEGRATION_LICENSE)
    if access.has_permission("ApiUserOnly"):
        reasons.append(Reason.API_ONLY)
    if user.id in token_users:
        reasons.append(Reason.OAUTH_TOKEN)
    profile = access.profile.name if access.profile else user.profile_name
    if profile and INTEGRATION_PROFILE_PATTERN.search(profile):
        reasons.append(Reason.INTEGRATION_PROFILE)
    if user.username.casefold() in {n.casefold() for n in named}:
        reasons.append(Reason.NAMED)
    return tuple(reasons)


def token_holders(snapshot: OrgSnapshot) -> frozenset[str]:
    """Ids of users with at least one OAuth token."""
    return frozenset(t.user_id for t in snapshot.oauth_tokens)


def tokens_by_user(snapshot: OrgSnapshot) -> Mapping[str, tuple[str, ...]]:
    """User Id -> the connected apps it has authorised (sorted, unique)."""
    out: dict[str, set[str]] = {}
    for token in snapshot.oauth_tokens:
        out.setdefault(token.user_id, set()).add(token.app_name)
    return {k: tuple(sorted(v)) for k, v in out.items()}
