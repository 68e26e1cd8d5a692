"""Salesforce's rules on writes to the org: who may write what, and what a permission row may hold.

The store calls ``check_can_write`` then ``before_create`` / ``before_update`` / ``before_delete`` inside
the write's transaction; each raises ApiError with Salesforce's code and message. Assignment rules
are in rules_assign.py, permission dependency and license rules in rules_perms.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.rules import assign, perms, rows
from leastforce.emulator.rules.user_access import effective_permissions, object_rights, permissionable_object
from leastforce.emulator.store.ids import sobject_for_prefix, to18
from leastforce.emulator.store.schema import SObjectDef
from leastforce.emulator.store.txn import Caller, Txn

# Setup objects and the user permissions that allow writing them (any one suffices).
# PermissionSet & co: "Manage Profiles and Permission Sets"; assignments: "Assign Permission Sets"
# (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm);
# users: "Manage Users" / "Manage Internal Users".
_MANAGE_PS = ("ManageProfilesPermissionsets",)
_WRITE_RIGHTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "PermissionSet",
            "MutingPermissionSet",
            "ObjectPermissions",
            "FieldPermissions",
            "SetupEntityAccess",
            "PermissionSetGroup",
            "PermissionSetGroupComponent",
            "Profile",
            "PermissionSetTabSetting",
        ),
        _MANAGE_PS,
    ),
    "PermissionSetAssignment": ("AssignPermissionSets", "ManageUsers"),
    "PermissionSetLicenseAssign": ("ManageUsers", "AssignPermissionSets"),  # UNVERIFIED which one
    **dict.fromkeys(
        ("User", "UserLogin", "UserRole", "Group", "GroupMember"), ("ManageUsers", "ManageInternalUsers")
    ),
    "ApexClass": ("AuthorApex",),
}
_NO_DELETE = frozenset({"User", "Organization", "UserLicense", "PermissionSetLicense", "UserLogin"})
_INSUFFICIENT = "insufficient access rights on object id"
_VERB_FLAG = {"create": "PermissionsCreate", "update": "PermissionsEdit", "delete": "PermissionsDelete"}


def check_can_write(
    txn: Txn, caller: Caller, so: SObjectDef, verb: str, old: Mapping[str, Any] | None = None
) -> None:
    """The object supports ``verb`` and ``caller`` holds the rights for it."""
    if (verb == "create" and not any(f.createable for f in so.fields.values())) or so.tooling_only:
        raise _unsupported(so.name, "insert")
    if verb == "update" and not any(f.updateable for f in so.fields.values()):
        raise _unsupported(so.name, "update")
    if verb == "delete" and so.name in _NO_DELETE:
        raise _unsupported(so.name, "delete")
    if caller.system:
        return
    held = caller.held if caller.held is not None else effective_permissions(txn, caller.user_id)
    if so.setup:
        needed = _WRITE_RIGHTS.get(so.name, ("CustomizeApplication",))
        if not held & set(needed) and "ModifyAllData" not in held:
            raise ApiError(400, "INSUFFICIENT_ACCESS_OR_READONLY", _INSUFFICIENT)
        return
    if not permissionable_object(so.name):
        return
    if _VERB_FLAG[verb] not in object_rights(txn, caller.user_id, so.name):
        raise ApiError(400, "INSUFFICIENT_ACCESS_OR_READONLY", _INSUFFICIENT)


def _unsupported(sobject: str, verb: str) -> ApiError:
    # Wording as in "entity type X does not support query" errors; UNVERIFIED for insert/update/delete.
    return ApiError(400, "INVALID_TYPE_FOR_OPERATION", f"entity type {sobject} does not support {verb}")


def before_create(txn: Txn, caller: Caller, so: SObjectDef, values: dict[str, Any]) -> dict[str, Any]:
    """Check a new record and fill the values Salesforce derives; returns the values to insert."""
    handler = _CREATE.get(so.name)
    return handler(txn, values) if handler else values


def before_update(
    txn: Txn, caller: Caller, so: SObjectDef, old: Mapping[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    handler = _UPDATE.get(so.name)
    if handler:
        handler(txn, old, changes)
    return changes


def before_delete(txn: Txn, caller: Caller, so: SObjectDef, old: Mapping[str, Any]) -> None:
    if so.name == "PermissionSet" and (old["IsOwnedByProfile"] or old["PermissionSetGroupId"]):
        raise perms.read_only_set(old)
    if so.name == "PermissionSet" and perms.is_managed(old):
        raise perms.managed_set(old)
    if so.name == "PermissionSetAssignment":
        ps = txn.get("PermissionSet", old["PermissionSetId"])
        if ps is not None and ps["IsOwnedByProfile"]:
            raise ApiError(400, "INSUFFICIENT_ACCESS_OR_READONLY", _INSUFFICIENT)  # UNVERIFIED
    if so.name in ("ObjectPermissions", "FieldPermissions", "SetupEntityAccess"):
        rows.before_row_delete(txn, so.name, old)
    if so.name == "Profile" and not _is_custom_profile(txn, old):
        raise _unsupported("Profile", "delete")
    if so.name in ("PermissionSet", "PermissionSetGroup", "Profile"):
        _cascade_assignments(txn, so.name, old)


# -- permission holders ---------------------------------------------------------------------
def _unique(txn: Txn, sobject: str, field: str, value: Any, own_id: str | None = None) -> None:
    """DUPLICATE_VALUE as Salesforce words unique-field clashes (UNVERIFIED for these setup objects)."""
    if value is None:
        return
    for row in txn.find_in(sobject, field, (value,)):
        if row["Id"] != own_id and str(row[field]).lower() == str(value).lower():
            raise ApiError(
                400,
                "DUPLICATE_VALUE",
                f"duplicate value found: {field} duplicates value on record with id: {row['Id']}",
                (field,),
            )


# PermissionSet field lengths (Name 80, Label 80, Description 255):
# https://developer.salesforce.com/docs/atlas.en-us.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_PermissionSet.htm
_SET_LENGTHS = {
    "Name": ("Permission Set Name", 80),
    "Label": ("Permission Set Label", 80),
    "Description": ("Description", 255),
}
# The Name "must begin with a letter, can contain only underscores and alphanumeric characters, can't include
# spaces, can't end with an underscore, can't contain 2 consecutive underscores" (the object reference's
# rule for API names, e.g. object-sharingset.html); the code and message below are UNVERIFIED.
_API_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)$")
_API_NAME_MSG = (
    "The Name field can only contain underscores and alphanumeric characters. It must be unique, begin with a "
    "letter, not include spaces, not end with an underscore, and not contain two consecutive underscores."
)


def _check_set_names(values: Mapping[str, Any]) -> None:
    """Too long: STRING_TOO_LONG "<Label>: data value too large: <value> (max length=<n>)", the wording of
    real responses (UNVERIFIED for PermissionSet); a Name that is no API name: FIELD_INTEGRITY_EXCEPTION."""
    for field, (label, limit) in _SET_LENGTHS.items():
        value = values.get(field)
        if isinstance(value, str) and len(value) > limit:
            message = f"{label}: data value too large: {value} (max length={limit})"
            raise ApiError(400, "STRING_TOO_LONG", message, (field,))
    name = values.get("Name")
    if isinstance(name, str) and not values.get("NamespacePrefix") and not _API_NAME.match(name):
        raise ApiError(400, "FIELD_INTEGRITY_EXCEPTION", _API_NAME_MSG, ("Name",))


def _permission_set_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    _check_set_names(values)
    _unique(txn, "PermissionSet", "Name", values.get("Name"))
    values.setdefault("Type", "Regular")
    values.setdefault("IsCustom", True)
    license_id = values.get("LicenseId")
    if (
        license_id
        and txn.get("UserLicense", license_id) is None
        and txn.get("PermissionSetLicense", license_id) is None
    ):
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("LicenseId",))
    enabled = perms.enabled(values)
    perms.check_user_dependencies(txn, enabled, None)
    perms.check_license(txn, license_id, enabled, {})
    return values


def _permission_set_update(txn: Txn, old: Mapping[str, Any], changes: dict[str, Any]) -> None:
    if old["IsOwnedByProfile"] or old["PermissionSetGroupId"]:
        raise perms.read_only_set(old)
    if perms.is_managed(old):
        raise perms.managed_set(old)
    _check_set_names(changes)
    if "Name" in changes:
        _unique(txn, "PermissionSet", "Name", changes["Name"], old["Id"])
    after = {k: old[k] for k in old if k.startswith("Permissions")} | changes
    enabled = perms.enabled(after)
    perms.check_user_dependencies(txn, enabled, old["Id"])
    perms.check_license(txn, old["LicenseId"], enabled, {})


def _profile_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    _unique(txn, "Profile", "Name", values.get("Name"))
    values.setdefault("UserType", "Standard")
    enabled = perms.enabled(values)
    perms.check_user_dependencies(txn, enabled, None)
    perms.check_license(txn, values.get("UserLicenseId"), enabled, {})
    return values


def _profile_update(txn: Txn, old: Mapping[str, Any], changes: dict[str, Any]) -> None:
    if "Name" in changes:
        _unique(txn, "Profile", "Name", changes["Name"], old["Id"])
    owned = txn.find("PermissionSet", ProfileId=old["Id"], IsOwnedByProfile=True)
    after = {k: old[k] for k in old if k.startswith("Permissions")} | changes
    enabled = perms.enabled(after)
    if not _is_custom_profile(txn, old) and enabled != perms.enabled(dict(old)):
        # Standard profiles' permissions can't be edited (UNVERIFIED code/wording).
        raise ApiError(400, "INSUFFICIENT_ACCESS_OR_READONLY", _INSUFFICIENT)
    perms.check_user_dependencies(txn, enabled, owned[0]["Id"] if owned else None)
    perms.check_license(txn, old["UserLicenseId"], enabled, {})


def _is_custom_profile(txn: Txn, profile: Mapping[str, Any]) -> bool:
    owned = txn.find("PermissionSet", ProfileId=profile["Id"], IsOwnedByProfile=True)
    return bool(owned and owned[0]["IsCustom"])


def _muting_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    _unique(txn, "MutingPermissionSet", "DeveloperName", values.get("DeveloperName"))
    return values


def _group_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    _unique(txn, "PermissionSetGroup", "DeveloperName", values.get("DeveloperName"))
    values.setdefault("Status", "Updated")
    return values


def _cascade_assignments(txn: Txn, sobject: str, old: Mapping[str, Any]) -> None:
    if sobject == "Profile":
        if txn.count("User", ProfileId=old["Id"]):
            raise ApiError(
                400, "DELETE_FAILED", "Cannot delete a profile that is assigned to users"
            )  # UNVERIFIED
        for ps in txn.find("PermissionSet", ProfileId=old["Id"]):
            for child in ("ObjectPermissions", "FieldPermissions", "SetupEntityAccess"):
                for row in txn.find(child, ParentId=ps["Id"]):
                    txn.delete(child, row["Id"])
            txn.delete("PermissionSet", ps["Id"])
        return
    field = "PermissionSetId" if sobject == "PermissionSet" else "PermissionSetGroupId"
    for psa in txn.find("PermissionSetAssignment", **{field: old["Id"]}):
        txn.delete("PermissionSetAssignment", psa["Id"])
    if sobject == "PermissionSet":
        for comp in txn.find("PermissionSetGroupComponent", PermissionSetId=old["Id"]):
            txn.delete("PermissionSetGroupComponent", comp["Id"])


_CREATE = {
    "PermissionSet": _permission_set_create,
    "Profile": _profile_create,
    "MutingPermissionSet": _muting_create,
    "PermissionSetGroup": _group_create,
    "ObjectPermissions": rows.object_perm_create,
    "FieldPermissions": rows.field_perm_create,
    "SetupEntityAccess": rows.setup_entity_create,
    "PermissionSetAssignment": assign.assignment_create,
    "PermissionSetLicenseAssign": assign.license_assign_create,
    "PermissionSetGroupComponent": assign.component_create,
    "User": assign.user_create,
}
_UPDATE = {
    "PermissionSet": _permission_set_update,
    "Profile": _profile_update,
    "ObjectPermissions": rows.object_perm_update,
    "FieldPermissions": rows.field_perm_update,
    "User": assign.user_update,
}


# -- collections ----------------------------------------------------------------------------
def collection_types(txn: Txn, op: str, items: list[Any]) -> list[str | None]:
    """The sObject type of each collection item (from ``attributes.type`` or the Id's key prefix)."""
    out: list[str | None] = []
    for item in items:
        if op == "delete":
            full = to18(str(item))
            out.append(sobject_for_prefix(full[:3]) if full else None)
        else:
            attrs = item.get("attributes") if isinstance(item, Mapping) else None
            name = attrs.get("type") if isinstance(attrs, Mapping) else None
            so = txn.schema.get(str(name)) if name else None
            out.append(so.name if so else name)
    return out


def check_mixed_setup(txn: Txn, types: list[str | None]) -> None:
    """Setup and non-setup objects can't be written in one call ("You can't create records for multiple
    object types in one call when one of the types is related to a feature in the Salesforce Setup area",
    https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html).
    Code and message are Salesforce's mixed-DML error (as Apex reports it; UNVERIFIED for REST)."""
    setup = [t for t in types if t and (so := txn.schema.get(t)) is not None and so.setup]
    other = [t for t in types if t and (so := txn.schema.get(t)) is not None and not so.setup]
    if setup and other:
        raise ApiError(
            400,
            "MIXED_DML_OPERATION",
            "DML operation on setup object is not permitted after you have updated a non-setup object "
            f"(or vice versa): {setup[0]}, original object: {other[0]}",
        )
