"""The profile part of a plan: the profile leastforce creates from its base, or the existing one the user
gets. Pure. A profile leastforce created (its Description starts with the managed marker) only ever gains
what the manifest adds: its other permissions came from its base profile.
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_profile.htm
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leastforce.catalog.catalog import Catalog
from leastforce.desired import DesiredProfile, DesiredSetup
from leastforce.desired.setup import default_profile_name
from leastforce.planning.changes import Action, Change, CurrentOrg, Finding, FindingKind, RowIds, Step
from leastforce.planning.sets import (
    Diff,
    Label,
    Parent,
    Target,
    describe_perms,
    is_managed,
    merge,
    permission_flags,
    rows_of,
)
from leastforce.values.model import frozen_map


def profile_target(
    desired: DesiredSetup,
    current: CurrentOrg,
    catalog: Catalog,
    label: Label,
    diff: Diff,
    findings: list[Finding],
) -> Target:
    """The user's profile: created from its base when the manifest asks, else an existing one."""
    wanted = desired.profile
    if wanted is None:
        name = desired.user.profile or default_profile(desired, catalog)
        found = current.profiles.get(name)
        if found is None:
            findings.append(Finding(FindingKind.BLOCKER, name, f"profile {name!r} is not in this org"))
            return Target()
        return Target(record_id=found.id)
    have = current.profiles.get(wanted.name)
    if have is None:
        return _create_profile(wanted, current, label, diff, findings)
    _existing_profile(wanted, have.id, current, label, diff, findings)
    return Target(record_id=have.id)


def _existing_profile(
    wanted: DesiredProfile,
    profile_id: str,
    current: CurrentOrg,
    label: Label,
    diff: Diff,
    findings: list[Finding],
) -> None:
    """A profile of that name exists: if leastforce made it, add what the manifest adds; else only report."""
    owned = current.profile_sets.get(wanted.name)
    held = owned.user_permissions if owned else frozenset()
    title = f'profile "{wanted.name}"'
    added = wanted.permission_set.user_permissions - held
    removed = held & wanted.without  # tri-state user keys set to false
    if not is_managed(current.profile_descriptions.get(wanted.name, "")):
        if added or removed:
            words = [f"it lacks {', '.join(sorted(added))}"] if added else []
            words += [f"it holds {', '.join(sorted(removed))}, which the manifest forbids"] if removed else []
            message = f"{title} exists but was not created by leastforce: not changed; {'; '.join(words)}"
            findings.append(Finding(FindingKind.UNMANAGED, wanted.name, message))
        return
    if added or removed:
        diff.changes.append(
            Change(
                Step.PROFILE,
                Action.UPDATE,
                "Profile",
                f"Profile:{wanted.name}",
                f"Setup > Profiles > {wanted.name} > System Permissions: {describe_perms(added, removed, label)}",
                frozen_map(permission_flags(added, removed)),
                record_id=profile_id,
                before=frozen_map(permission_flags(removed, added)),
            )
        )
    else:
        diff.matches.append(f"{title}: exists, managed by leastforce, system permissions present")
    if owned is not None:
        ids = current.row_ids.get(owned.id, RowIds())
        parent = Parent(title, record_id=owned.id)
        merge(diff, rows_of(parent, wanted.permission_set, owned, ids, remove_extra=False))


def _create_profile(
    wanted: DesiredProfile, current: CurrentOrg, label: Label, diff: Diff, findings: list[Finding]
) -> Target:
    base = current.profile_sets.get(wanted.based_on)
    if base is None:
        findings.append(
            Finding(FindingKind.BLOCKER, wanted.name, f"base profile {wanted.based_on!r} is not in this org")
        )
        return Target()
    license_name = wanted.user_license or current.profiles[wanted.based_on].user_license
    license_id = current.user_licenses.get(license_name, "")
    if not license_id:
        findings.append(
            Finding(FindingKind.BLOCKER, wanted.name, f"user license {license_name!r} is not in this org")
        )
        return Target()
    perms = (base.user_permissions | wanted.permission_set.user_permissions) - wanted.without
    key = f"Profile:{wanted.name}"
    values: dict[str, object] = {
        "Name": wanted.name,
        "UserLicenseId": license_id,
        "Description": wanted.permission_set.description,
    }
    values |= permission_flags(perms, frozenset())
    own = describe_perms(wanted.permission_set.user_permissions - base.user_permissions, frozenset(), label)
    diff.changes.append(
        Change(
            Step.PROFILE,
            Action.CREATE,
            "Profile",
            key,
            f'Setup > Profiles > "{wanted.based_on}" > Clone: Profile Name "{wanted.name}", user license '
            f"{license_name}" + (f"; then System Permissions: {own}" if own else ""),
            frozen_map(values),
        )
    )
    copy = wanted.permission_set.with_changes(
        objects=_union(base.objects, wanted.permission_set.objects),
        fields=_union(base.fields, wanted.permission_set.fields),
    )
    title = f'profile "{wanted.name}"'
    merge(
        diff, rows_of(Parent(title, ref=f"ProfileSet:{wanted.name}"), copy, None, RowIds(), remove_extra=True)
    )
    return Target(ref=key)


def _union(
    first: Mapping[str, frozenset[Any]], second: Mapping[str, frozenset[Any]]
) -> Mapping[str, frozenset[Any]]:
    """The clone keeps its base's rows and gains the manifest's, right by right."""
    return frozen_map({k: first.get(k, frozenset()) | second.get(k, frozenset()) for k in {*first, *second}})


def default_profile(desired: DesiredSetup, catalog: Catalog) -> str:
    """The least-privileged standard profile of the user's license, for a user the manifest gives no profile."""
    return default_profile_name(desired.user.licenses, catalog)
