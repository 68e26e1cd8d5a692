"""The user-level part of a plan: the user record, its permission set licenses, its assignments. Pure.

User fields required on create (Username, LastName, Email, Alias, TimeZoneSidKey, LocaleSidKey,
EmailEncodingKey, LanguageLocaleKey, ProfileId):
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_user.htm
No password is ever set or shown: the integration logs in through its connected app (JWT, client
credentials) or an admin sets a password in Setup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from leastforce.catalog.catalog import Catalog
from leastforce.desired import DesiredSetup
from leastforce.planning.changes import Action, Change, CurrentOrg, Finding, FindingKind, Step
from leastforce.values.model import frozen_map

if TYPE_CHECKING:
    from leastforce.planning.sets import Diff, Target

# Defaults a new user gets; Setup shows them as Time Zone "(GMT+00:00) Greenwich Mean Time (GMT)",
# Locale "English (United States)", Email Encoding "Unicode (UTF-8)", Language "English".
USER_DEFAULTS = {
    "TimeZoneSidKey": "GMT",
    "LocaleSidKey": "en_US",
    "EmailEncodingKey": "UTF-8",
    "LanguageLocaleKey": "en_US",
}


def user_changes(
    desired: DesiredSetup,
    current: CurrentOrg,
    catalog: Catalog,
    username: str,
    profile: Target,
    sets: dict[str, Target],
    diff: Diff,
    findings: list[Finding],
) -> None:
    """The user record, then its permission set licenses, then its permission set assignments."""
    if not username or "{" in username:
        findings.append(
            Finding(
                FindingKind.NOTE,
                "user",
                "no user named (pass --user USERNAME): user, licenses and assignments not planned",
            )
        )
        return
    user = _user(desired, current, username, profile, diff)
    # Without a user to give them to (its profile is blocked), licenses and sets are still checked for
    # blockers, but no change is kept.
    target = diff if user[0] or user[1] else type(diff)()
    _licenses(desired, current, username, user, target, findings)
    _assignments(desired, current, username, user, sets, target, findings)


def _user(
    desired: DesiredSetup, current: CurrentOrg, username: str, profile: Target, diff: Diff
) -> tuple[str, str]:
    """(Id, ref) of the user: existing (perhaps moved to its profile, or activated), or created here."""
    profile_name = desired.profile.name if desired.profile else desired.user.profile
    existing = current.user
    if existing is None:
        if not profile.known:
            return "", ""
        diff.changes.append(_create_user(desired, username, profile, profile_name))
        return "", f"User:{username}"
    change = _update_user(current, username, profile, profile_name)
    if change is None:
        diff.matches.append(f"user {username}: exists, profile {existing.profile_name}, active")
    else:
        diff.changes.append(change)
    return existing.id, ""


def _create_user(desired: DesiredSetup, username: str, profile: Target, profile_name: str) -> Change:
    values: dict[str, Any] = {
        "Username": username,
        "LastName": f"{desired.integration} Integration"[:80],
        "Email": username if "@" in username else f"{_alias(username)}@example.invalid",
        "Alias": _alias(desired.integration),
        **USER_DEFAULTS,
    }
    refs = {}
    if profile.record_id:
        values["ProfileId"] = profile.record_id
    else:
        refs["ProfileId"] = profile.ref
    api_only = " (API only, from its profile or permission set)" if desired.user.api_only else ""
    return Change(
        Step.USER,
        Action.CREATE,
        "User",
        f"User:{username}",
        f"Setup > Users > New User: Username {username}, Last Name {values['LastName']!r}, Alias "
        f"{values['Alias']}, Email {values['Email']}, Profile {profile_name or '(default)'}{api_only}, "
        "Time Zone GMT, Locale English (United States), Language English, Email Encoding UTF-8",
        frozen_map(values),
        frozen_map(refs),
    )


def _update_user(current: CurrentOrg, username: str, profile: Target, profile_name: str) -> Change | None:
    existing = current.user
    assert existing is not None
    values: dict[str, Any] = {}
    before: dict[str, Any] = {}
    refs: dict[str, str] = {}
    words: list[str] = []
    if profile_name and existing.profile_name != profile_name and profile.known:
        if profile.record_id:
            values["ProfileId"] = profile.record_id
        else:
            refs["ProfileId"] = profile.ref
        before["ProfileId"] = existing.profile_id
        words.append(f"Profile {profile_name} (was {existing.profile_name})")
    if not current.user_active:
        values["IsActive"], before["IsActive"] = True, False
        words.append("Active (was inactive)")
    if not before:
        return None
    return Change(
        Step.USER,
        Action.UPDATE,
        "User",
        f"User:{username}",
        f"Setup > Users > {username} > Edit: " + "; ".join(words),
        frozen_map(values),
        frozen_map(refs),
        record_id=existing.id,
        before=frozen_map(before),
    )


def _alias(text: str) -> str:
    """User.Alias holds at most 8 characters."""
    return (re.sub(r"[^0-9A-Za-z]", "", text).lower() or "intuser")[:8]


def _who(user: tuple[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    return ({"AssigneeId": user[0]}, {}) if user[0] else ({}, {"AssigneeId": user[1]})


def _licenses(
    desired: DesiredSetup,
    current: CurrentOrg,
    username: str,
    user: tuple[str, str],
    diff: Diff,
    findings: list[Finding],
) -> None:
    for label in desired.user.permission_set_licenses:
        if label in current.licenses_held:
            diff.matches.append(f"user {username}: holds permission set license {label}")
            continue
        psl_id = current.permission_set_licenses.get(label)
        if not psl_id:
            findings.append(
                Finding(FindingKind.BLOCKER, label, f"permission set license {label!r} is not in this org")
            )
            continue
        values, refs = _who(user)
        diff.changes.append(
            Change(
                Step.LICENSE_ASSIGNMENT,
                Action.CREATE,
                "PermissionSetLicenseAssign",
                f"{username}/{label}",
                f"Setup > Users > {username} > Permission Set License Assignments > Edit Assignments: {label}",
                frozen_map({**values, "PermissionSetLicenseId": psl_id}),
                frozen_map(refs),
            )
        )


def _assignments(
    desired: DesiredSetup,
    current: CurrentOrg,
    username: str,
    user: tuple[str, str],
    sets: dict[str, Target],
    diff: Diff,
    findings: list[Finding],
) -> None:
    for name in desired.assignments:
        target = sets.get(name)
        set_id = target.record_id if target else ""
        ref = target.ref if target else ""
        if target is None:
            found = current.permission_sets.get(name)
            if found is None:
                findings.append(
                    Finding(
                        FindingKind.BLOCKER,
                        name,
                        f"package permission set {name!r} is not in this org (install its package first)",
                    )
                )
                continue
            set_id = found.id
        if set_id and set_id in current.assigned:
            diff.matches.append(f"user {username}: permission set {name} assigned")
            continue
        values, refs = _who(user)
        if set_id:
            values["PermissionSetId"] = set_id
        else:
            refs["PermissionSetId"] = ref
        diff.changes.append(
            Change(
                Step.ASSIGNMENT,
                Action.CREATE,
                "PermissionSetAssignment",
                f"{username}/{name}",
                f"Setup > Users > {username} > Permission Set Assignments > Edit Assignments: add {name}",
                frozen_map(values),
                frozen_map(refs),
            )
        )
