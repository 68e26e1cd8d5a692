"""Rules on assignments: PermissionSetAssignment, PermissionSetLicenseAssign, PermissionSetGroupComponent, User.

- duplicate assignment: DUPLICATE_VALUE "Duplicate PermissionSetAssignment. Assignee: <005...>; Permission Set:
  <0PS...>" (facts §8; punctuation UNVERIFIED);
- license gate: FIELD_INTEGRITY_EXCEPTION "Can't assign permission set <X> to user <Y>. The user license doesn't
  allow the permission: Read Accounts" (facts §5, seen in vendor guides and
  https://github.com/SalesforceLabs/MultiOrgSecuritySummary/issues/5);
- "If the PermissionSet has a UserLicenseId, its UserLicenseId and the Profile UserLicenseId must match."
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
- user license count: LICENSE_LIMIT_EXCEEDED "License Limit Exceeded" (https://thinbug.com/q/12602648,
  a SOAP create of a User);
- "up to one muting permission set per permission set group"; a muting set mutes only in its own group
  (https://help.salesforce.com/s/articleView?id=platform.perm_set_groups_muting.htm).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.rules import perms
from leastforce.emulator.rules.user_access import group_members
from leastforce.emulator.store.txn import Txn

_LIMIT = ApiError(400, "LICENSE_LIMIT_EXCEEDED", "License Limit Exceeded")


def assignment_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    user = txn.get("User", values["AssigneeId"])
    if user is None:
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("AssigneeId",))
    group_id, set_id = values.get("PermissionSetGroupId"), values.get("PermissionSetId")
    if group_id:
        aggregates = txn.find("PermissionSet", PermissionSetGroupId=group_id)
        if set_id and (not aggregates or aggregates[0]["Id"] != set_id):
            raise perms.integrity(
                "Specify either a permission set or a permission set group, not both", ("PermissionSetId",)
            )  # UNVERIFIED wording
        values["PermissionSetId"] = set_id = aggregates[0]["Id"] if aggregates else None
        sets = group_members(txn, group_id)[0]
    elif set_id:
        ps = txn.get("PermissionSet", set_id)
        if ps is None or ps["IsOwnedByProfile"] or ps["PermissionSetGroupId"]:
            # Profile-owned and group-aggregate sets are assigned through the profile / the group (UNVERIFIED).
            raise ApiError(
                400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("PermissionSetId",)
            )
        sets = [set_id]
    else:
        raise ApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [PermissionSetId]",
            ("PermissionSetId",),
        )
    duplicate = txn.find(
        "PermissionSetAssignment",
        AssigneeId=user["Id"],
        PermissionSetId=set_id,
        PermissionSetGroupId=group_id,
    )
    if duplicate:
        raise ApiError(
            400,
            "DUPLICATE_VALUE",
            f"Duplicate PermissionSetAssignment. Assignee: {user['Id']}; Permission Set: {set_id}",
        )
    for ps_id in sets:
        _check_assignable(txn, user, ps_id)
    values["IsActive"] = True
    return values


def _check_assignable(txn: Txn, user: Mapping[str, Any], ps_id: str) -> None:
    """The user's licenses allow what the permission set grants (license gate, PSL first)."""
    ps = txn.get("PermissionSet", ps_id)
    if ps is None:
        return
    profile = txn.get("Profile", user["ProfileId"])
    user_license = profile["UserLicenseId"] if profile else None
    prefix = f"Can't assign permission set {ps['Label']} to user {user['Name']}. "
    license_id = ps["LicenseId"]
    if license_id and txn.get("UserLicense", license_id) is not None and license_id != user_license:
        lic = txn.get("UserLicense", license_id)
        raise perms.integrity(
            prefix + f"The user license doesn't match the permission set license: "
            f"{lic['Name'] if lic else license_id}"
        )  # wording UNVERIFIED
    held_psls = {
        a["PermissionSetLicenseId"] for a in txn.find("PermissionSetLicenseAssign", AssigneeId=user["Id"])
    }
    if license_id and txn.get("PermissionSetLicense", license_id) is not None and license_id not in held_psls:
        denied = _denied_for_user(txn, ps, user_license, held_psls) or ["the permission set license"]
        raise perms.integrity(prefix + f"The user license doesn't allow the permission: {denied[0]}")
    denied = _denied_for_user(txn, ps, user_license, held_psls)
    if denied:
        raise perms.integrity(prefix + f"The user license doesn't allow the permission: {denied[0]}")


def _denied_for_user(txn: Txn, ps: Mapping[str, Any], user_license: str | None, psls: set[str]) -> list[str]:
    """What the set grants that neither the user license nor any held PSL allows."""
    enabled = {n for n in txn.sobject("PermissionSet").permission_names if ps["Permissions" + n]}
    objects = perms.object_flags_of(txn, ps["Id"])
    denied = perms.license_denials(txn, user_license, enabled, objects)
    if not denied or not psls:
        return denied
    # A held PSL that allows standard objects / the permission lifts the user license's limits.
    for psl_id in psls:
        if not perms.license_denials(txn, psl_id, enabled, {}):
            return []
    return denied


def license_assign_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    user = txn.get("User", values["AssigneeId"])
    psl = txn.get("PermissionSetLicense", values["PermissionSetLicenseId"])
    if user is None or psl is None:
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    existing = txn.find("PermissionSetLicenseAssign", AssigneeId=user["Id"], PermissionSetLicenseId=psl["Id"])
    if existing:
        # The Salesforce CLI treats a message starting "duplicate value found" as "already assigned"
        # (`sf org assign permsetlicense` is idempotent: salesforcecli/plugin-user,
        # src/commands/org/assign/permsetlicense.ts). The rest, as DUPLICATE_VALUE reads for a unique
        # index over two fields, is UNVERIFIED.
        raise ApiError(
            400,
            "DUPLICATE_VALUE",
            f"duplicate value found: <unknown> duplicates value on record with id: {existing[0]['Id']}",
        )
    if (
        psl["TotalLicenses"] is not None
        and txn.count("PermissionSetLicenseAssign", PermissionSetLicenseId=psl["Id"]) >= psl["TotalLicenses"]
    ):
        raise _LIMIT
    needed = _required_user_license(str(psl["MasterLabel"]))
    profile = txn.get("Profile", user["ProfileId"])
    lic = txn.get("UserLicense", profile["UserLicenseId"]) if profile else None
    if needed and (lic is None or lic["Name"] != needed):
        raise perms.integrity(
            f"The permission set license {psl['MasterLabel']} requires the {needed} user license"
        )  # wording UNVERIFIED
    return values


def _required_user_license(psl_label: str) -> str:
    lic = perms._catalog().find_license(psl_label)
    return str(getattr(lic, "requires_user_license", "") or "") if lic else ""


def component_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    group_id, member = values["PermissionSetGroupId"], values["PermissionSetId"]
    if txn.get("PermissionSetGroup", group_id) is None:
        raise ApiError(
            400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("PermissionSetGroupId",)
        )
    muting = txn.get("MutingPermissionSet", member)
    ps = txn.get("PermissionSet", member)
    if muting is None and (ps is None or ps["IsOwnedByProfile"] or ps["PermissionSetGroupId"]):
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("PermissionSetId",))
    if txn.find("PermissionSetGroupComponent", PermissionSetGroupId=group_id, PermissionSetId=member):
        raise ApiError(
            400,
            "DUPLICATE_VALUE",
            f"duplicate value found: PermissionSetId duplicates value on record with id: {member}",
        )  # UNVERIFIED wording
    if muting is not None:
        if group_members(txn, group_id)[1] is not None:
            raise perms.integrity(
                "A permission set group can contain only one muting permission set"
            )  # UNVERIFIED
        for comp in txn.find("PermissionSetGroupComponent", PermissionSetId=member):
            if comp["PermissionSetGroupId"] != group_id:
                raise perms.integrity(
                    "A muting permission set can be added to only one permission set group"
                )  # UNVERIFIED
    return values


def user_create(txn: Txn, values: dict[str, Any]) -> dict[str, Any]:
    _unique_username(txn, values["Username"], None)
    profile = txn.get("Profile", values["ProfileId"])
    if profile is None:
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("ProfileId",))
    values.setdefault("IsActive", True)
    values.setdefault("UserType", "Standard")
    if values["IsActive"]:
        _check_seat(txn, profile["UserLicenseId"])
    return values


def user_update(txn: Txn, old: Mapping[str, Any], changes: dict[str, Any]) -> None:
    if "Username" in changes:
        _unique_username(txn, changes["Username"], old["Id"])
    profile_id = changes.get("ProfileId", old["ProfileId"])
    profile = txn.get("Profile", profile_id)
    if profile is None:
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("ProfileId",))
    old_profile = txn.get("Profile", old["ProfileId"])
    active = changes.get("IsActive", old["IsActive"])
    old_license = old_profile["UserLicenseId"] if old_profile is not None else None
    takes_seat = active and (not old["IsActive"] or old_license != profile["UserLicenseId"])
    if takes_seat:
        _check_seat(txn, profile["UserLicenseId"])


def _check_seat(txn: Txn, license_id: str | None) -> None:
    lic = txn.get("UserLicense", license_id)
    if lic is None or lic["TotalLicenses"] is None:
        return
    used = sum(
        txn.count("User", ProfileId=p["Id"], IsActive=True)
        for p in txn.find("Profile", UserLicenseId=lic["Id"])
    )
    if used >= lic["TotalLicenses"]:
        raise _LIMIT


def _unique_username(txn: Txn, username: str, own_id: str | None) -> None:
    for row in txn.find_in("User", "Username", (username,)):
        if row["Id"] != own_id:
            # Salesforce's message; the "<br>" is in the original (UNVERIFIED in full).
            raise ApiError(
                400,
                "DUPLICATE_USERNAME",
                "Duplicate Username.<br>The username already exists in this "
                "or another Salesforce organization. Usernames must be unique across all Salesforce "
                "organizations. To resolve, use a different username (it doesn't need to match the "
                "user's email address).",
                ("Username",),
            )
