"""plan: the desired setup (leastforce.desired) against what the org holds (CurrentOrg) -> ChangeSet. Pure.

Permission sets whose Description starts with the managed marker ("Managed by leastforce") are leastforce's:
they are brought exactly to the manifest (permissions granted there beyond it are planned for removal).
Sets and profiles leastforce did not create are never changed, only reported. The profile the manifest
asks leastforce to create is a copy of its base profile's permissions plus the manifest's, made through
the REST API's Profile object (see org/apply.py for why that call). Nothing is ever unassigned.
"""

from __future__ import annotations

from dataclasses import dataclass

from leastforce.catalog.catalog import Catalog
from leastforce.checks.plan_model import (
    Action,
    Change,
    ChangeSet,
    CurrentOrg,
    Finding,
    FindingKind,
    RowIds,
    Step,
)
from leastforce.checks.plan_sets import Diff, Label, Parent, describe_perms, permission_flags, rows_of
from leastforce.checks.plan_user import user_changes
from leastforce.desired import MANAGED_MARKER, DesiredProfile, DesiredSetup
from leastforce.model import PermissionSet, frozen_map


@dataclass(frozen=True)
class Target:
    """A record apply refers to: an existing Id, or the key of a record created earlier in the apply."""

    record_id: str = ""
    ref: str = ""

    @property
    def known(self) -> bool:
        return bool(self.record_id or self.ref)


def is_managed(description: str) -> bool:
    """Sets and profiles leastforce created carry the marker at the start of their description."""
    return description.startswith(MANAGED_MARKER)


def plan(desired: DesiredSetup, current: CurrentOrg, catalog: Catalog, *, username: str = "") -> ChangeSet:
    """Every change that brings the org to ``desired``, in apply order, with what matches and what is
    only reported. ``username`` overrides the manifest's ``user.username``."""
    label = _labeller(catalog)
    diff, findings = Diff(), []
    profile_target = _profile(desired, current, catalog, label, diff, findings)
    set_targets: dict[str, Target] = {}
    for wanted in desired.permission_sets:
        set_targets[wanted.name] = _permission_set(wanted, current, label, diff, findings)
    user = username or desired.user.username
    user_changes(desired, current, catalog, user, profile_target, set_targets, diff, findings)
    changes = sorted(diff.changes, key=lambda c: c.step)  # stable: keeps each step's own order
    return ChangeSet(
        integration=desired.integration,
        username=user,
        changes=tuple(changes),
        matches=tuple(diff.matches),
        findings=tuple(findings),
    )


def _labeller(catalog: Catalog) -> Label:
    def label(name: str) -> str:
        found = catalog.find_permission(name)
        return f'"{found.label}" ({name})' if found else name

    return label


# -- permission sets -------------------------------------------------------------------------------
def _permission_set(
    wanted: PermissionSet, current: CurrentOrg, label: Label, diff: Diff, findings: list[Finding]
) -> Target:
    have = current.permission_sets.get(wanted.name)
    title = f'permission set "{wanted.label or wanted.name}"'
    license_id = _license_id(wanted.license, current)
    if wanted.license and not license_id:
        findings.append(
            Finding(FindingKind.BLOCKER, wanted.name, f"license {wanted.license!r} is not in this org")
        )
    if have is None:
        key = f"PermissionSet:{wanted.name}"
        values = {"Name": wanted.name, "Label": wanted.label or wanted.name, "Description": wanted.description}
        if license_id:
            values["LicenseId"] = license_id
        values |= permission_flags(wanted.user_permissions, frozenset())
        perms = describe_perms(wanted.user_permissions, frozenset(), label)
        lic = f", license {wanted.license}" if wanted.license else ""
        diff.changes.append(
            Change(
                Step.PERMISSION_SET,
                Action.CREATE,
                "PermissionSet",
                key,
                f'Setup > Permission Sets > New: Label "{values["Label"]}", API Name {wanted.name}{lic}'
                + (f"; System Permissions: {perms}" if perms else ""),
                frozen_map(values),
            )
        )
        _merge(diff, rows_of(Parent(title, ref=key), wanted, None, RowIds(), remove_extra=True))
        return Target(ref=key)
    if not is_managed(have.description):
        _report_unmanaged(wanted, have, title, diff, findings)
        return Target(record_id=have.id)
    _update_set(wanted, have, title, label, diff)
    ids = current.row_ids.get(have.id, RowIds())
    _merge(diff, rows_of(Parent(title, record_id=have.id), wanted, have, ids, remove_extra=True))
    return Target(record_id=have.id)


def _update_set(wanted: PermissionSet, have: PermissionSet, title: str, label: Label, diff: Diff) -> None:
    added = wanted.user_permissions - have.user_permissions
    removed = have.user_permissions - wanted.user_permissions
    values: dict[str, object] = permission_flags(added, removed)
    before: dict[str, object] = {k: not v for k, v in values.items()}
    words = [describe_perms(added, removed, label)] if values else []
    for fld, new, old in (("Label", wanted.label, have.label), ("Description", wanted.description, have.description)):
        if new and new != old:
            values[fld], before[fld] = new, old
            words.append(f"{fld} {new!r} (was {old!r})")
    if not values:
        diff.matches.append(f"{title}: exists, managed by leastforce, system permissions match")
        return
    diff.changes.append(
        Change(
            Step.SET_UPDATE,
            Action.UPDATE,
            "PermissionSet",
            f"PermissionSet:{wanted.name}",
            f"Setup > Permission Sets > {have.label or have.name}: " + "; ".join(words),
            frozen_map(values),
            record_id=have.id,
            before=frozen_map(before),
        )
    )


def _report_unmanaged(
    wanted: PermissionSet, have: PermissionSet, title: str, diff: Diff, findings: list[Finding]
) -> None:
    missing = sorted(wanted.user_permissions - have.user_permissions)
    missing += [o for o, r in wanted.objects.items() if not r <= have.objects.get(o, frozenset())]
    missing += [f for f, r in wanted.fields.items() if not r <= have.fields.get(f, frozenset())]
    if missing:
        findings.append(
            Finding(
                FindingKind.UNMANAGED,
                wanted.name,
                f"{title} exists but was not created by leastforce: not changed; it lacks "
                + ", ".join(missing),
            )
        )
    else:
        diff.matches.append(f"{title}: exists (not managed by leastforce) and grants what is needed")


def _license_id(name: str, current: CurrentOrg) -> str:
    if not name:
        return ""
    return current.permission_set_licenses.get(name) or current.user_licenses.get(name) or ""


def _merge(diff: Diff, other: Diff) -> None:
    diff.changes.extend(other.changes)
    diff.matches.extend(other.matches)


# -- the profile -------------------------------------------------------------------------------------
def _profile(
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
    owned = current.profile_sets.get(wanted.name)
    title = f'profile "{wanted.name}"'
    if not is_managed(current.profile_descriptions.get(wanted.name, "")):
        extra = PermissionSet(name=wanted.name, user_permissions=owned.user_permissions if owned else frozenset())
        missing = sorted(wanted.permission_set.user_permissions - extra.user_permissions)
        if missing:
            findings.append(
                Finding(
                    FindingKind.UNMANAGED,
                    wanted.name,
                    f"{title} exists but was not created by leastforce: not changed; it lacks {', '.join(missing)}",
                )
            )
        return Target(record_id=have.id)
    added = wanted.permission_set.user_permissions - (owned.user_permissions if owned else frozenset())
    if added:
        diff.changes.append(
            Change(
                Step.PROFILE,
                Action.UPDATE,
                "Profile",
                f"Profile:{wanted.name}",
                f"Setup > Profiles > {wanted.name} > System Permissions: {describe_perms(added, frozenset(), label)}",
                frozen_map(permission_flags(added, frozenset())),
                record_id=have.id,
                before=frozen_map(permission_flags(frozenset(), added)),
            )
        )
    else:
        diff.matches.append(f"{title}: exists, managed by leastforce, system permissions present")
    if owned is not None:
        ids = current.row_ids.get(owned.id, RowIds())
        _merge(diff, rows_of(Parent(title, record_id=owned.id), wanted.permission_set, owned, ids, remove_extra=False))
    return Target(record_id=have.id)


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
        findings.append(Finding(FindingKind.BLOCKER, wanted.name, f"user license {license_name!r} is not in this org"))
        return Target()
    perms = base.user_permissions | wanted.permission_set.user_permissions
    key = f"Profile:{wanted.name}"
    values = {"Name": wanted.name, "UserLicenseId": license_id, "Description": wanted.permission_set.description}
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
        objects=frozen_map({**base.objects, **wanted.permission_set.objects}),
        fields=frozen_map({**base.fields, **wanted.permission_set.fields}),
    )
    title = f'profile "{wanted.name}"'
    _merge(diff, rows_of(Parent(title, ref=f"ProfileSet:{wanted.name}"), copy, None, RowIds(), remove_extra=True))
    return Target(ref=key)


def default_profile(desired: DesiredSetup, catalog: Catalog) -> str:
    """The least-privileged standard profile of the user's license, for a user the manifest gives no profile."""
    licenses = desired.user.licenses or ("Salesforce",)
    for profile in catalog.profiles.values():
        if profile.user_license == licenses[0] and profile.name.startswith("Minimum Access"):
            return profile.name
    return "Minimum Access - Salesforce"
