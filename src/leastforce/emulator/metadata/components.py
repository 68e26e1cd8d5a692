"""Deploy one component file of each supported type into the store (apply.py does the permission rows).

Each function returns True when it created the component, False when it changed an existing one, and
raises ParseProblem (with the file's line) when Salesforce would refuse it.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from leastforce.emulator.errors import ApiError
from leastforce.emulator.metadata.apply import Target, apply
from leastforce.emulator.metadata.content import read_content
from leastforce.emulator.metadata.xml import ParseProblem, children, line_of, local, text
from leastforce.emulator.store import writes
from leastforce.emulator.store.db import Row
from leastforce.emulator.store.txn import Caller, Txn


def _write(txn: Txn, caller: Caller, sobject: str, row: Row | None, values: dict[str, Any]) -> str:
    try:
        if row is None:
            return writes.create(txn, sobject, values, caller)
        writes.update(txn, sobject, row["Id"], values, caller)
        return str(row["Id"])
    except ApiError as exc:
        raise ParseProblem(exc.message, 1, 1) from None


def find_permission_set(txn: Txn, name: str) -> Row | None:
    """A regular (not profile-owned, not group-aggregate) permission set by API name."""
    for row in txn.find("PermissionSet", Name=name):
        if not row["IsOwnedByProfile"] and not row["PermissionSetGroupId"]:
            return row
    return None


def license_id(txn: Txn, label: str) -> str:
    """A user license (by Name) or a permission set license (by MasterLabel), as the file names it."""
    for sobject, key in (("UserLicense", "Name"), ("PermissionSetLicense", "MasterLabel")):
        found = txn.find(sobject, **{key: label})
        if found:
            return str(found[0]["Id"])
    raise ParseProblem(f"Invalid license: {label}", 1, 1)  # UNVERIFIED wording


def deploy_permission_set(txn: Txn, caller: Caller, name: str, root: etree._Element) -> bool:
    content = read_content(root, "PermissionSet")
    row = find_permission_set(txn, name)
    values: dict[str, Any] = {"Label": content.label or name, "Description": content.description or None}
    if content.license and row is None:
        values["LicenseId"] = license_id(txn, content.license)
    record_id = _write(txn, caller, "PermissionSet", row, values if row else {"Name": name, **values})
    apply(Target(txn, caller, "PermissionSet", record_id, record_id), content, replace=True)
    return row is None


def deploy_profile(txn: Txn, caller: Caller, name: str, root: etree._Element) -> bool:
    content = read_content(root, "Profile")
    found = txn.find("Profile", Name=name)
    row = found[0] if found else None
    if row is None:
        if not content.license:
            raise ParseProblem("Required field is missing: userLicense", line_of(root) or 1, 1)  # UNVERIFIED
        values = {"Name": name, "UserLicenseId": license_id(txn, content.license)}
        profile_id = _write(
            txn, caller, "Profile", None, {**values, "Description": content.description or None}
        )
    else:
        profile_id = str(row["Id"])
        if content.description:
            _write(txn, caller, "Profile", row, {"Description": content.description})
    owned = txn.find("PermissionSet", ProfileId=profile_id, IsOwnedByProfile=True)
    apply(Target(txn, caller, "Profile", profile_id, str(owned[0]["Id"])), content, replace=False)
    return row is None


def deploy_muting(txn: Txn, caller: Caller, name: str, root: etree._Element) -> bool:
    content = read_content(root, "MutingPermissionSet")
    found = txn.find("MutingPermissionSet", DeveloperName=name)
    row = found[0] if found else None
    values = {"MasterLabel": content.label or name}
    record_id = _write(
        txn, caller, "MutingPermissionSet", row, values if row else {"DeveloperName": name, **values}
    )
    apply(Target(txn, caller, "MutingPermissionSet", record_id, record_id), content, replace=True)
    return row is None


def deploy_group(txn: Txn, caller: Caller, name: str, root: etree._Element) -> bool:
    """A permission set group: label, description and its members, replaced by the file's list
    (permissionSets, mutingPermissionSets:
    https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionsetgroup.htm;
    replacing omitted members is UNVERIFIED)."""
    if local(root) != "PermissionSetGroup":
        raise ParseProblem(f"Error parsing file: Element {local(root)} is not a PermissionSetGroup", 1, 1)
    found = txn.find("PermissionSetGroup", DeveloperName=name)
    row = found[0] if found else None
    values = {"MasterLabel": text(root, "label") or name, "Description": text(root, "description") or None}
    group_id = _write(
        txn, caller, "PermissionSetGroup", row, values if row else {"DeveloperName": name, **values}
    )
    wanted: dict[str, int] = {}
    for el in children(root, "permissionSets") + children(root, "mutingPermissionSets"):
        member = (el.text or "").strip()
        ps = find_permission_set(txn, member) if local(el) == "permissionSets" else None
        muting = txn.find("MutingPermissionSet", DeveloperName=member) if ps is None else []
        target = ps or (muting[0] if muting else None)
        if target is None:
            raise ParseProblem(
                f"The permission set {member} doesn't exist", line_of(el) or 1, 1
            )  # UNVERIFIED
        wanted[str(target["Id"])] = line_of(el) or 1
    held = {
        str(c["PermissionSetId"]): c
        for c in txn.find("PermissionSetGroupComponent", PermissionSetGroupId=group_id)
    }
    for member_id, comp in held.items():
        if member_id not in wanted:
            writes.delete(txn, "PermissionSetGroupComponent", comp["Id"], caller)
    for member_id, line in wanted.items():
        if member_id not in held:
            try:
                writes.create(
                    txn,
                    "PermissionSetGroupComponent",
                    {"PermissionSetGroupId": group_id, "PermissionSetId": member_id},
                    caller,
                )
            except ApiError as exc:
                raise ParseProblem(exc.message, line, 1) from None
    return row is None
