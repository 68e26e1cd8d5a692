"""desired_setup: where requirements land, dependency closure, any: choices, user, profile and roles."""

from __future__ import annotations

from functools import cache

import pytest

from leastforce.desired import (
    DESCRIPTION_LIMIT,
    MANAGED_MARKER,
    DesiredSetup,
    NeedKind,
    api_name,
    desired_setup,
    managed_description,
)
from leastforce.errors import Position
from leastforce.manifest.model import Feature, PermissionSetSpec, ProfileSpec, Role, UserSpec
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity, SetupEntityType
from leastforce.values.requirements import (
    AllOf,
    AnyOf,
    FieldReq,
    LicenseReq,
    ObjectReq,
    PackagePermissionSetReq,
    PermissionReq,
    PermissionSetLicenseReq,
    ProfileReq,
    SetupEntityReq,
)
from support.factories import make_catalog, make_manifest
from support.paths import ROOT

EXAMPLES = ROOT / "examples"
R = ObjectRight


@cache
def example(name: str) -> DesiredSetup:
    from leastforce.catalog import load_catalog
    from leastforce.manifest import load_manifest

    catalog = load_catalog()
    return desired_setup(load_manifest(EXAMPLES / f"{name}.yaml", catalog).manifest, catalog)


def test_requirements_land_in_the_set_that_claims_the_feature() -> None:
    sets = (
        PermissionSetSpec("Read_Set", "Read Set", features=("read",)),
        PermissionSetSpec("Rest_Set", "Rest Set"),
    )
    manifest = make_manifest(
        ("read", [ObjectReq("Account", frozenset({R.READ}), why="read accounts")]),
        ("api", [PermissionReq("ApiEnabled", why="REST")]),
        permission_sets=sets,
    )
    setup = desired_setup(manifest, make_catalog())
    read_set, rest_set = setup.permission_sets
    assert dict(read_set.objects) == {"Account": frozenset({R.READ})}
    assert read_set.user_permissions == frozenset()
    assert rest_set.user_permissions == frozenset({"ApiEnabled"})
    assert setup.assignments == ("Read_Set", "Rest_Set")


def test_a_set_named_after_the_integration_when_none_is_declared() -> None:
    manifest = make_manifest(
        ("api", [PermissionReq("ApiEnabled")]), permission_sets=(), integration="Acme CRM"
    )
    setup = desired_setup(manifest, make_catalog())
    assert [ps.name for ps in setup.permission_sets] == ["Acme_CRM_Integration"]
    assert setup.permission_sets[0].label == "Acme CRM Integration"


def test_dependencies_are_closed_and_explained() -> None:
    manifest = make_manifest(
        ("admin", [PermissionReq("ModifyAllData", why="x"), PermissionReq("EditCaseComments", why="y")]),
        (
            "write",
            [
                ObjectReq("Contact", frozenset({R.DELETE})),
                FieldReq("Account.Phone", frozenset({FieldRight.EDIT})),
            ],
        ),
    )
    setup = desired_setup(manifest, make_catalog())
    ps = setup.permission_sets[0]
    assert {"ModifyAllData", "ViewAllData", "ViewSetup", "EditCaseComments"} <= ps.user_permissions
    assert ps.objects["Case"] == frozenset({R.READ, R.EDIT})  # EditCaseComments needs Case<update>
    assert ps.objects["Contact"] == frozenset({R.READ, R.EDIT, R.DELETE})  # Delete needs Read + Edit
    assert ps.fields["Account.Phone"] == frozenset({FieldRight.READ, FieldRight.EDIT})
    added = {n.subject: n.required_by for n in setup.needs if n.required_by}
    assert ps.objects["Account"] == frozenset({R.READ, R.EDIT})  # field Edit needs object Read + Edit
    assert added == {
        "ViewAllData": "ModifyAllData",
        "ViewSetup": "ModifyAllData",
        "Case": "EditCaseComments",
        "Account": "Account.Phone",
    }


def test_object_fields_become_readable_fields() -> None:
    manifest = make_manifest(("sync", [ObjectReq("Contact", frozenset({R.READ}), fields=("Email",))]))
    ps = desired_setup(manifest, make_catalog()).permission_sets[0]
    assert dict(ps.fields) == {"Contact.Email": frozenset({FieldRight.READ})}


def test_setup_entities_go_in_the_set() -> None:
    entity = SetupEntity(SetupEntityType.CUSTOM_PERMISSION, "Can_Push")
    manifest = make_manifest(("push", [SetupEntityReq(entity, why="push")]))
    setup = desired_setup(manifest, make_catalog())
    assert setup.permission_sets[0].setup_entities == frozenset({entity})
    assert any(
        n.kind is NeedKind.SETUP_ENTITY and n.subject == "CustomPermission:Can_Push" for n in setup.needs
    )


def test_optional_features_follow_the_flags() -> None:
    manifest = make_manifest(
        ("sync", [ObjectReq("Account", frozenset({R.READ}))]),
        Feature("export", optional=True, requires=(ObjectReq("Account", frozenset({R.EDIT})),)),
    )
    catalog = make_catalog()
    without = desired_setup(manifest, catalog, with_optional=False)
    assert without.permission_sets[0].objects["Account"] == frozenset({R.READ})
    assert without.features == ("sync",)
    named = desired_setup(manifest, catalog, with_optional=False, features=["export"])
    assert named.permission_sets[0].objects["Account"] == frozenset({R.READ, R.EDIT})
    assert desired_setup(manifest, catalog).features == ("sync", "export")  # with_optional defaults to True
    with pytest.raises(KeyError):
        desired_setup(manifest, catalog, features=["nope"])


def test_any_prefers_a_permission_set_over_a_profile_and_scoped_over_org_wide() -> None:
    granular = AllOf(
        (
            PermissionReq("CustomizeApplication"),
            AnyOf((PermissionReq("ModifyAllData"), PermissionReq("ManageRemoteAccess"))),
        )
    )
    manifest = make_manifest(("install", [AnyOf((ProfileReq("System Administrator"), granular), why="apps")]))
    setup = desired_setup(manifest, make_catalog())
    outer, inner = setup.choices
    assert outer.chosen == 1 and "profile" in outer.reason
    assert inner.chosen_text == "ManageRemoteAccess" and inner.rejected == ("ModifyAllData",)
    ps = setup.permission_sets[0]
    assert {"CustomizeApplication", "ManageRemoteAccess"} <= ps.user_permissions
    assert "ModifyAllData" not in ps.user_permissions
    assert setup.user.profile == ""
    assert "Uses ManageRemoteAccess, not ModifyAllData" in ps.description


def test_any_prefers_object_access_over_view_all_data() -> None:
    objects = AllOf(
        tuple(ObjectReq(o, frozenset({R.READ, R.VIEW_ALL_RECORDS})) for o in ("Account", "Contact"))
    )
    manifest = make_manifest(("read", [AnyOf((PermissionReq("ViewAllData"), objects))]))
    setup = desired_setup(manifest, make_catalog())
    assert setup.choices[0].chosen == 1
    assert "ViewAllData" not in setup.permission_sets[0].user_permissions
    assert set(setup.permission_sets[0].objects) == {"Account", "Contact"}


def test_user_level_requirements_go_to_the_user() -> None:
    manifest = make_manifest(
        (
            "f",
            [
                LicenseReq(allowed=("Salesforce",), forbidden=("Salesforce Integration",)),
                PermissionSetLicenseReq("Salesforce API Integration"),
                PackagePermissionSetReq("Elements Admins", why="package"),
                ProfileReq("Custom Integration"),
            ],
        ),
        user=UserSpec(permission_set_licenses=("Salesforce API Integration",), username="int@x.com"),
    )
    setup = desired_setup(manifest, make_catalog())
    assert setup.user.licenses == ("Salesforce",)
    assert setup.user.not_licenses == ("Salesforce Integration",)
    assert setup.user.permission_set_licenses == ("Salesforce API Integration",)
    assert setup.user.profile == "Custom Integration"
    assert setup.user.username == "int@x.com"
    assert setup.package_permission_sets == ("Elements Admins",)
    assert setup.assignments == ("Upflow_Permissions", "Elements Admins")
    assert setup.permission_sets[0].user_permissions == frozenset()


def test_cloned_profile_carries_api_only() -> None:
    user = UserSpec(
        licenses=("Salesforce Integration",),
        profile=ProfileSpec("Upflow API Profile", "Minimum Access - API Only Integrations"),
        api_only=True,
    )
    setup = desired_setup(make_manifest(("sync", [PermissionReq("ApiEnabled")]), user=user), make_catalog())
    assert setup.profile is not None
    assert setup.profile.user_license == "Salesforce Integration"
    assert setup.profile.permission_set.user_permissions == frozenset({"ApiEnabled", "ApiUserOnly"})
    assert setup.profile.permission_set.is_owned_by_profile
    assert setup.user.profile == "Upflow API Profile" and setup.user.api_only
    assert "ApiUserOnly" not in setup.permission_sets[0].user_permissions


def test_api_only_without_a_cloned_profile_goes_in_the_set() -> None:
    user = UserSpec(profile=ProfileSpec("Existing Profile"), api_only=True, password_never_expires=True)
    setup = desired_setup(make_manifest(("sync", []), user=user), make_catalog())
    assert setup.profile is None and setup.user.profile == "Existing Profile"
    assert {"ApiEnabled", "ApiUserOnly", "PasswordNeverExpires"} <= setup.permission_sets[0].user_permissions


def test_role_setup() -> None:
    role = Role(
        "pusher",
        "Pushes data",
        (
            ProfileReq("System Administrator", why="admin"),
            PermissionReq("ManageNamedCredentials"),
            PackagePermissionSetReq("EventSpark Flock Integration"),
        ),
    )
    manifest = make_manifest(("push", []), roles=(role,), integration="EventSpark Flock")
    setup = desired_setup(manifest, make_catalog(), role="pusher")
    assert setup.role == "pusher"
    assert [ps.name for ps in setup.permission_sets] == ["EventSpark_Flock_pusher"]
    assert setup.permission_sets[0].user_permissions == frozenset({"ManageNamedCredentials"})
    assert setup.user.profile == "System Administrator"
    assert setup.assignments == ("EventSpark_Flock_pusher", "EventSpark Flock Integration")
    with pytest.raises(KeyError):
        desired_setup(manifest, make_catalog(), role="nobody")


def test_role_with_only_package_sets_gets_no_set() -> None:
    role = Role("viewer", requires=(PackagePermissionSetReq("Pkg Set"),))
    setup = desired_setup(make_manifest(("f", []), roles=(role,)), make_catalog(), role="viewer")
    assert setup.permission_sets == () and setup.assignments == ("Pkg Set",)


def test_descriptions_are_marked_and_fit() -> None:
    text = managed_description("Upflow", "x" * 400)
    assert text.startswith(f"{MANAGED_MARKER} (Upflow). ")
    assert len(text) <= DESCRIPTION_LIMIT and text.endswith("...")
    assert managed_description("Upflow", "Reads accounts") == f"{MANAGED_MARKER} (Upflow). Reads accounts."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EventSpark Flock", "EventSpark_Flock"),
        ("System - Elements Sync", "System_Elements_Sync"),
        ("1st", "X_1st"),
    ],
)
def test_api_name(text: str, expected: str) -> None:
    assert api_name(text) == expected


def test_needs_keep_positions() -> None:
    where = Position("m.yaml", 7, 9)
    setup = desired_setup(make_manifest(("f", [PermissionReq("ApiEnabled", position=where)])), make_catalog())
    assert setup.needs[0].position == where


# -- the bundled examples ---------------------------------------------------------------------------


def test_upflow_example() -> None:
    setup = example("upflow")
    ps = setup.permission_set("Upflow_Permissions")
    for obj in ("Account", "Contact"):
        assert {R.READ, R.VIEW_ALL_RECORDS, R.VIEW_ALL_FIELDS} <= ps.objects[obj]
    assert R.EDIT in ps.objects["Account"]  # optional export, included by default
    assert {"ApiEnabled", "CanApproveUninstalledApps"} <= ps.user_permissions
    assert ps.license == "Salesforce API Integration"
    assert setup.user.licenses == ("Salesforce Integration",)
    assert setup.user.permission_set_licenses == ("Salesforce API Integration",)
    assert setup.profile is not None and setup.profile.based_on == "Minimum Access - API Only Integrations"


def test_elements_example() -> None:
    ps = example("elements").permission_set("System_Elements_Sync")
    wanted = {
        "ManageInteraction",
        "ApiEnabled",
        "AuthorApex",
        "ManagePvtRptsAndDashbds",
        "RunReports",
        "ViewAllCustomSettings",
        "ViewAllData",
        "ManageSharing",
        "ViewAllUsers",
    }
    assert wanted <= ps.user_permissions
    assert example("elements").package_permission_sets == ("Elements Admins",)


def test_ticketing_example_picks_the_granular_way() -> None:
    setup = example("ticketing")
    ps = setup.permission_sets[0]
    assert "ManageRemoteAccess" in ps.user_permissions and "ModifyAllData" not in ps.user_permissions
    assert setup.user.profile != "System Administrator"
    assert R.MODIFY_ALL_RECORDS in ps.objects["Case"]


def test_dependency_of_a_required_permission_is_not_optional() -> None:
    manifest = make_manifest(
        Feature("extra", optional=True, requires=(PermissionReq("ModifyAllData"),)),
        ("core", [PermissionReq("ModifyAllData")]),
    )
    setup = desired_setup(manifest, make_catalog())
    dep = next(n for n in setup.needs if n.subject == "ViewAllData")
    assert dep.required_by == "ModifyAllData" and dep.feature == "core" and not dep.optional
