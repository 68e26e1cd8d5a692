"""What Salesforce does by itself after a write: owned permission sets, group aggregates, license counts,
deleting permission rows whose flags are all false.

- "access is stored in a record, while the absence of a record indicates no access": an ObjectPermissions
  or FieldPermissions row with every flag false is deleted.
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionset.htm
- every profile owns a permission set (IsOwnedByProfile) holding its permissions (same page);
- a permission set group's permissions are aggregated in a PermissionSet of Type 'Group'
  (PermissionSet.PermissionSetGroupId); muting applies inside the group only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from leastforce.emulator.rules.user_access import OBJECT_FLAGS, enabled_permissions, group_members
from leastforce.emulator.store import db
from leastforce.emulator.store.ids import key_prefix, make_id
from leastforce.emulator.store.schema import SObjectDef
from leastforce.emulator.store.txn import Txn

FIELD_FLAGS = ("PermissionsRead", "PermissionsEdit")


def after_create(txn: Txn, so: SObjectDef, record_id: str, values: Mapping[str, Any]) -> None:
    if so.name == "Profile":
        _create_owned_set(txn, record_id, values)
    elif so.name == "User":
        _assign_profile_set(txn, record_id, values["ProfileId"])
        txn.insert("UserLogin", {"UserId": record_id, "IsFrozen": False, "IsPasswordLocked": False})
        recount_licenses(txn)
    elif so.name == "PermissionSetGroup":
        agg = {
            "Name": "X" + record_id,
            "Label": values.get("MasterLabel") or "",
            "Type": "Group",
            "PermissionSetGroupId": record_id,
            "IsCustom": True,
        }
        txn.insert("PermissionSet", agg)
        txn.update("PermissionSetGroup", record_id, {"Status": "Updated"})
    elif so.name == "PermissionSetGroupComponent":
        refresh_group(txn, values["PermissionSetGroupId"])
    elif so.name == "PermissionSetLicenseAssign":
        recount_licenses(txn)
    elif so.name in ("ObjectPermissions", "PermissionSet"):
        _refresh_groups_of(txn, values.get("ParentId") if so.name != "PermissionSet" else record_id)


def after_update(txn: Txn, so: SObjectDef, old: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    flags = OBJECT_FLAGS if so.name == "ObjectPermissions" else FIELD_FLAGS
    if so.name in ("ObjectPermissions", "FieldPermissions"):
        row = txn.get(so.name, old["Id"])
        if row is not None and not any(row[f] for f in flags if f in so.fields):
            txn.delete(so.name, old["Id"])
        if so.name == "ObjectPermissions":
            _refresh_groups_of(txn, old["ParentId"])
    elif so.name == "Profile":
        perms = {k: v for k, v in changes.items() if k.startswith("Permissions")}
        for ps in txn.find("PermissionSet", ProfileId=old["Id"], IsOwnedByProfile=True):
            if perms:
                txn.update("PermissionSet", ps["Id"], perms)
    elif so.name == "User":
        if "ProfileId" in changes and changes["ProfileId"] != old["ProfileId"]:
            for psa in txn.find("PermissionSetAssignment", AssigneeId=old["Id"]):
                owner = txn.get("PermissionSet", psa["PermissionSetId"])
                if owner is not None and owner["IsOwnedByProfile"]:
                    txn.delete("PermissionSetAssignment", psa["Id"])
            _assign_profile_set(txn, old["Id"], changes["ProfileId"])
        recount_licenses(txn)
    elif so.name in ("PermissionSet", "MutingPermissionSet"):
        _refresh_groups_of(txn, old["Id"])


def before_delete(txn: Txn, so: SObjectDef, old: Mapping[str, Any]) -> None:
    """Cascade deletes of children Salesforce removes with their parent."""
    if so.name in ("PermissionSet", "MutingPermissionSet"):
        for child in ("ObjectPermissions", "FieldPermissions", "SetupEntityAccess"):
            for row in txn.find(child, ParentId=old["Id"]):
                txn.delete(child, row["Id"])
    elif so.name == "PermissionSetGroup":
        for comp in txn.find("PermissionSetGroupComponent", PermissionSetGroupId=old["Id"]):
            txn.delete("PermissionSetGroupComponent", comp["Id"])
        for agg in txn.find("PermissionSet", PermissionSetGroupId=old["Id"]):
            before_delete(txn, txn.sobject("PermissionSet"), agg)
            txn.delete("PermissionSet", agg["Id"])


def after_delete(txn: Txn, so: SObjectDef, old: Mapping[str, Any]) -> None:
    if so.name == "PermissionSetGroupComponent":
        refresh_group(txn, old["PermissionSetGroupId"])
    elif so.name == "PermissionSetLicenseAssign":
        recount_licenses(txn)
    elif so.name == "ObjectPermissions":
        _refresh_groups_of(txn, old["ParentId"])


def _create_owned_set(txn: Txn, profile_id: str, values: Mapping[str, Any]) -> None:
    """The profile's own permission set; real ones carry generated names such as the Label
    "00ex00000018ozh_128_09_04_12_1" seen in REST output (Name: "X" + Label)."""
    perms = {k: v for k, v in values.items() if k.startswith("Permissions")}
    label = f"{profile_id[:15]}_128_09_04_12_1"
    txn.insert(
        "PermissionSet",
        {
            "Name": "X" + label,
            "Label": label,
            "IsOwnedByProfile": True,
            "ProfileId": profile_id,
            "Type": "Profile",
            "LicenseId": values.get("UserLicenseId"),
            "IsCustom": bool(values.get("_custom", True)),
            **perms,
        },
    )


def _assign_profile_set(txn: Txn, user_id: str, profile_id: str) -> None:
    for ps in txn.find("PermissionSet", ProfileId=profile_id, IsOwnedByProfile=True):
        txn.insert(
            "PermissionSetAssignment", {"AssigneeId": user_id, "PermissionSetId": ps["Id"], "IsActive": True}
        )


def recount_licenses(txn: Txn) -> None:
    """UsedLicenses of every UserLicense (active users) and PermissionSetLicense (assignments)."""
    for lic in txn.find("UserLicense"):
        used = sum(
            txn.count("User", ProfileId=p["Id"], IsActive=True)
            for p in txn.find("Profile", UserLicenseId=lic["Id"])
        )
        if used != lic["UsedLicenses"]:
            txn.update("UserLicense", lic["Id"], {"UsedLicenses": used})
    for psl in txn.find("PermissionSetLicense"):
        used = txn.count("PermissionSetLicenseAssign", PermissionSetLicenseId=psl["Id"])
        if used != psl["UsedLicenses"]:
            txn.update("PermissionSetLicense", psl["Id"], {"UsedLicenses": used})


def _refresh_groups_of(txn: Txn, set_id: str | None) -> None:
    if not set_id:
        return
    for comp in txn.find("PermissionSetGroupComponent", PermissionSetId=set_id):
        refresh_group(txn, comp["PermissionSetGroupId"])


def refresh_group(txn: Txn, group_id: str) -> None:
    """Recompute the group's aggregate PermissionSet: components' user and object permissions minus muting."""
    aggregates = txn.find("PermissionSet", PermissionSetGroupId=group_id)
    if not aggregates:
        return
    agg_id = aggregates[0]["Id"]
    sets, muting = group_members(txn, group_id)
    perms: set[str] = set()
    objects: dict[str, set[str]] = {}
    for ps_id in sets:
        perms |= enabled_permissions(txn, "PermissionSet", ps_id)
        for row in txn.find("ObjectPermissions", ParentId=ps_id):
            objects.setdefault(row["SobjectType"], set()).update(f for f in OBJECT_FLAGS if row[f])
    if muting:
        perms -= enabled_permissions(txn, "MutingPermissionSet", muting)
        for row in txn.find("ObjectPermissions", ParentId=muting):
            objects.get(row["SobjectType"], set()).difference_update(f for f in OBJECT_FLAGS if row[f])
    so = txn.sobject("PermissionSet")
    txn.update("PermissionSet", agg_id, {"Permissions" + n: n in perms for n in so.permission_names})
    for row in txn.find("ObjectPermissions", ParentId=agg_id):
        txn.delete("ObjectPermissions", row["Id"])
    for sobject, flags in objects.items():
        if flags:
            txn.insert(
                "ObjectPermissions",
                {"ParentId": agg_id, "SobjectType": sobject, **dict.fromkeys(flags, True)},
            )
    txn.update("PermissionSetGroup", group_id, {"Status": "Updated"})


def bulk_insert(txn: Txn, sobject: str, rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Insert rows as given (no rules, no effects), streaming in chunks; fills Id and audit fields."""
    so = txn.sobject(sobject)
    stamp = db.now_iso()
    audit = {
        n: v
        for n, v in (
            ("CreatedDate", stamp),
            ("CreatedById", txn.actor),
            ("LastModifiedDate", stamp),
            ("LastModifiedById", txn.actor),
            ("SystemModstamp", stamp),
            ("IsDeleted", False),
        )
        if n in so.fields
    }
    ids: list[str] = []
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, 20_000)):
        ids.extend(_insert_chunk(txn, so, chunk, audit))
    return ids


def _insert_chunk(
    txn: Txn, so: SObjectDef, chunk: list[Mapping[str, Any]], audit: Mapping[str, Any]
) -> list[str]:
    prefix = key_prefix(so.name)
    first = txn.conn.execute(
        "INSERT INTO _seq (prefix, next) VALUES (?, ?) ON CONFLICT(prefix) DO UPDATE SET next = next + ? "
        "RETURNING next",
        (prefix, len(chunk) + 1, len(chunk)),
    ).fetchone()[0] - len(chunk)
    names = sorted({n for row in chunk for n in row if n != "Id"} | set(audit))
    booleans = [so.fields[n].type == "boolean" for n in names]
    defaults = [audit.get(n) for n in names]
    ids = [str(row.get("Id") or make_id(prefix, first + i)) for i, row in enumerate(chunk)]

    def values(i: int, row: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = [ids[i]]
        for name, is_bool, default in zip(names, booleans, defaults, strict=True):
            value = row.get(name, default)
            if is_bool and value is not None:
                value = 1 if value else 0
            elif isinstance(value, datetime):
                value = db.format_datetime(value)
            out.append(value)
        return out

    db.insert_many(txn.conn, so, ["Id", *names], (values(i, row) for i, row in enumerate(chunk)))
    return ids
