"""Salesforce's rules on writes, each with its error code and message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store.org_store import Caller, OrgStore


@pytest.fixture
def store(tmp_path: Path):
    org = OrgStore.open(tmp_path / "org")
    yield org
    org.close()


@pytest.fixture
def admin(store: OrgStore) -> Caller:
    return Caller(store.admin_user_id)


def one(store: OrgStore, soql: str, admin: Caller) -> dict:
    records = store.query(soql, caller=admin).records
    assert len(records) == 1, records
    return records[0]


def make_user(store: OrgStore, admin: Caller, profile: str, name: str = "u") -> str:
    profile_id = one(store, f"SELECT Id FROM Profile WHERE Name = '{profile}'", admin)["Id"]
    return store.create(
        "User",
        {
            "Username": f"{name}@example.com",
            "LastName": name,
            "Email": f"{name}@example.com",
            "Alias": name[:8],
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "ProfileId": profile_id,
        },
        caller=admin,
    )


def error(fn, *args, **kwargs) -> ApiError:
    with pytest.raises(ApiError) as err:
        fn(*args, **kwargs)
    return err.value


def test_user_permission_dependencies(store: OrgStore, admin: Caller) -> None:
    err = error(
        store.create,
        "PermissionSet",
        {"Name": "P", "Label": "P", "PermissionsCustomizeApplication": True},
        caller=admin,
    )
    assert (err.error_code, err.message) == (
        "FIELD_INTEGRITY_EXCEPTION",
        "Permission CustomizeApplication depends on permission(s): ViewSetup",
    )
    ps = store.create(
        "PermissionSet",
        {"Name": "P", "Label": "P", "PermissionsCustomizeApplication": True, "PermissionsViewSetup": True},
        caller=admin,
    )
    err = error(store.update, "PermissionSet", ps, {"PermissionsViewSetup": False}, caller=admin)
    assert err.message == "Permission CustomizeApplication depends on permission(s): ViewSetup"


def test_user_permission_needing_an_object_permission(store: OrgStore, admin: Caller) -> None:
    ps = store.create("PermissionSet", {"Name": "C", "Label": "C"}, caller=admin)
    err = error(store.update, "PermissionSet", ps, {"PermissionsEditCaseComments": True}, caller=admin)
    assert (err.error_code, err.message) == (
        "FIELD_INTEGRITY_EXCEPTION",
        "Permission EditCaseComments depends on permission(s): Edit Case",
    )
    store.create(
        "ObjectPermissions",
        {"ParentId": ps, "SobjectType": "Case", "PermissionsRead": True, "PermissionsEdit": True},
        caller=admin,
    )
    store.update("PermissionSet", ps, {"PermissionsEditCaseComments": True}, caller=admin)
    case_row = one(store, f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{ps}'", admin)["Id"]
    err = error(store.update, "ObjectPermissions", case_row, {"PermissionsEdit": False}, caller=admin)
    assert err.message == "Permission EditCaseComments depends on permission(s): Edit Case"
    err = error(store.delete, "ObjectPermissions", case_row, caller=admin)
    assert err.message == "Permission EditCaseComments depends on permission(s): Edit Case"


def test_object_right_rules(store: OrgStore, admin: Caller) -> None:
    ps = store.create("PermissionSet", {"Name": "O", "Label": "O"}, caller=admin)
    err = error(
        store.create,
        "ObjectPermissions",
        {"ParentId": ps, "SobjectType": "Account", "PermissionsCreate": True},
        caller=admin,
    )
    assert (err.error_code, err.message) == (
        "FIELD_INTEGRITY_EXCEPTION",
        "Permission Create Account depends on permission(s): Read Account",
    )
    err = error(
        store.create,
        "ObjectPermissions",
        {"ParentId": ps, "SobjectType": "Account", "PermissionsRead": True, "PermissionsDelete": True},
        caller=admin,
    )
    assert err.message == "Permission Delete Account depends on permission(s): Edit Account"
    store.create(
        "ObjectPermissions", {"ParentId": ps, "SobjectType": "Account", "PermissionsRead": True}, caller=admin
    )
    dup = error(
        store.create,
        "ObjectPermissions",
        {"ParentId": ps, "SobjectType": "Account", "PermissionsRead": True},
        caller=admin,
    )
    assert dup.error_code == "DUPLICATE_VALUE"


def test_all_flags_false_deletes_the_row(store: OrgStore, admin: Caller) -> None:
    ps = store.create("PermissionSet", {"Name": "D", "Label": "D"}, caller=admin)
    row = store.create(
        "ObjectPermissions", {"ParentId": ps, "SobjectType": "Contact", "PermissionsRead": True}, caller=admin
    )
    store.update("ObjectPermissions", row, {"PermissionsRead": False}, caller=admin)
    assert (
        store.query(f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{ps}'", caller=admin).records == []
    )
    field = store.create(
        "FieldPermissions",
        {"ParentId": ps, "SobjectType": "Contact", "Field": "Contact.Email", "PermissionsRead": True},
        caller=admin,
    )
    store.update("FieldPermissions", field, {"PermissionsRead": False}, caller=admin)
    assert store.query(f"SELECT Id FROM FieldPermissions WHERE ParentId = '{ps}'", caller=admin).records == []
    err = error(store.create, "ObjectPermissions", {"ParentId": ps, "SobjectType": "Contact"}, caller=admin)
    assert err.error_code == "FIELD_INTEGRITY_EXCEPTION"


def test_field_permissions_only_for_permissionable_fields(store: OrgStore, admin: Caller) -> None:
    ps = store.create("PermissionSet", {"Name": "F", "Label": "F"}, caller=admin)
    err = error(
        store.create,
        "FieldPermissions",
        {"ParentId": ps, "SobjectType": "Account", "Field": "Account.Name", "PermissionsRead": True},
        caller=admin,
    )
    assert err.error_code == "FIELD_INTEGRITY_EXCEPTION" and "Account.Name" in err.message
    err = error(
        store.create,
        "FieldPermissions",
        {"ParentId": ps, "SobjectType": "Account", "Field": "Account.Industry", "PermissionsEdit": True},
        caller=admin,
    )
    assert err.message == "Permission Edit Account.Industry depends on permission(s): Read Account.Industry"
    # Lookups may be named with or without the trailing Id (API 50+).
    store.create(
        "FieldPermissions",
        {"ParentId": ps, "SobjectType": "Contact", "Field": "Contact.Account", "PermissionsRead": True},
        caller=admin,
    )
    assert (
        one(store, f"SELECT Field FROM FieldPermissions WHERE ParentId = '{ps}'", admin)["Field"]
        == "Contact.AccountId"
    )


def test_license_gate_on_permission_set_with_integration_license(store: OrgStore, admin: Caller) -> None:
    lic = one(store, "SELECT Id FROM UserLicense WHERE Name = 'Salesforce Integration'", admin)["Id"]
    ps = store.create("PermissionSet", {"Name": "I", "Label": "I", "LicenseId": lic}, caller=admin)
    err = error(
        store.create,
        "ObjectPermissions",
        {"ParentId": ps, "SobjectType": "Account", "PermissionsRead": True},
        caller=admin,
    )
    assert (err.error_code, err.message) == (
        "FIELD_INTEGRITY_EXCEPTION",
        "The user license doesn't allow the permission: Read Accounts",
    )


def test_assigning_standard_object_access_needs_the_integration_psl(store: OrgStore, admin: Caller) -> None:
    user = make_user(store, admin, "Minimum Access - API Only Integrations", "integ")
    ps = store.create("PermissionSet", {"Name": "Upflow", "Label": "Upflow Permissions"}, caller=admin)
    store.create(
        "ObjectPermissions", {"ParentId": ps, "SobjectType": "Account", "PermissionsRead": True}, caller=admin
    )
    err = error(
        store.create, "PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin
    )
    assert (err.error_code, err.message) == (
        "FIELD_INTEGRITY_EXCEPTION",
        "Can't assign permission set Upflow Permissions to user integ. "
        "The user license doesn't allow the permission: Read Accounts",
    )
    psl = one(
        store,
        "SELECT Id FROM PermissionSetLicense WHERE DeveloperName = 'SalesforceAPIIntegrationPsl'",
        admin,
    )
    store.create(
        "PermissionSetLicenseAssign", {"AssigneeId": user, "PermissionSetLicenseId": psl["Id"]}, caller=admin
    )
    psa = store.create("PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin)
    assert psa.startswith("0Pa")
    err = error(
        store.create, "PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin
    )
    assert (err.error_code, err.message) == (
        "DUPLICATE_VALUE",
        f"Duplicate PermissionSetAssignment. Assignee: {user}; Permission Set: {ps}",
    )
    err = error(
        store.create,
        "PermissionSetLicenseAssign",
        {"AssigneeId": user, "PermissionSetLicenseId": psl["Id"]},
        caller=admin,
    )
    assert err.error_code == "DUPLICATE_VALUE"
    assert (
        one(store, f"SELECT UsedLicenses FROM PermissionSetLicense WHERE Id = '{psl['Id']}'", admin)[
            "UsedLicenses"
        ]
        == 1
    )


def test_psl_licensed_set_needs_the_psl_first(store: OrgStore, admin: Caller) -> None:
    user = make_user(store, admin, "Minimum Access - API Only Integrations", "integ2")
    psl = one(store, "SELECT Id FROM PermissionSetLicense", admin)["Id"]
    ps = store.create(
        "PermissionSet",
        {"Name": "L", "Label": "L", "LicenseId": psl, "PermissionsApiEnabled": True},
        caller=admin,
    )
    err = error(
        store.create, "PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin
    )
    assert err.error_code == "FIELD_INTEGRITY_EXCEPTION"
    assert err.message.startswith(
        "Can't assign permission set L to user integ2. The user license doesn't allow"
    )
    store.create(
        "PermissionSetLicenseAssign", {"AssigneeId": user, "PermissionSetLicenseId": psl}, caller=admin
    )
    store.create("PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin)


def test_user_license_must_match_the_permission_set_license(store: OrgStore, admin: Caller) -> None:
    user = make_user(store, admin, "Minimum Access - API Only Integrations", "integ3")
    sf = one(store, "SELECT Id FROM UserLicense WHERE Name = 'Salesforce'", admin)["Id"]
    ps = store.create("PermissionSet", {"Name": "S", "Label": "S", "LicenseId": sf}, caller=admin)
    err = error(
        store.create, "PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin
    )
    assert err.error_code == "FIELD_INTEGRITY_EXCEPTION"


def test_integration_user_license_count(store: OrgStore, admin: Caller) -> None:
    for i in range(5):
        make_user(store, admin, "Minimum Access - API Only Integrations", f"i{i}")
    err = error(make_user, store, admin, "Minimum Access - API Only Integrations", "i5")
    assert (err.error_code, err.message) == ("LICENSE_LIMIT_EXCEEDED", "License Limit Exceeded")
    lic = one(store, "SELECT UsedLicenses FROM UserLicense WHERE Name = 'Salesforce Integration'", admin)
    assert lic["UsedLicenses"] == 5


def test_duplicate_username_and_permission_set_name(store: OrgStore, admin: Caller) -> None:
    make_user(store, admin, "Standard User", "dup")
    err = error(make_user, store, admin, "Standard User", "dup")
    assert err.error_code == "DUPLICATE_USERNAME"
    store.create("PermissionSet", {"Name": "Same", "Label": "Same"}, caller=admin)
    err = error(store.create, "PermissionSet", {"Name": "Same", "Label": "Other"}, caller=admin)
    assert err.error_code == "DUPLICATE_VALUE"


def test_profile_owned_sets_are_read_only_but_custom_profiles_update(store: OrgStore, admin: Caller) -> None:
    owned = one(
        store,
        "SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = true AND Profile.Name = 'Standard User'",
        admin,
    )["Id"]
    err = error(store.update, "PermissionSet", owned, {"PermissionsViewAllData": True}, caller=admin)
    assert err.error_code == "INSUFFICIENT_ACCESS_OR_READONLY"
    lic = one(store, "SELECT Id FROM UserLicense WHERE Name = 'Salesforce'", admin)["Id"]
    custom = store.create("Profile", {"Name": "Vendor API", "UserLicenseId": lic}, caller=admin)
    store.update("Profile", custom, {"PermissionsApiEnabled": True}, caller=admin)
    mirror = one(
        store,
        f"SELECT PermissionsApiEnabled, IsOwnedByProfile FROM PermissionSet WHERE ProfileId = '{custom}'",
        admin,
    )
    assert mirror["PermissionsApiEnabled"] is True and mirror["IsOwnedByProfile"] is True
    standard = one(store, "SELECT Id FROM Profile WHERE Name = 'Read Only'", admin)["Id"]
    err = error(store.update, "Profile", standard, {"PermissionsModifyAllData": True}, caller=admin)
    assert err.error_code == "INSUFFICIENT_ACCESS_OR_READONLY"


def test_groups_and_muting(store: OrgStore, admin: Caller) -> None:
    user = make_user(store, admin, "Standard User", "grouped")
    ps = store.create(
        "PermissionSet",
        {"Name": "G1", "Label": "G1", "PermissionsViewSetup": True, "PermissionsCustomizeApplication": True},
        caller=admin,
    )
    group = store.create("PermissionSetGroup", {"DeveloperName": "Grp", "MasterLabel": "Grp"}, caller=admin)
    other = store.create("PermissionSetGroup", {"DeveloperName": "Grp2", "MasterLabel": "Grp2"}, caller=admin)
    mute = store.create(
        "MutingPermissionSet",
        {"DeveloperName": "Mute", "MasterLabel": "Mute", "PermissionsCustomizeApplication": True},
        caller=admin,
    )
    store.create(
        "PermissionSetGroupComponent", {"PermissionSetGroupId": group, "PermissionSetId": ps}, caller=admin
    )
    store.create(
        "PermissionSetGroupComponent", {"PermissionSetGroupId": group, "PermissionSetId": mute}, caller=admin
    )
    err = error(
        store.create,
        "PermissionSetGroupComponent",
        {"PermissionSetGroupId": other, "PermissionSetId": mute},
        caller=admin,
    )
    assert err.error_code == "FIELD_INTEGRITY_EXCEPTION"
    mute2 = store.create(
        "MutingPermissionSet", {"DeveloperName": "Mute2", "MasterLabel": "Mute2"}, caller=admin
    )
    err = error(
        store.create,
        "PermissionSetGroupComponent",
        {"PermissionSetGroupId": group, "PermissionSetId": mute2},
        caller=admin,
    )
    assert err.error_code == "FIELD_INTEGRITY_EXCEPTION"
    psa = store.create(
        "PermissionSetAssignment", {"AssigneeId": user, "PermissionSetGroupId": group}, caller=admin
    )
    row = one(
        store,
        f"SELECT PermissionSetId, PermissionSet.Type FROM PermissionSetAssignment WHERE Id = '{psa}'",
        admin,
    )
    assert row["PermissionSet"]["Type"] == "Group"
    held = store.effective_permissions(user)
    assert "ViewSetup" in held and "CustomizeApplication" not in held
    aggregate = one(
        store,
        f"SELECT PermissionsViewSetup, PermissionsCustomizeApplication FROM PermissionSet "
        f"WHERE PermissionSetGroupId = '{group}'",
        admin,
    )
    assert (aggregate["PermissionsViewSetup"], aggregate["PermissionsCustomizeApplication"]) == (True, False)
    # The same permission from a direct assignment is not muted.
    store.create("PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin)
    assert "CustomizeApplication" in store.effective_permissions(user)


def test_expired_assignment_grants_nothing(store: OrgStore, admin: Caller) -> None:
    user = make_user(store, admin, "Standard User", "expiring")
    ps = store.create(
        "PermissionSet", {"Name": "E", "Label": "E", "PermissionsViewAllUsers": True}, caller=admin
    )
    psa = store.create(
        "PermissionSetAssignment",
        {
            "AssigneeId": user,
            "PermissionSetId": ps,
            "ExpirationDate": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        },
        caller=admin,
    )
    assert "ViewAllUsers" in store.effective_permissions(user)
    store.update(
        "PermissionSetAssignment", psa, {"ExpirationDate": "2020-01-01T00:00:00.000+0000"}, caller=admin
    )
    assert "ViewAllUsers" not in store.effective_permissions(user)


def test_callers_rights(store: OrgStore, admin: Caller) -> None:
    plain = Caller(make_user(store, admin, "Standard User", "plain"))
    err = error(store.create, "PermissionSet", {"Name": "N", "Label": "N"}, caller=plain)
    assert (err.error_code, err.message) == (
        "INSUFFICIENT_ACCESS_OR_READONLY",
        "insufficient access rights on object id",
    )
    ps = store.create("PermissionSet", {"Name": "N", "Label": "N"}, caller=admin)
    err = error(
        store.create,
        "PermissionSetAssignment",
        {"AssigneeId": plain.user_id, "PermissionSetId": ps},
        caller=plain,
    )
    assert err.error_code == "INSUFFICIENT_ACCESS_OR_READONLY"
    # Standard User may work with accounts, but a Minimum Access user has no Account access at all.
    store.create("Account", {"Name": "Mine"}, caller=plain)
    bare = Caller(make_user(store, admin, "Minimum Access - Salesforce", "bare"))
    err = error(store.query, "SELECT Id FROM Account", caller=bare)
    assert err.error_code == "INVALID_TYPE"
    err = error(store.create, "Account", {"Name": "No"}, caller=bare)
    assert err.error_code == "INSUFFICIENT_ACCESS_OR_READONLY"
    assigner = store.create(
        "PermissionSet",
        {"Name": "Assigner", "Label": "Assigner", "PermissionsAssignPermissionSets": True},
        caller=admin,
    )
    store.create(
        "PermissionSetAssignment", {"AssigneeId": plain.user_id, "PermissionSetId": assigner}, caller=admin
    )
    store.create(
        "PermissionSetAssignment", {"AssigneeId": plain.user_id, "PermissionSetId": ps}, caller=plain
    )


def test_deleting_a_permission_set_removes_its_rows(store: OrgStore, admin: Caller) -> None:
    user = make_user(store, admin, "Standard User", "del")
    ps = store.create("PermissionSet", {"Name": "Del", "Label": "Del"}, caller=admin)
    store.create(
        "ObjectPermissions", {"ParentId": ps, "SobjectType": "Lead", "PermissionsRead": True}, caller=admin
    )
    store.create("PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin)
    store.delete("PermissionSet", ps, caller=admin)
    assert (
        store.query(f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{ps}'", caller=admin).records == []
    )
    assert (
        store.query(
            f"SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = '{ps}'", caller=admin
        ).records
        == []
    )
    owned = one(
        store,
        "SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = true AND Profile.Name = 'Read Only'",
        admin,
    )["Id"]
    assert (
        error(store.delete, "PermissionSet", owned, caller=admin).error_code
        == "INSUFFICIENT_ACCESS_OR_READONLY"
    )


def test_changing_a_users_profile_moves_the_profile_assignment(store: OrgStore, admin: Caller) -> None:
    user = make_user(store, admin, "Standard User", "mover")
    read_only = one(store, "SELECT Id FROM Profile WHERE Name = 'Read Only'", admin)["Id"]
    store.update("User", user, {"ProfileId": read_only}, caller=admin)
    rows = store.query(
        f"SELECT PermissionSet.Profile.Name FROM PermissionSetAssignment WHERE AssigneeId = '{user}' "
        "AND PermissionSet.IsOwnedByProfile = true",
        caller=admin,
    ).records
    assert [r["PermissionSet"]["Profile"]["Name"] for r in rows] == ["Read Only"]


def test_objects_without_object_permissions(store: OrgStore, admin: Caller) -> None:
    ps = store.create("PermissionSet", {"Name": "T", "Label": "T"}, caller=admin)
    err = error(
        store.create,
        "ObjectPermissions",
        {"ParentId": ps, "SobjectType": "Task", "PermissionsRead": True},
        caller=admin,
    )
    assert err.error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    bare = Caller(make_user(store, admin, "Minimum Access - Salesforce", "tasks"))
    store.create("Task", {"Subject": "Call"}, caller=bare)
    assert len(store.query("SELECT Id FROM Task", caller=bare).records) == 1


def test_collection_update_rollback_keeps_ids(store: OrgStore, admin: Caller) -> None:
    acc = store.create("Account", {"Name": "Before"}, caller=admin)
    results = store.collection(
        "update",
        [
            {"attributes": {"type": "Account"}, "Id": acc, "Name": "After"},
            {"attributes": {"type": "Account"}, "Id": acc, "Bogus": 1},
        ],
        all_or_none=True,
        caller=admin,
    )
    assert (
        results[0]["id"] == acc
        and results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    )
    assert results[1]["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert store.get("Account", acc, ["Name"], caller=admin)["Name"] == "Before"


def test_field_level_security_hides_and_protects_fields(store: OrgStore, admin: Caller) -> None:
    user = make_user(store, admin, "Minimum Access - Salesforce", "fls")
    caller = Caller(user)
    ps = store.create("PermissionSet", {"Name": "Fls", "Label": "Fls"}, caller=admin)
    store.create(
        "ObjectPermissions",
        {
            "ParentId": ps,
            "SobjectType": "Account",
            "PermissionsRead": True,
            "PermissionsEdit": True,
            "PermissionsCreate": True,
        },
        caller=admin,
    )
    store.create("PermissionSetAssignment", {"AssigneeId": user, "PermissionSetId": ps}, caller=admin)
    acc = store.create("Account", {"Name": "Visible", "Industry": "Banking"}, caller=admin)
    assert store.query("SELECT Name FROM Account", caller=caller).records[0]["Name"] == "Visible"
    err = error(store.query, "SELECT Industry FROM Account", caller=caller)
    assert (
        err.error_code == "INVALID_FIELD" and "No such column 'Industry' on entity 'Account'" in err.message
    )
    assert "Industry" not in store.get("Account", acc, None, caller=caller)
    err = error(store.update, "Account", acc, {"Industry": "Energy"}, caller=caller)
    assert err.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    store.create(
        "FieldPermissions",
        {
            "ParentId": ps,
            "SobjectType": "Account",
            "Field": "Account.Industry",
            "PermissionsRead": True,
            "PermissionsEdit": True,
        },
        caller=admin,
    )
    store.update("Account", acc, {"Industry": "Energy"}, caller=caller)
    assert store.query("SELECT Industry FROM Account", caller=caller).records[0]["Industry"] == "Energy"
    # Standard profiles ship with field-level security on their objects.
    plain = Caller(make_user(store, admin, "Standard User", "std"))
    assert store.query("SELECT Industry FROM Account", caller=plain).records[0]["Industry"] == "Energy"
