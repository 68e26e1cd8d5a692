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
from leastforce.access.index import Directory
from leastforce.checks.audit.model import Reason
from leastforce.values.model import OrgSnapshot, User

INTEGRATION_LICENSE = "Salesforce Integration"
API_ONLY = "ApiUserOnly"
INTEGRATION_PROFILE_PATTERN = re.compile(
    r"\b(integrations?|api|api[ _-]?only|connector|service[ _-]?account|sync)\b", re.IGNORECASE
)


def integration_reasons(
    access: EffectiveAccess, token_users: frozenset[str], named: Iterable[str] = ()
) -> tuple[Reason, ...]:
    """Why this user is an integration user (empty: it is not one)."""
    profile = access.profile.name if access.profile else access.user.profile_name
    api_only = access.has_permission(API_ONLY)
    return _reasons(access.user, access.license, api_only, profile, token_users, named)


def _reasons(
    user: User, license: str, api_only: bool, profile: str, token_users: frozenset[str], named: Iterable[str]
) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    if license.casefold() == INTEGRATION_LICENSE.casefold():
        reasons.append(Reason.INTEGRATION_LICENSE)
    if api_only:
        reasons.append(Reason.API_ONLY)
    if user.id in token_users:
        reasons.append(Reason.OAUTH_TOKEN)
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


def integration_sets(snapshot: OrgSnapshot, named: Iterable[str] = ()) -> frozenset[str]:
    """The Ids of every set an integration user's access can come from: its profile's set, its assigned
    sets, each assigned group's components and muting set (expired assignments too). These are the sets
    whose field rows audit needs, so ``snapshot`` may have been read without any field row."""
    found = candidates(snapshot, Directory.of(snapshot), named)
    return frozenset(set_id for sets in found.values() for set_id in sets) - {""}


def candidates(snapshot: OrgSnapshot, index: Directory, named: Iterable[str] = ()) -> dict[str, set[str]]:
    """User Id -> the sets its access can come from, for a superset of the users ``integration_reasons``
    finds: the same rule without resolving access, API Only User counting when any of these sets carries
    it, expired or muted. Audit resolves only these users."""
    tokens = token_holders(snapshot)
    names = tuple(named)
    by_profile: dict[str, set[str]] = {}  # a profile's own set is found by Id or by its profile's name
    for set_id, ps in snapshot.permission_sets.items():
        if ps.is_owned_by_profile:
            by_profile.setdefault(ps.profile_name, set()).add(set_id)
    api_only_sets = {set_id for set_id in snapshot.permission_sets if _carries(snapshot, set_id, API_ONLY)}
    out: dict[str, set[str]] = {}
    for user in snapshot.users.values():
        profile = index.profile_of(user)
        sets = _assigned_sets(snapshot, index, user)
        if profile is not None:
            sets |= by_profile.get(profile.name, set()) | {profile.permission_set_id}
        api_only = not api_only_sets.isdisjoint(sets)
        license = user.user_license or (profile.user_license if profile else "")
        name = profile.name if profile else user.profile_name
        if _reasons(user, license, api_only, name, tokens, names):
            out[user.id] = sets
    return out


def _carries(snapshot: OrgSnapshot, set_id: str, permission: str) -> bool:
    ps = snapshot.permission_sets.get(set_id)
    return ps is not None and any(p.removeprefix("Permissions") == permission for p in ps.user_permissions)


def _assigned_sets(snapshot: OrgSnapshot, index: Directory, user: User) -> set[str]:
    out = set()
    for row in index.assignments.get(user.id, ()):
        out.add(row.permission_set_id)
        group = snapshot.groups.get(row.group_id) if row.group_id else None
        if group is not None:
            out.update(group.permission_set_ids)
            out.add(group.muting.id if group.muting else "")
    return out
