"""How to fix a missing requirement, in Setup terms an admin can follow click by click.

Setup paths follow Salesforce Help: permission sets (Setup > Permission Sets > set > System Permissions /
Object Settings / Apex Class Access ...), https://help.salesforce.com/s/articleView?id=sf.perm_sets_overview.htm;
assignments (Manage Assignments > Add Assignment),
https://help.salesforce.com/s/articleView?id=sf.perm_sets_assigning.htm; permission set licenses
(user detail > Permission Set License Assignments > Edit Assignments),
https://help.salesforce.com/s/articleView?id=sf.users_permissionset_licenses_assign.htm; freezing users,
https://help.salesforce.com/s/articleView?id=sf.users_freeze.htm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from leastforce.access.grants import Grant, SourceKind
from leastforce.catalog.catalog import Catalog
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity, SetupEntityType
from leastforce.values.requirements import LicenseReq


@dataclass(frozen=True)
class FixTarget:
    """Where a missing right should be added: a permission set (by label) or a profile.

    ``name`` empty means no set was declared: the fix then says "a permission set assigned to the user".
    ``assigned`` False adds the step that assigns the set to the user.
    """

    username: str
    name: str = ""
    label: str = ""
    profile: bool = False
    assigned: bool = True

    @property
    def page(self) -> str:
        if self.profile:
            return f"Setup > Profiles > {self.label or self.name}"
        if self.name:
            return f"Setup > Permission Sets > {self.label or self.name}"
        return f"Setup > Permission Sets > (a permission set assigned to {self.username})"

    def then_assign(self) -> str:
        if self.assigned or self.profile or not self.name:
            return ""
        return (
            f" Then assign the set: Setup > Permission Sets > {self.label or self.name} > Manage Assignments"
            f" > Add Assignment, select {self.username}."
        )


# Permission set pages per setup entity type (Salesforce Help, "Permission Set Overview"); the page
# name for External Client Apps is UNVERIFIED.
ENTITY_PAGES = {
    SetupEntityType.APEX_CLASS: ("Apex Class Access", "Apex class"),
    SetupEntityType.APEX_PAGE: ("Visualforce Page Access", "Visualforce page"),
    SetupEntityType.CUSTOM_PERMISSION: ("Custom Permissions", "custom permission"),
    SetupEntityType.CONNECTED_APP: ("Assigned Connected Apps", "connected app"),
    SetupEntityType.EXTERNAL_CLIENT_APP: ("Assigned External Client Apps", "external client app"),
    SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL: (
        "External Credential Principal Access",
        "external credential principal",
    ),
    SetupEntityType.TAB: ("Assigned Apps", "app"),
}

_FIELD_LABELS = {FieldRight.READ: "Read Access", FieldRight.EDIT: "Edit Access"}


def rights_text(rights: Iterable[ObjectRight]) -> str:
    """Setup labels in Setup's column order: "Read, Edit, View All Records"."""
    order = list(ObjectRight)
    return ", ".join(r.label for r in sorted(rights, key=order.index))


def fix_permission(name: str, target: FixTarget, catalog: Catalog) -> str:
    perm = catalog.find_permission(name)
    label = perm.label if perm else name
    section = (perm.section if perm else "") or "System Permissions"
    return (
        f'In {target.page} > {section}, click Edit, check "{label}" ({name}) and save.{target.then_assign()}'
    )


def fix_object(
    obj: str, rights: Iterable[ObjectRight], fields: Iterable[str], target: FixTarget, catalog: Catalog
) -> str:
    std = catalog.find_object(obj)
    plural = std.plural_label if std else obj
    steps = []
    rights = list(rights)
    if rights:
        steps.append(f"check {rights_text(rights)}")
    labels = [_field_label(obj, f, catalog) for f in fields]
    if labels:
        steps.append(f"under Field Permissions check Read Access for {', '.join(labels)}")
    return f"In {target.page} > Object Settings > {plural}, click Edit, {' and '.join(steps)}, and save." + (
        target.then_assign()
    )


def fix_field(name: str, rights: Iterable[FieldRight], target: FixTarget, catalog: Catalog) -> str:
    obj, _, fld = name.partition(".")
    std = catalog.find_object(obj)
    plural = std.plural_label if std else obj
    columns = " and ".join(_FIELD_LABELS[r] for r in sorted(rights, key=lambda r: r.name, reverse=True))
    return (
        f"In {target.page} > Object Settings > {plural}, click Edit, under Field Permissions check {columns}"
        f" for {_field_label(obj, fld, catalog)}, and save.{target.then_assign()}"
    )


def fix_setup_entity(entity: SetupEntity, target: FixTarget) -> str:
    page, _ = ENTITY_PAGES[entity.type]
    return f"In {target.page} > {page}, click Edit, add {entity.name} and save.{target.then_assign()}"


def fix_profile(name: str, username: str) -> str:
    return f'In Setup > Users > {username}, click Edit, set Profile to "{name}" and save.'


def fix_license(req: LicenseReq, have: str, username: str) -> str:
    wanted = " or ".join(f'"{n}"' for n in req.allowed)
    head = f'{username} has the user license "{have}"'
    if req.allowed:
        return (
            f"{head}; it needs {wanted}. A user's license comes with its profile: in Setup > Users >"
            f" {username}, click Edit and pick a profile of the {wanted} license, or create a new user"
            " with that license."
        )
    return f"{head}, which this integration must not use: create a new user with another license."


def fix_permission_set_license(name: str, username: str) -> str:
    return (
        f"In Setup > Users > {username} > Permission Set License Assignments, click Edit Assignments,"
        f' check "{name}" and save. Assign it before the permission sets that need it.'
    )


def fix_package_set(name: str, username: str) -> str:
    return (
        f"In Setup > Permission Sets > {name} > Manage Assignments > Add Assignment, select {username}"
        " and assign. If the set is not listed, install the package that provides it first."
    )


def fix_active(username: str) -> str:
    return f"In Setup > Users > {username}, click Edit, check Active and save."


def fix_unfreeze(username: str) -> str:
    return f"In Setup > Users > {username}, click Unfreeze."


def _field_label(obj: str, fld: str, catalog: Catalog) -> str:
    std = catalog.find_object(obj)
    known = std.fields.get(fld) if std else None
    return f"{known.label} ({fld})" if known and known.label != fld else fld


def fix_remove_permission(name: str, grants: Iterable[Grant], username: str, catalog: Catalog) -> str:
    """Take a user permission away from every source that grants it (profile, set, group, license)."""
    perm = catalog.find_permission(name)
    label = perm.label if perm else name
    section = (perm.section if perm else "") or "System Permissions"
    steps = []
    for grant in grants:
        where = grant.via or grant.name
        if grant.kind is SourceKind.PROFILE:
            steps.append(
                f'In Setup > Profiles > {where} > {section}, click Edit, clear "{label}" ({name}) and save'
            )
        elif grant.kind is SourceKind.LICENSE:
            steps.append(
                f"{username}'s user license {grant.name} always grants {label}: give {username} a profile of"
                " another license, or create a new user with one"
            )
        elif grant.kind in (SourceKind.PERMISSION_SET, SourceKind.GROUP):
            steps.append(
                f'In Setup > Permission Sets > {where} > {section}, click Edit, clear "{label}" ({name}) and'
                f" save, or remove {username}'s assignment of {grant.name}"
            )
    return ("; ".join(dict.fromkeys(steps)) or f'Remove "{label}" ({name}) from {username}') + "."


def fix_session_setting(setting: str, value: str, profile: str) -> str:
    """Profile session settings: Setup > Profiles > profile > Session Settings (Salesforce Help, "Set
    Session Security Levels on Profiles": https://help.salesforce.com/s/articleView?id=sf.security_require_two-factor_authentication.htm
    UNVERIFIED for the exact page layout)."""
    where = f"Setup > Profiles > {profile or '(the user’s profile)'}"
    if setting == "security_level":
        shown = {"none": "None", "standard": "Standard", "high_assurance": "High Assurance"}.get(value, value)
        return f'In {where}, under Session Settings click Edit, set "Session Security Level Required at Login" to {shown} and save.'
    return f'In {where}, under Session Settings click Edit, set "Session Times Out After" to {value} minutes and save.'
