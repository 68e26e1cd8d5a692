"""Rules on permission rows: ObjectPermissions, FieldPermissions, SetupEntityAccess.

- Object rights need their prerequisites (rules_perms.check_object_flags); a set's user permissions keep
  the object rights they depend on.
- FieldPermissions exist only for permissionable fields; "Field" is "Object.Field" and lookups may be named
  with or without the trailing Id (API 50+); Edit needs Read; read-only fields take Read only.
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
- Rows of a group's aggregate set and of standard profiles are fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.rules import perms
from leastforce.emulator.store.ids import sobject_for_prefix, to18
from leastforce.emulator.store.txn import Txn


def before_row_delete(txn: Txn, sobject: str, old: Mapping[str, Any]) -> None:
    """A row may go unless its parent is fixed or a user permission of the set needs it."""
    parent = _check_parent_writable(txn, old["ParentId"], standard_profile_ok=sobject == "SetupEntityAccess")
    if sobject == "ObjectPermissions" and "MutingPermissionSet" not in _parent_type(txn, parent):
        _check_needed_by_user_perms(txn, parent, old["SobjectType"], set())


def _check_parent_writable(
    txn: Txn, parent_id: str, *, standard_profile_ok: bool = False
) -> Mapping[str, Any]:
    """The parent of an ObjectPermissions/FieldPermissions/SetupEntityAccess row, if it may change.

    Standard profiles' object and field permissions are fixed; their setup entity access (e.g. a
    connected app's profiles) can be granted."""
    parent = txn.get("PermissionSet", parent_id) or txn.get("MutingPermissionSet", parent_id)
    if parent is None:
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("ParentId",))
    if parent.get("PermissionSetGroupId"):
        raise perms.read_only_set(parent)  # a group's aggregate set is computed by Salesforce
    if perms.is_managed(parent):
        raise perms.managed_set(parent)  # a package's set: assign it, never edit it
    if (
        not standard_profile_ok
        and "IsOwnedByProfile" in parent
        and parent["IsOwnedByProfile"]
        and not parent["IsCustom"]
    ):
        raise perms.read_only_set(parent)  # standard profiles (UNVERIFIED wording)
    return parent


def object_perm_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    parent = _check_parent_writable(txn, values["ParentId"])
    sobject = _permissionable_object(txn, values["SobjectType"])
    values["SobjectType"] = sobject
    for row in txn.find("ObjectPermissions", ParentId=values["ParentId"], SobjectType=sobject):
        raise ApiError(
            400,
            "DUPLICATE_VALUE",
            f"duplicate value found: SobjectType duplicates value on record with id: {row['Id']}",
        )
    flags = {f: bool(values.get(f)) for f in perms.OBJECT_RIGHTS}
    if not any(flags.values()):
        # "you cannot have an ObjectPermissions or FieldPermissions record where all permissions fields are
        # FALSE. If you try to update or insert one, you will get an error." (sfxd wiki; wording UNVERIFIED)
        raise perms.integrity("Object permissions must grant at least Read", ("PermissionsRead",))
    if "MutingPermissionSet" not in _parent_type(txn, parent):
        perms.check_object_flags(sobject, flags)
        perms.check_license(txn, parent["LicenseId"], (), {sobject: {f for f, v in flags.items() if v}})
    return values


def object_perm_update(txn: Txn, old: Mapping[str, Any], changes: dict[str, Any]) -> None:
    parent = _check_parent_writable(txn, old["ParentId"])
    flags = {f: bool(changes.get(f, old.get(f, False))) for f in perms.OBJECT_RIGHTS}
    if "MutingPermissionSet" in _parent_type(txn, parent):
        return
    if any(flags.values()):
        perms.check_object_flags(old["SobjectType"], flags)
    _check_needed_by_user_perms(txn, parent, old["SobjectType"], {f for f, v in flags.items() if v})


def _check_needed_by_user_perms(txn: Txn, parent: Mapping[str, Any], sobject: str, flags: set[str]) -> None:
    """Taking object rights away must leave what the set's user permissions depend on
    ("Permission EditCaseComments depends on permission(s): Edit Case")."""
    enabled = {n for n in txn.sobject("PermissionSet").permission_names if parent.get("Permissions" + n)}
    perms.check_user_dependencies(txn, enabled, parent["Id"], {sobject: flags})


def _parent_type(txn: Txn, parent: Mapping[str, Any]) -> str:
    return sobject_for_prefix(str(parent["Id"])[:3]) or ""


def _permissionable_object(txn: Txn, name: Any) -> str:
    so = txn.schema.get(str(name))
    std = perms.catalog_object(so.name) if so is not None else None
    if so is None or so.setup or (std is not None and not std.permissionable):
        # Salesforce answers with the restricted picklist error (UNVERIFIED wording).
        raise ApiError(
            400,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"SObject Type Name: bad value for restricted picklist field: {name}",
            ("SobjectType",),
        )
    return so.name


def field_perm_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    parent = _check_parent_writable(txn, values["ParentId"])
    sobject = _permissionable_object(txn, values["SobjectType"])
    field_name = _field_of(txn, sobject, str(values["Field"]))
    values["SobjectType"], values["Field"] = sobject, f"{sobject}.{field_name}"
    for row in txn.find("FieldPermissions", ParentId=values["ParentId"], Field=values["Field"]):
        raise ApiError(
            400,
            "DUPLICATE_VALUE",
            f"duplicate value found: Field duplicates value on record with id: {row['Id']}",
        )
    read, edit = bool(values.get("PermissionsRead")), bool(values.get("PermissionsEdit"))
    if not read and not edit:
        raise perms.integrity("Field permissions must grant at least Read", ("PermissionsRead",))
    if "MutingPermissionSet" not in _parent_type(txn, parent):
        _check_field_flags(txn, sobject, field_name, read, edit)
    return values


def field_perm_update(txn: Txn, old: Mapping[str, Any], changes: dict[str, Any]) -> None:
    parent = _check_parent_writable(txn, old["ParentId"])
    read = bool(changes.get("PermissionsRead", old["PermissionsRead"]))
    edit = bool(changes.get("PermissionsEdit", old["PermissionsEdit"]))
    if (read or edit) and "MutingPermissionSet" not in _parent_type(txn, parent):
        sobject, _, field_name = str(old["Field"]).partition(".")
        _check_field_flags(txn, sobject, field_name, read, edit)


def _field_of(txn: Txn, sobject: str, text: str) -> str:
    """The field of ``Object.Field`` (lookups with or without the trailing Id, as since API 50)."""
    prefix, _, name = text.partition(".")
    so = txn.sobject(sobject)
    field = so.field(name) or so.field(name + "Id") if prefix.lower() == sobject.lower() else None
    if field is None:
        raise ApiError(
            400,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"Field Name: bad value for restricted picklist field: {text}",
            ("Field",),
        )  # UNVERIFIED
    if not field.permissionable:
        # FieldPermissions exist only for fields whose describe says permissionable (UNVERIFIED wording).
        raise perms.integrity(f"Field {sobject}.{field.name} isn't permissionable", ("Field",))
    return field.name


def _check_field_flags(txn: Txn, sobject: str, field_name: str, read: bool, edit: bool) -> None:
    if edit and not read:
        raise perms.integrity(
            f"Permission Edit {sobject}.{field_name} depends on permission(s): Read {sobject}.{field_name}",
            ("PermissionsRead",),
        )  # wording UNVERIFIED
    field = txn.sobject(sobject).fields[field_name]
    if edit and not (field.createable or field.updateable):
        raise perms.integrity(
            f"Field {sobject}.{field_name} can only be read", ("PermissionsEdit",)
        )  # UNVERIFIED


def setup_entity_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    _check_parent_writable(txn, values["ParentId"], standard_profile_ok=True)
    entity = to18(str(values["SetupEntityId"])) or ""
    kind = sobject_for_prefix(entity[:3])
    if kind is None or txn.get(kind, entity) is None:
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("SetupEntityId",))
    values["SetupEntityType"] = kind  # restricted picklist filled by Salesforce from the Id
    for row in txn.find("SetupEntityAccess", ParentId=values["ParentId"], SetupEntityId=entity):
        raise ApiError(
            400,
            "DUPLICATE_VALUE",
            f"duplicate value found: SetupEntityId duplicates value on record with id: {row['Id']}",
        )
    return values
