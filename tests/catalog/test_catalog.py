"""The bundled catalog: counts, exact facts, lookups, dependencies, object-right rules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from leastforce.catalog import (
    Catalog,
    Dependency,
    LicenseKind,
    Risk,
    close_object_rights,
    implied_object_rights,
    load_catalog,
)
from leastforce.values.model import ObjectRight
from support.paths import ROOT, SHARED, missing, require

R = ObjectRight


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_counts_cover_the_v64_describe_and_newer(catalog: Catalog) -> None:
    baseline = [p for p in catalog.permissions.values() if p.baseline]
    assert len(baseline) == 386
    assert len(catalog.permissions) >= 386 + 2
    assert all(p.since_api is None for p in baseline)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("ManageInteraction", "Manage Flow"),
        ("ManageRemoteAccess", "Manage Connected Apps"),
        ("ManagePvtRptsAndDashbds", "Manage All Private Reports and Dashboards"),
        ("ManageNamedCredentials", "Allows users to modify Named Credentials and External Credentials"),
        ("CanApproveUninstalledApps", "Approve Uninstalled Connected Apps"),
        ("UseAnyApiClient", "Use Any API Client"),
        ("ViewSetup", "View Setup and Configuration"),
    ],
)
def test_exact_labels(catalog: Catalog, name: str, label: str) -> None:
    assert catalog.permissions[name].label == label
    assert catalog.find_permission(label) == catalog.permissions[name]


def test_newer_permissions_carry_a_version(catalog: Catalog) -> None:
    assert catalog.permissions["CanApproveUninstalledApps"].since_api == "67.0"
    assert catalog.permissions["UseAnyApiClient"].since_api == "63.0"
    assert not catalog.permissions["CanApproveUninstalledApps"].baseline
    assert catalog.permissions["UseAnyApiAuth"].verified is False


@pytest.mark.parametrize(
    "text", ["API Only User", "api only user", "  Api   Only User ", "PermissionsApiUserOnly", "apiuseronly"]
)
def test_find_permission_by_any_spelling(catalog: Catalog, text: str) -> None:
    found = catalog.find_permission(text)
    assert found is not None and found.name == "ApiUserOnly"


def test_find_permission_unknown_and_suggestions(catalog: Catalog) -> None:
    assert catalog.find_permission("ManageFlow") is None
    assert catalog.suggest_permissions("ManageFlow")[0] == "ManageInteraction"
    assert "ViewAllData" in catalog.suggest_permissions("View All Dta")
    assert len(catalog.suggest_permissions("View", limit=2)) <= 2


def test_sections_from_the_seed_guide(catalog: Catalog) -> None:
    flow = catalog.permissions["ManageInteraction"]
    assert (flow.section, flow.subsection) == ("App Permissions", "Flow and Flow Orchestration")
    for name in ("ManageSharing", "ViewAllUsers"):
        perm = catalog.permissions[name]
        assert (perm.section, perm.subsection) == ("System Permissions", "Users")
    assert catalog.permissions["EditCaseComments"].section == ""  # unknown stays blank


def test_risk_tiers(catalog: Catalog) -> None:
    assert Risk.CRITICAL.rank == 4 and Risk.LOW.rank == 1
    for name in ("ModifyAllData", "ViewAllData", "AuthorApex", "CustomizeApplication", "ModifyMetadata"):
        assert catalog.permissions[name].risk is Risk.CRITICAL, name
    assert catalog.permissions["ManageRemoteAccess"].risk is Risk.HIGH
    assert catalog.permissions["ApiEnabled"].risk is Risk.MEDIUM
    assert all(p.risk_reason for p in catalog.permissions.values() if p.risk)
    assert catalog.permissions["ActivateContract"].risk is None


def test_manage_users_dependencies_are_the_twelve(catalog: Catalog) -> None:
    assert catalog.required_permissions("ManageUsers") == {
        "AssignPermissionSets", "DelegatedTwoFactor", "FreezeUsers", "ManageInternalUsers",
        "ManageIpAddresses", "ManageLoginAccessPolicies", "ManagePasswordPolicies",
        "ManageProfilesPermissionsets", "ManageRoles", "ManageSharing", "MonitorLoginHistory",
        "ViewAllUsers",
    }  # fmt: skip


def test_dependencies_are_transitive(catalog: Catalog) -> None:
    apex = catalog.required_permissions("AuthorApex")
    assert {"ModifyAllData", "ViewAllData", "ViewSetup", "ModifyMetadata"} <= apex
    assert "AuthorApex" not in apex
    assert {"ViewAllData", "ViewSetup"} <= catalog.required_permissions("ModifyAllData")
    assert catalog.required_permissions("ActivateContract") == frozenset()


def test_required_object_rights(catalog: Catalog) -> None:
    assert dict(catalog.required_object_rights("EditCaseComments")) == {"Case": {R.READ, R.EDIT}}
    assert dict(catalog.required_object_rights("ApiEnabled")) == {}


def test_dependency_rows_name_known_permissions_and_sources(catalog: Catalog) -> None:
    for dep in catalog.dependencies:
        assert dep.permission in catalog.permissions, dep
        assert dep.source in catalog.sources, dep
        if dep.required_permission_type == "User Permission":
            assert dep.required_permission in catalog.permissions, dep
        else:
            assert re.fullmatch(
                r"\w+<(read|create|update|delete|viewAllRecords|modifyAllRecords)>", dep.required_permission
            )


def test_replace_dependencies_with_org_rows(catalog: Catalog) -> None:
    rows = [
        {"Permission": "CustomizeApplication", "PermissionType": "User Permission",
         "RequiredPermission": "ManageTranslation", "RequiredPermissionType": "User Permission"},
        {"Permission": "CustomizeApplication", "PermissionType": "User Permission",
         "RequiredPermission": "ManageTranslation", "RequiredPermissionType": "User Permission"},
        Dependency("ImportPersonal", "User Permission", "Account<create>", "Object Permission", "org"),
    ]  # fmt: skip
    live = catalog.replace_dependencies(rows)
    assert len(live.dependencies) == 2
    assert live.required_permissions("CustomizeApplication") == {"ManageTranslation"}
    assert live.required_permissions("ManageUsers") == frozenset()
    assert dict(live.required_object_rights("ImportPersonal")) == {"Account": {R.READ, R.CREATE}}
    assert catalog.required_permissions("ManageUsers")  # the original is untouched


@pytest.mark.parametrize(
    ("rights", "closed"),
    [
        ({R.CREATE}, {R.READ, R.CREATE}),
        ({R.EDIT}, {R.READ, R.EDIT}),
        ({R.VIEW_ALL_RECORDS}, {R.READ, R.VIEW_ALL_RECORDS}),
        ({R.DELETE}, {R.READ, R.EDIT, R.DELETE}),
        ({R.MODIFY_ALL_RECORDS}, {R.READ, R.EDIT, R.DELETE, R.VIEW_ALL_RECORDS, R.MODIFY_ALL_RECORDS}),
        ({R.VIEW_ALL_FIELDS}, {R.READ, R.VIEW_ALL_FIELDS}),
        (set(), set()),
    ],
)
def test_close_object_rights(rights: set[ObjectRight], closed: set[ObjectRight]) -> None:
    assert close_object_rights(rights) == closed
    assert close_object_rights(close_object_rights(rights)) == closed


def test_implied_object_rights() -> None:
    assert implied_object_rights(["ViewAllData"]) == {R.READ, R.VIEW_ALL_RECORDS}
    assert implied_object_rights(["PermissionsModifyAllData"]) == {
        R.READ, R.CREATE, R.EDIT, R.DELETE, R.VIEW_ALL_RECORDS, R.MODIFY_ALL_RECORDS,
    }  # fmt: skip
    assert implied_object_rights(["ApiEnabled", "RunReports"]) == frozenset()


def test_every_corpus_user_permission_is_known(catalog: Catalog) -> None:
    corpus = require(SHARED / "corpus", "corpus")
    names: dict[str, str] = {}
    for path in corpus.rglob("*"):
        if path.is_file() and "rest" not in path.relative_to(corpus).parts[:1]:
            text = path.read_text(errors="ignore")
            for match in re.finditer(r"<userPermissions>.*?<name>(\w+)</name>", text, re.S):
                names.setdefault(match.group(1), str(path))
    assert len(names) > 150
    unknown = {name: where for name, where in names.items() if name not in catalog.permissions}
    assert unknown == {}


def test_baseline_matches_the_reference_describe(catalog: Catalog) -> None:
    ref = require(SHARED / "reference" / "sobject-fields-v64.json", "reference describe")
    fields = json.loads(ref.read_text())["sobjects"]["PermissionSet"]["fields"]
    expected = {f["name"].removeprefix("Permissions") for f in fields if f["name"].startswith("Permissions")}
    assert {p.name for p in catalog.permissions.values() if p.baseline} == expected


def test_objects(catalog: Catalog) -> None:
    account = catalog.find_object("accounts")
    assert account is not None and (account.name, account.label, account.plural_label) == (
        "Account",
        "Account",
        "Accounts",
    )
    assert account.permissionable
    assert account.fields["Industry"].permissionable
    assert not account.fields["Id"].permissionable
    assert not account.fields["Name"].permissionable  # required: no field permissions
    assert not account.fields["CreatedDate"].permissionable
    for name in ("User", "Task", "Event", "CaseComment"):
        obj = catalog.objects[name]
        assert not obj.permissionable and obj.note, name
    incident = catalog.find_object("Incidents")
    assert incident is not None and incident.permissionable and incident.sources
    assert catalog.find_object("Opportunities").name == "Opportunity"  # type: ignore[union-attr]
    assert catalog.find_object("Nope") is None


def test_licenses(catalog: Catalog) -> None:
    integration = catalog.find_license("salesforce integration")
    assert integration is not None and integration.kind is LicenseKind.USER
    assert integration.standard_objects is False
    psl = catalog.find_license("SalesforceAPIIntegrationPsl")
    assert psl is not None and psl.name == "Salesforce API Integration"
    assert psl.kind is LicenseKind.PERMISSION_SET and psl.standard_objects
    assert integration.can_hold("ApiEnabled") is True
    assert integration.can_hold("ManageUsers") is None
    assert catalog.find_license("") is None


def test_standard_profiles(catalog: Catalog) -> None:
    admin = catalog.find_profile("system administrator")
    assert admin is not None and admin == catalog.find_profile("Admin")
    need = {"ModifyAllData", "ViewAllData", "CustomizeApplication", "ManageUsers", "AuthorApex", "ApiEnabled"}
    assert need <= admin.user_permissions
    assert admin.objects["Account"] == {
        R.READ, R.CREATE, R.EDIT, R.DELETE, R.VIEW_ALL_RECORDS, R.MODIFY_ALL_RECORDS,
    }  # fmt: skip
    assert "User" not in admin.objects  # User takes no object permissions
    api = catalog.find_profile("Minimum Access - API Only Integrations")
    assert api is not None and api.api_only and api.user_license == "Salesforce Integration"
    assert {"ApiEnabled", "ApiUserOnly"} <= api.user_permissions
    assert not api.user_permissions & {"ViewAllData", "ModifyAllData", "ViewSetup"}
    for profile in catalog.profiles.values():
        assert profile.user_license in catalog.licenses
        assert profile.user_permissions <= set(catalog.permissions), profile.name
        assert set(profile.objects) <= set(catalog.objects), profile.name


def test_every_fact_has_a_known_source(catalog: Catalog) -> None:
    for group in (catalog.permissions, catalog.objects, catalog.licenses, catalog.profiles):
        for value in group.values():
            assert value.sources and set(value.sources) <= set(catalog.sources), value


def test_nothing_loads_at_import_time() -> None:
    code = (
        "import importlib.resources as r, leastforce.catalog.loader as l\n"
        "calls = []\n"
        "orig = l._read\n"
        "l._read = lambda n: calls.append(n) or orig(n)\n"
        "import leastforce.catalog, leastforce.commands.catalog\n"
        "assert calls == [], calls\n"
        "assert l.load_catalog.cache_info().currsize == 0\n"
        "c = l.load_catalog()\n"
        "assert calls and l.load_catalog() is c\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_close_object_rights_laws_over_every_subset() -> None:
    """Exhaustive: closure is extensive, idempotent, monotone, and always contains Read when non-empty."""
    from itertools import combinations

    rights = list(ObjectRight)
    subsets = [frozenset(c) for n in range(len(rights) + 1) for c in combinations(rights, n)]
    for subset in subsets:
        closed = close_object_rights(subset)
        assert subset <= closed
        assert close_object_rights(closed) == closed
        assert not subset or R.READ in closed
        for other in subsets:
            if subset <= other:
                assert closed <= close_object_rights(other)


def test_find_is_case_and_space_insensitive_for_every_label(catalog: Catalog) -> None:
    for perm in catalog.permissions.values():
        found = catalog.find_permission(f"  {perm.label.upper()} ")
        assert found is not None
        # Two permissions may share a label (e.g. Access Insurance Lightning Components); the API name wins.
        assert found.label.casefold() == perm.label.casefold()
        assert catalog.find_permission(perm.name.lower()) == perm
        assert catalog.find_permission(perm.field_name) == perm


def test_integration_user_setup_facts(catalog: Catalog) -> None:
    """The facts the seed guides lean on, end to end."""
    integration = catalog.licenses["Salesforce Integration"]
    psl = catalog.licenses["Salesforce API Integration"]
    assert psl.requires_user_license == integration.name
    assert integration.api_only and not integration.standard_objects
    assert catalog.profiles["Minimum Access - API Only Integrations"].objects == {}
    assert "CanApproveUninstalledApps" in catalog.profiles["System Administrator"].user_permissions
    assert catalog.permissions["CanApproveUninstalledApps"].risk is Risk.HIGH


def test_generated_files_match_the_generator(tmp_path: Path) -> None:
    """The committed permissions.json / objects.json / system_administrator.json are what the tool writes."""
    import importlib.util

    tool = ROOT / "tools" / "gen_catalog.py"
    require(SHARED / "reference", "reference describes")
    if not tool.is_file():
        missing(f"generator not found at {tool}")
    spec = importlib.util.spec_from_file_location("gen_catalog", tool)
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.DATA = tmp_path
    argv = sys.argv
    sys.argv = ["gen_catalog.py"]
    try:
        gen.main()
    finally:
        sys.argv = argv
    data = ROOT / "src" / "leastforce" / "catalog" / "data"
    for name in ("permissions.json", "objects.json", "system_administrator.json"):
        assert (tmp_path / name).read_text() == (data / name).read_text(), name
