"""Write a component as retrieve() returns it: the type's XML, elements in the Metadata API's alphabetical
order, only granted settings (enabled userPermissions, object/field rows that exist).
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from leastforce.emulator.metadata.content import ENTITY_ELEMENTS, OBJECT_FLAGS
from leastforce.emulator.store.db import Row
from leastforce.emulator.store.txn import Txn

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = "http://soap.sforce.com/2006/04/metadata"


def _el(name: str, value: object, indent: int = 1) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else escape(str(value))
    return f"{'    ' * indent}<{name}>{text}</{name}>\n"


def _block(name: str, leaves: Iterable[tuple[str, object]]) -> str:
    return f"    <{name}>\n" + "".join(_el(k, v, 2) for k, v in leaves) + f"    </{name}>\n"


def _doc(root: str, parts: list[tuple[str, str]]) -> bytes:
    body = "".join(text for _, text in sorted(parts, key=lambda p: p[0]))
    return f'{_HEAD}<{root} xmlns="{_NS}">\n{body}</{root}>\n'.encode()


def permission_parts(txn: Txn, sobject: str, record_id: str, parent_id: str) -> list[tuple[str, str]]:
    """The settings of a set as (element name, XML) pairs, to sort with the type's own elements."""
    parts: list[tuple[str, str]] = []
    for tag, (name_tag, entity_type, name_field) in ENTITY_ELEMENTS.items():
        for sea in txn.find("SetupEntityAccess", ParentId=parent_id):
            entity = (
                txn.get(entity_type, sea["SetupEntityId"]) if sea["SetupEntityType"] == entity_type else None
            )
            if entity is not None:
                parts.append(
                    (
                        f"{tag}:{entity[name_field]}",
                        _block(tag, [(name_tag, entity[name_field]), ("enabled", True)]),
                    )
                )
    for row in txn.find("FieldPermissions", ParentId=parent_id):
        leaves = [
            ("editable", bool(row["PermissionsEdit"])),
            ("field", row["Field"]),
            ("readable", bool(row["PermissionsRead"])),
        ]
        parts.append((f"fieldPermissions:{row['Field']}", _block("fieldPermissions", leaves)))
    for row in txn.find("ObjectPermissions", ParentId=parent_id):
        leaves = [(k, bool(row[f])) for k, f in OBJECT_FLAGS.items() if f in row]
        leaves.insert(5, ("object", row["SobjectType"]))
        parts.append((f"objectPermissions:{row['SobjectType']}", _block("objectPermissions", leaves)))
    holder = txn.get(sobject, record_id)
    for name in txn.sobject(sobject).permission_names if holder is not None else ():
        if holder is not None and holder["Permissions" + name]:
            parts.append(
                (f"userPermissions:{name}", _block("userPermissions", [("enabled", True), ("name", name)]))
            )
    return parts


def permission_set(txn: Txn, row: Row) -> bytes:
    parts = permission_parts(txn, "PermissionSet", row["Id"], row["Id"])
    parts.append(("hasActivationRequired", _el("hasActivationRequired", False)))
    parts.append(("label", _el("label", row["Label"])))
    if row["Description"]:
        parts.append(("description", _el("description", row["Description"])))
    license_name = _license(txn, row["LicenseId"])
    if license_name:
        parts.append(("license", _el("license", license_name)))
    return _doc("PermissionSet", parts)


def profile(txn: Txn, row: Row) -> bytes:
    owned = txn.find("PermissionSet", ProfileId=row["Id"], IsOwnedByProfile=True)
    parts = permission_parts(txn, "Profile", row["Id"], owned[0]["Id"]) if owned else []
    parts.append(("custom", _el("custom", bool(owned and owned[0]["IsCustom"]))))
    if row["Description"]:
        parts.append(("description", _el("description", row["Description"])))
    license_name = _license(txn, row["UserLicenseId"])
    if license_name:
        parts.append(("userLicense", _el("userLicense", license_name)))
    return _doc("Profile", parts)


def muting(txn: Txn, row: Row) -> bytes:
    parts = permission_parts(txn, "MutingPermissionSet", row["Id"], row["Id"])
    parts.append(("label", _el("label", row["MasterLabel"])))
    return _doc("MutingPermissionSet", parts)


def group(txn: Txn, row: Row) -> bytes:
    parts = [("hasActivationRequired", _el("hasActivationRequired", bool(row["HasActivationRequired"])))]
    parts.append(("label", _el("label", row["MasterLabel"])))
    if row["Description"]:
        parts.append(("description", _el("description", row["Description"])))
    parts.append(("status", _el("status", row["Status"] or "Updated")))
    for comp in txn.find("PermissionSetGroupComponent", PermissionSetGroupId=row["Id"]):
        ps = txn.get("PermissionSet", comp["PermissionSetId"])
        mute = txn.get("MutingPermissionSet", comp["PermissionSetId"]) if ps is None else None
        if ps is not None:
            parts.append((f"permissionSets:{ps['Name']}", _el("permissionSets", ps["Name"])))
        elif mute is not None:
            parts.append(
                (
                    f"mutingPermissionSets:{mute['DeveloperName']}",
                    _el("mutingPermissionSets", mute["DeveloperName"]),
                )
            )
    return _doc("PermissionSetGroup", parts)


def _license(txn: Txn, license_id: str | None) -> str:
    if not license_id:
        return ""
    user = txn.get("UserLicense", license_id)
    if user is not None:
        return str(user["Name"])
    psl = txn.get("PermissionSetLicense", license_id)
    return str(psl["MasterLabel"]) if psl is not None else ""
