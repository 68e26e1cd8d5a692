"""Catalog facts about what takes no permissions: fields without FLS, objects without object permissions."""

from __future__ import annotations

import pytest

from leastforce.catalog import Catalog, NoFieldSecurity, field_security_exemption, load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("obj", "field", "exemption"),
    [
        ("Account", "Name", NoFieldSecurity.REQUIRED),
        ("Account", "Id", NoFieldSecurity.SYSTEM),
        ("Contact", "Id", NoFieldSecurity.SYSTEM),
        ("Account", "OwnerId", NoFieldSecurity.OWNER),
        ("Account", "CreatedDate", NoFieldSecurity.SYSTEM),
        ("Account", "CreatedById", NoFieldSecurity.SYSTEM),
        ("Account", "LastModifiedDate", NoFieldSecurity.SYSTEM),
        ("Account", "LastModifiedById", NoFieldSecurity.SYSTEM),
        ("Account", "SystemModstamp", NoFieldSecurity.SYSTEM),
        ("Account", "IsDeleted", NoFieldSecurity.SYSTEM),
        ("Account", "BillingAddress", NoFieldSecurity.COMPOUND),
        ("Opportunity", "StageName", NoFieldSecurity.REQUIRED),
        ("Contact", "LastName", NoFieldSecurity.REQUIRED),
    ],
)
def test_fields_without_field_level_security_say_why(
    catalog: Catalog, obj: str, field: str, exemption: NoFieldSecurity
) -> None:
    found = catalog.objects[obj].fields[field]
    assert not found.permissionable
    assert found.exemption is exemption
    assert found.not_permissionable_reason == exemption.value


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ("Account", "Industry"),
        ("Opportunity", "Description"),
        ("Contact", "Email"),
        ("Account", "BillingCity"),
    ],
)
def test_fields_with_field_level_security_have_no_reason(catalog: Catalog, obj: str, field: str) -> None:
    found = catalog.objects[obj].fields[field]
    assert found.permissionable and found.exemption is None and found.not_permissionable_reason == ""


def test_every_field_without_fls_has_a_reason(catalog: Catalog) -> None:
    for obj in catalog.objects.values():
        for field in obj.fields.values():
            assert field.permissionable == (field.not_permissionable_reason == ""), (obj.name, field.name)


def test_field_security_exemption_rule() -> None:
    assert field_security_exemption("Description", "textarea", True, True) is None
    # Booleans are never nillable yet take FLS; formula / roll-up style fields (not createable) take FLS.
    assert field_security_exemption("DoNotCall", "boolean", False, True) is None
    assert field_security_exemption("NumberOfLeads", "int", False, False) is None
    assert field_security_exemption("Name", "string", False, True) is NoFieldSecurity.REQUIRED
    assert field_security_exemption("OwnerId", "reference", False, True) is NoFieldSecurity.OWNER


@pytest.mark.parametrize(
    ("name", "parent"),
    [
        ("AccountHistory", "Account"),
        ("CaseHistory", "Case"),
        ("OpportunityFieldHistory", "Opportunity"),
        ("OpportunityHistory", "Opportunity"),
        ("AccountShare", "Account"),
        ("Invoice__History", "Invoice__c"),
        ("Invoice__Share", "Invoice__c"),
        ("AccountTeamMember", "Account"),
        ("OpportunityTeamMember", "Opportunity"),
        ("OpportunityStage", "Opportunity"),
    ],
)
def test_objects_without_object_permissions_say_what_grants_access(
    catalog: Catalog, name: str, parent: str
) -> None:
    found = catalog.object_without_permissions(name)
    assert found is not None and found.object == name and found.parent == parent
    assert parent in found.access_from and "{parent}" not in found.access_from + found.reason
    assert found.sources and set(found.sources) <= set(catalog.sources)


def test_catalog_objects_marked_without_permissions_are_covered(catalog: Catalog) -> None:
    task = catalog.object_without_permissions("task")
    assert task is not None and task.object == "Task" and "Access Activities" in task.access_from
    for obj in catalog.objects.values():
        assert (catalog.object_without_permissions(obj.name) is None) == obj.permissionable, obj.name


@pytest.mark.parametrize("name", ["Account", "Invoice__c", "LoginHistory", "History", "Share", "Nope"])
def test_objects_with_permissions_or_unknown_give_none(catalog: Catalog, name: str) -> None:
    assert catalog.object_without_permissions(name) is None


def test_setup_label_shown_describe_label_still_found(catalog: Catalog) -> None:
    perm = catalog.permissions["ApiUserOnly"]
    assert (perm.label, perm.describe_label) == ("API Only User", "Api Only User")
    for text in ("Api Only User", "API Only User", "api only user", "ApiUserOnly"):
        assert catalog.find_permission(text) == perm


@pytest.mark.parametrize("text", ["Session Security Level", "Lock sessions to the IP address", "Login Hours"])
def test_unrelated_names_get_no_suggestion(catalog: Catalog, text: str) -> None:
    assert catalog.suggest_permissions(text) == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("ManageFlow", "ManageInteraction"),
        ("View All Dta", "ViewAllData"),
        ("apex rest", "ApexRestServices"),
        ("Edit Evnts", "EditEvent"),
        ("PermissionsViewAlData", "ViewAllData"),
    ],
)
def test_close_names_are_suggested(catalog: Catalog, text: str, first: str) -> None:
    assert catalog.suggest_permissions(text)[0] == first


COMMON_INTEGRATION_PERMISSIONS = [
    "ModifyMetadata",
    "ManageUsers",
    "CustomizeApplication",
    "ViewSetup",
    "ApexRestServices",
    "InstallPackaging",
    "EditTask",
    "EditEvent",
    "ViewAllActivities",
    "ManageRemoteAccess",
    "ViewAllUsers",
    "ApiEnabled",
    "ApiUserOnly",
    "PasswordNeverExpires",
    "ManageProfilesPermissionsets",
    "AssignPermissionSets",
    "AuthorApex",
    "RunReports",
    "ExportReport",
    "ManageDashbdsInPubFolders",
    "ViewAllData",
    "ModifyAllData",
    "BulkApiHardDelete",
    "ViewEventLogFiles",
    "ManageDataIntegrations",
    "ManageSharing",
    "ManageInternalUsers",
    "TransferAnyEntity",
    "EmailMass",
    "EmailSingle",
    "ScheduleReports",
    "ManageInteraction",
    "RunFlow",
    "ManageNamedCredentials",
    "UseAnyApiClient",
    "CanApproveUninstalledApps",
    "ManageEncryptionKeys",
    "ViewEncryptedData",
    "ActivitiesAccess",
    "ManagePvtRptsAndDashbds",
    "ViewAllCustomSettings",
]


@pytest.mark.parametrize("name", COMMON_INTEGRATION_PERMISSIONS)
def test_common_integration_permissions_have_a_setup_section(catalog: Catalog, name: str) -> None:
    perm = catalog.permissions[name]
    assert perm.section in ("System Permissions", "App Permissions"), name
    assert set(perm.sources) <= set(catalog.sources)


def test_sourced_sections_win_over_unverified_ones(catalog: Catalog) -> None:
    assert catalog.permissions["ManageUsers"].section_verified  # DocuSign's steps place it
    assert "help-userperms" not in catalog.permissions["ManageUsers"].sources
    assert not catalog.permissions["EditEvent"].section_verified  # layout convention only
    flow = catalog.permissions["ManageInteraction"]
    assert (flow.section, flow.subsection, flow.section_verified) == (
        "App Permissions",
        "Flow and Flow Orchestration",
        True,
    )
    assert catalog.permissions["ManageCases"].subsection == "Call Center"


def _rows(catalog: Catalog, permission: str, required: str) -> list:
    return [
        d for d in catalog.dependencies if (d.permission, d.required_permission) == (permission, required)
    ]


@pytest.mark.parametrize("required", ["OverrideForecasts", "ViewAllForecasts"])
def test_modify_all_data_does_not_pull_in_forecasting(catalog: Catalog, required: str) -> None:
    # Only where forecasting is on: a real Admin.profile holds Modify All Data without them.
    assert required not in catalog.required_permissions("ModifyAllData")
    assert _rows(catalog, "ModifyAllData", required) == []


@pytest.mark.parametrize(
    ("permission", "required"),
    [("AuthorApex", "ModifyAllData"), ("ManageUsers", "FreezeUsers"), ("ManageUsers", "MonitorLoginHistory")],
)
def test_contradicted_dependency_rows_are_unverified(
    catalog: Catalog, permission: str, required: str
) -> None:
    rows = _rows(catalog, permission, required)
    assert rows and all(not row.verified for row in rows)


def test_sourced_dependency_rows_stay_verified(catalog: Catalog) -> None:
    for permission, required in [("ModifyAllData", "ViewAllData"), ("AuthorApex", "ModifyMetadata")]:
        rows = _rows(catalog, permission, required)
        assert rows and all(row.verified for row in rows)
