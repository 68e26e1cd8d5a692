"""Rules on permission contents: dependencies between permissions and what a license allows.

Messages (FIELD_INTEGRITY_EXCEPTION):
- "Permission X depends on permission(s): Y, Z": user permissions by API name as in DML errors
  (facts §8, e.g. "Permission CustomizeApplication depends on permission(s): ManageTranslation");
  object permissions as "<Right> <Object>" ("Permission Convert Leads depends on permission(s): Create
  Account; Permission Read All Asset depends on permission(s): Read All Account": several violations are
  joined by "; "), https://wiki.sfxd.org/books/best-practices/page/important-notes
- "The user license doesn't allow the permission: Read Accounts" (object rights with the plural label).
Object right rules (Create/Edit/View All need Read, Delete needs Read+Edit, Modify All needs
Read+Edit+Delete+View All): https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store.txn import Txn

# ObjectPermissions flag -> (flags it needs, the right's name in messages). "Read All" is the label of
# View All in dependency messages (sfxd wiki above); "Edit All" for Modify All is UNVERIFIED.
OBJECT_RIGHTS: dict[str, tuple[tuple[str, ...], str]] = {
    "PermissionsRead": ((), "Read"),
    "PermissionsCreate": (("PermissionsRead",), "Create"),
    "PermissionsEdit": (("PermissionsRead",), "Edit"),
    "PermissionsDelete": (("PermissionsRead", "PermissionsEdit"), "Delete"),
    "PermissionsViewAllRecords": (("PermissionsRead",), "Read All"),
    "PermissionsModifyAllRecords": (
        ("PermissionsRead", "PermissionsEdit", "PermissionsDelete", "PermissionsViewAllRecords"),
        "Edit All",
    ),
    "PermissionsViewAllFields": (("PermissionsRead",), "View All Fields"),  # prerequisite UNVERIFIED
}
_VERB_FLAG = {
    "read": "PermissionsRead",
    "create": "PermissionsCreate",
    "update": "PermissionsEdit",
    "edit": "PermissionsEdit",
    "delete": "PermissionsDelete",
    "viewallrecords": "PermissionsViewAllRecords",
    "modifyallrecords": "PermissionsModifyAllRecords",
    "viewallfields": "PermissionsViewAllFields",
}


@cache
def _catalog() -> Any:
    from leastforce.catalog.loader import load_catalog

    return load_catalog()


def read_only_set(old: Mapping[str, Any]) -> ApiError:
    """Refusal to change a profile-owned or group-aggregate permission set (or its rows).

    "You can query permission sets that are owned by profiles but not modify them."
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionset.htm
    (code and wording of the refusal UNVERIFIED)"""
    return ApiError(400, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")


def managed_set(old: Mapping[str, Any]) -> ApiError:
    """Refusal to change a permission set installed by a managed package (or its rows): Setup answers
    "Cannot Modify Managed Component: The component you are attempting to modify is part of a managed
    package, and cannot be modified." (https://salesforce.stackexchange.com/questions/77130); the API's
    status code CANNOT_MODIFY_MANAGED_OBJECT with that wording is UNVERIFIED."""
    return ApiError(
        400,
        "CANNOT_MODIFY_MANAGED_OBJECT",
        "Cannot Modify Managed Component: The component you are attempting to modify is part of a managed"
        " package, and cannot be modified.",
    )


def is_managed(row: Mapping[str, Any]) -> bool:
    """A package's permission set (NamespacePrefix set), not a profile's."""
    return bool(row.get("NamespacePrefix")) and not row.get("IsOwnedByProfile")


def integrity(message: str, fields: tuple[str, ...] = ()) -> ApiError:
    return ApiError(400, "FIELD_INTEGRITY_EXCEPTION", message, fields)


def catalog_object(sobject: str) -> Any:
    """The catalog's StandardObject (``permissionable`` says whether object permissions apply), or None."""
    return _catalog().objects.get(sobject)


def object_label(sobject: str, plural: bool = False) -> str:
    std = _catalog().objects.get(sobject)
    if std is None:
        return sobject + ("s" if plural else "")
    return std.plural_label if plural else std.label


def check_object_flags(sobject: str, flags: Mapping[str, Any]) -> None:
    """Every set flag's prerequisites are set too."""
    problems = []
    for flag, (needs, name) in OBJECT_RIGHTS.items():
        missing = [n for n in needs if not flags.get(n)]
        if flags.get(flag) and missing:
            wanted = ", ".join(f"{OBJECT_RIGHTS[n][1]} {object_label(sobject)}" for n in missing)
            problems.append(f"Permission {name} {object_label(sobject)} depends on permission(s): {wanted}")
    if problems:
        raise integrity("; ".join(problems))


def object_flags_of(txn: Txn, parent_id: str) -> dict[str, set[str]]:
    """SobjectType -> flags set on the permission set's ObjectPermissions rows."""
    out: dict[str, set[str]] = {}
    for row in txn.find("ObjectPermissions", ParentId=parent_id):
        out[row["SobjectType"]] = {f for f in OBJECT_RIGHTS if row.get(f)}
    return out


def check_user_dependencies(
    txn: Txn, perms: set[str], parent_id: str | None, objects_after: Mapping[str, set[str]] | None = None
) -> None:
    """Each enabled user permission's required user (and, with a parent, object) permissions are enabled.

    ``objects_after`` overrides the parent's stored object flags for the objects it names (a pending
    ObjectPermissions change)."""
    catalog = _catalog()
    objects = object_flags_of(txn, parent_id) if parent_id else {}
    objects.update(objects_after or {})
    all_objects = "ModifyAllData" in perms
    read_all = all_objects or "ViewAllData" in perms
    problems = []
    for perm in sorted(perms):
        missing: list[str] = []
        for dep in catalog.direct_dependencies(perm):
            if dep.required_permission_type == "User Permission":
                if dep.required_permission not in perms and dep.required_permission in _known_perms(txn):
                    missing.append(dep.required_permission)
            elif parent_id is not None:
                missing.extend(_missing_object(dep.required_permission, objects, all_objects, read_all))
        if missing:
            problems.append(
                f"Permission {perm} depends on permission(s): {', '.join(dict.fromkeys(missing))}"
            )
    if problems:
        raise integrity("; ".join(problems))


def _missing_object(
    encoded: str, objects: Mapping[str, set[str]], all_objects: bool, read_all: bool
) -> list[str]:
    from leastforce.catalog.catalog import parse_object_permission

    parsed = parse_object_permission(encoded)
    if parsed is None:
        return []
    sobject, right = parsed
    flag = right.value
    if all_objects or (read_all and flag in ("PermissionsRead", "PermissionsViewAllRecords")):
        return []
    if flag in objects.get(sobject, set()):
        return []
    return [f"{OBJECT_RIGHTS[flag][1]} {object_label(sobject)}"]


def _known_perms(txn: Txn) -> frozenset[str]:
    return frozenset(txn.sobject("PermissionSet").permission_names)


def enabled(values: Mapping[str, Any], prefix: str = "Permissions") -> set[str]:
    return {k[len(prefix) :] for k, v in values.items() if k.startswith(prefix) and v}


def perm_label(name: str) -> str:
    perm = _catalog().permissions.get(name)
    return perm.label if perm else name


def license_denials(
    txn: Txn, license_id: str | None, perms: Iterable[str], objects: Mapping[str, set[str]]
) -> list[str]:
    """Permissions (as message labels) that the license ``license_id`` (user license or PSL) does not allow."""
    if not license_id:
        return []
    psl = txn.get("PermissionSetLicense", license_id)
    if psl is not None:
        return [
            perm_label(p)
            for p in sorted(perms)
            if f"MaximumPermissions{p}" in psl and not psl[f"MaximumPermissions{p}"]
        ]
    lic_row = txn.get("UserLicense", license_id)
    if lic_row is None:
        return []
    lic = _catalog().find_license(str(lic_row["Name"]))
    if lic is None:
        return []
    out = [perm_label(p) for p in sorted(perms) if lic.can_hold(p) is False]
    for sobject, flags in sorted(objects.items()):
        restricted = not lic.standard_objects or sobject in getattr(lic, "denied_objects", ())
        if flags and restricted and sobject in _catalog().objects:
            out.append(f"Read {object_label(sobject, plural=True)}")
    return out


def check_license(
    txn: Txn, license_id: str | None, perms: Iterable[str], objects: Mapping[str, set[str]]
) -> None:
    denied = license_denials(txn, license_id, perms, objects)
    if denied:
        raise integrity(f"The user license doesn't allow the permission: {denied[0]}")
