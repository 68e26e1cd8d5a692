"""plan: the desired setup (leastforce.desired) against what the org holds (CurrentOrg) -> ChangeSet. Pure.

Permission sets whose Description starts with the managed marker ("Managed by leastforce") are leastforce's:
they are brought exactly to the manifest (permissions granted there beyond it are planned for removal).
Sets and profiles leastforce did not create are never changed, only reported. The profile the manifest
asks leastforce to create is a copy of its base profile's permissions plus the manifest's, made through
the REST API's Profile object (see org/apply.py for why that call). Nothing is ever unassigned.
"""

from __future__ import annotations

from leastforce.catalog.catalog import Catalog
from leastforce.desired import DesiredSetup
from leastforce.planning.changes import (
    Action,
    Change,
    ChangeSet,
    CurrentOrg,
    Finding,
    FindingKind,
    RowIds,
    Step,
)
from leastforce.planning.entities import entity_changes
from leastforce.planning.profile import profile_target
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
from leastforce.planning.user import user_changes
from leastforce.values.model import PermissionSet, frozen_map
from leastforce.values.packages import InstalledPackage, PackageSpec, missing_packages, version_text


def plan(desired: DesiredSetup, current: CurrentOrg, catalog: Catalog, *, username: str = "") -> ChangeSet:
    """Every change that brings the org to ``desired``, in apply order, with what matches and what is
    only reported. ``username`` overrides the manifest's ``user.username``."""
    label = _labeller(catalog)
    diff, findings = Diff(), list[Finding]()
    profile = profile_target(desired, current, catalog, label, diff, findings)
    set_targets: dict[str, Target] = {}
    for wanted in desired.permission_sets:
        set_targets[wanted.name] = _permission_set(wanted, current, label, diff, findings)
    findings += missing_package_findings(desired.packages, current.installed_packages)
    findings += _missing_objects(desired, current)
    findings += _missing_custom_fields(desired, current)
    user = username or desired.user.username
    user_changes(desired, current, catalog, user, profile, set_targets, diff, findings)
    changes = sorted(diff.changes, key=lambda c: c.step)  # stable: keeps each step's own order
    return ChangeSet(
        integration=desired.integration,
        username=user,
        changes=tuple(changes),
        matches=tuple(diff.matches),
        findings=tuple(findings),
    )


def missing_package_findings(
    wanted: tuple[PackageSpec, ...], installed: tuple[InstalledPackage, ...] | None
) -> list[Finding]:
    """Declared managed packages the org lacks or has below their minimum version: blockers, with the
    install link (leastforce never installs a package; an admin with "Download AppExchange Packages" does)."""
    if installed is None:
        return []
    return [
        Finding(FindingKind.BLOCKER, spec.name, package_problem(spec, have))
        for spec, have in missing_packages(wanted, installed)
    ]


def package_problem(spec: PackageSpec, have: InstalledPackage | None) -> str:
    """One line: what is wrong with a package in the org and where to install it."""
    where = f" from {spec.install_url}" if spec.install_url else ""
    if have is None:
        return (
            f"package {spec.name!r} ({spec.namespace}) {spec.version_text} or later is not installed:"
            f" install it{where} first"
        )
    return (
        f"package {spec.name!r} ({spec.namespace}) is version {version_text(have.version)}, below"
        f" {spec.version_text}: upgrade it{where} first"
    )


def _missing_objects(desired: DesiredSetup, current: CurrentOrg) -> list[Finding]:
    """Objects the manifest needs that this org lacks: Salesforce refuses their ObjectPermissions rows
    (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST on SobjectType), so apply would fail."""
    if current.objects is None:
        return []
    sets = [*desired.permission_sets, *([desired.profile.permission_set] if desired.profile else [])]
    named = {o for ps in sets for o in ps.objects} | {f.split(".", 1)[0] for ps in sets for f in ps.fields}
    return [
        Finding(FindingKind.BLOCKER, obj, f"object {obj!r} is not in this org (feature off or not licensed)")
        for obj in sorted(named - current.objects)
    ]


def _missing_custom_fields(desired: DesiredSetup, current: CurrentOrg) -> list[Finding]:
    """Custom fields the manifest needs that this org lacks (on objects it has): Salesforce refuses their
    FieldPermissions rows, so apply would fail half-way. Listed with the other blockers, before any write."""
    if current.custom_fields is None or current.objects is None:
        return []
    sets = [*desired.permission_sets, *([desired.profile.permission_set] if desired.profile else [])]
    named = {f for ps in sets for f in ps.fields if f.partition(".")[2].endswith("__c")}
    missing = {f for f in named if f.partition(".")[0] in current.objects} - current.custom_fields
    return [
        Finding(
            FindingKind.BLOCKER,
            name,
            f"custom field {name!r} is not in this org: create it (or install the package that adds it) first",
        )
        for name in sorted(missing)
    ] + [
        Finding(
            FindingKind.BLOCKER,
            name,
            f"custom field {name!r} takes no field-level security in this org (its describe says"
            " permissionable: false, e.g. a required or master-detail field): leave it out of the manifest;"
            " Read on its object makes it readable",
        )
        for name in sorted(named & current.unprotected_fields)
    ]


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
        values: dict[str, object] = {
            "Name": wanted.name,
            "Label": wanted.label or wanted.name,
            "Description": wanted.description,
        }
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
        merge(diff, rows_of(Parent(title, ref=key), wanted, None, RowIds(), remove_extra=True))
        entity_changes(wanted, Parent(title, ref=key), current, diff, findings)
        return Target(ref=key)
    if have.namespace or not is_managed(have.description):
        # a package's set is managed by its package: Salesforce refuses edits, so it is only ever assigned
        _report_unmanaged(wanted, have, title, diff, findings)
        return Target(record_id=have.id)
    _update_set(wanted, have, title, label, diff)
    if wanted.license and have.license != wanted.license:
        # Setup offers the license only when a set is created (UNVERIFIED for the API): report, do not change.
        findings.append(
            Finding(
                FindingKind.NOTE,
                wanted.name,
                f"{title} has license {have.license or '(none)'}, the manifest says {wanted.license}: "
                "delete the set in Setup and apply again to recreate it with that license",
            )
        )
    ids = current.row_ids.get(have.id, RowIds())
    merge(diff, rows_of(Parent(title, record_id=have.id), wanted, have, ids, remove_extra=True))
    entity_changes(wanted, Parent(title, record_id=have.id), current, diff, findings)
    return Target(record_id=have.id)


def _update_set(wanted: PermissionSet, have: PermissionSet, title: str, label: Label, diff: Diff) -> None:
    added = wanted.user_permissions - have.user_permissions
    removed = have.user_permissions - wanted.user_permissions
    values: dict[str, object] = dict(permission_flags(added, removed))
    before: dict[str, object] = {k: not v for k, v in values.items()}
    words = [describe_perms(added, removed, label)] if values else []
    for fld, new, old in (
        ("Label", wanted.label, have.label),
        ("Description", wanted.description, have.description),
    ):
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
    """A set leastforce did not create is never changed: say what it lacks and what it grants beyond."""
    missing = sorted(wanted.user_permissions - have.user_permissions)
    missing += [o for o, r in wanted.objects.items() if not r <= have.objects.get(o, frozenset())]
    missing += [f for f, r in wanted.fields.items() if not r <= have.fields.get(f, frozenset())]
    extra = sorted(have.user_permissions - wanted.user_permissions)
    extra += [o for o, r in have.objects.items() if not r <= wanted.objects.get(o, frozenset())]
    extra += [f for f, r in have.fields.items() if not r <= wanted.fields.get(f, frozenset())]
    if not missing and not extra:
        diff.matches.append(f"{title}: exists (not managed by leastforce) and grants exactly what is needed")
        return
    words = [f"it lacks {', '.join(missing)}"] if missing else []
    words += [f"it grants beyond the manifest {', '.join(extra)}"] if extra else []
    findings.append(
        Finding(
            FindingKind.UNMANAGED,
            wanted.name,
            f"{title} exists but was not created by leastforce: not changed; " + "; ".join(words),
        )
    )


def _license_id(name: str, current: CurrentOrg) -> str:
    if not name:
        return ""
    return current.permission_set_licenses.get(name) or current.user_licenses.get(name) or ""
