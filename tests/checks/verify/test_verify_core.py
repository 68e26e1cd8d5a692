"""Verify scenarios: user checks, features, any:/all:, roles, fixes in Setup terms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leastforce.access.resolve import SourceKind, effective_access
from leastforce.checks.verify.check import Status, verify
from leastforce.manifest.model import Feature, PermissionSetSpec, ProfileSpec, Role, UserSpec
from leastforce.render.json.verify import verify_output
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity, SetupEntityType
from leastforce.values.requirements import (
    AllOf,
    AnyOf,
    FieldReq,
    ObjectReq,
    PackagePermissionSetReq,
    PermissionReq,
    SetupEntityReq,
)
from support.factories import (
    API_ONLY_PROFILE,
    INTEGRATION_USER,
    MIN_ACCESS,
    NOW,
    OrgBuilder,
    integration_org,
    make_catalog,
    make_manifest,
)

R = ObjectRight
CAT = make_catalog()
USER = "int@x.com"


def run(builder: OrgBuilder, *features, user=None, **kw):
    access = effective_access(builder.build(), USER, catalog=CAT)
    return verify(make_manifest(*features, user=user), access, CAT, **kw)


def only(result):
    """The single requirement result of the single feature."""
    [feature] = result.features
    [req] = feature.requirements
    return req


def test_everything_in_place_passes_with_sources():
    sync = (
        "sync",
        [ObjectReq("Account", frozenset({R.READ, R.VIEW_ALL_RECORDS})), PermissionReq("ApiEnabled")],
    )
    result = run(integration_org(), sync, user=INTEGRATION_USER)
    assert result.passed
    assert [r.status for r in result.user_checks] == [Status.PASSED] * 6
    obj, perm = result.features[0].requirements
    assert obj.satisfied_by[0].name == "Upflow_Permissions"
    assert perm.satisfied_by[0].kind is SourceKind.PROFILE


def test_missing_permission_set_license_fails_with_fix():
    builder = integration_org()
    builder._psls.clear()
    result = run(builder, user=INTEGRATION_USER)
    assert not result.passed
    [psl] = [r for r in result.user_checks if not r.passed]
    assert psl.fix == (
        "In Setup > Users > int@x.com > Permission Set License Assignments, click Edit Assignments,"
        ' check "Salesforce API Integration" and save. Assign it before the permission sets that need it.'
    )


def test_wrong_user_license_fails():
    builder = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"]).user(USER)
    result = run(builder, user=UserSpec(licenses=("Salesforce Integration",)))
    [lic] = [r for r in result.user_checks if not r.passed]
    assert lic.missing == ("license is Salesforce",)
    assert lic.fix.startswith(
        'int@x.com has the user license "Salesforce"; it needs "Salesforce Integration".'
    )


def test_forbidden_user_license_fails():
    builder = OrgBuilder().profile(MIN_ACCESS).user(USER)
    result = run(builder, user=UserSpec(not_licenses=("Salesforce",)))
    assert not result.passed
    assert "must not use" in result.user_checks[2].fix


def test_license_matches_by_developer_name():
    result = run(integration_org(), user=UserSpec(licenses=("SalesforceIntegration",)))
    assert result.passed


def test_inactive_user_fails_the_user_check_but_features_are_checked():
    builder = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"]).user(USER, active=False)
    result = run(builder, ("sync", [PermissionReq("ApiEnabled")]))
    assert not result.passed
    assert result.user_checks[0].status is Status.MISSING
    assert result.user_checks[0].fix == "In Setup > Users > int@x.com, click Edit, check Active and save."
    assert result.features[0].passed


def test_frozen_user_fails():
    result = run(OrgBuilder().user(USER, frozen=True))
    assert result.user_checks[1].fix == "In Setup > Users > int@x.com, click Unfreeze."


def test_wrong_profile_and_api_only_missing():
    builder = (
        OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"], license="Salesforce Integration").user(USER)
    )
    user = UserSpec(profile=ProfileSpec("Upflow API Profile", based_on=API_ONLY_PROFILE), api_only=True)
    result = run(builder, user=user)
    profile, api_only = result.user_checks[2:]
    assert (
        profile.fix
        == 'In Setup > Users > int@x.com, click Edit, set Profile to "Upflow API Profile" and save.'
    )
    assert api_only.fix == (
        'In Setup > Profiles > Upflow API Profile > System Permissions, click Edit, check "API Only User"'
        " (ApiUserOnly) and save."
    )


def test_missing_object_right_names_exactly_what_to_check():
    req = ObjectReq(
        "Account", frozenset({R.READ, R.VIEW_ALL_RECORDS, R.VIEW_ALL_FIELDS}), why="import accounts"
    )
    result = only(run(integration_org(), ("sync", [req])))
    assert result.status is Status.MISSING
    assert result.missing == ("View All Fields",)
    assert result.fix == (
        "In Setup > Permission Sets > Upflow Permissions > Object Settings > Accounts, click Edit,"
        " check View All Fields, and save."
    )


def test_modify_all_records_requires_its_closure():
    builder = (
        OrgBuilder()
        .permission_set("Upflow_Permissions", objects={"Case": "read,edit,delete,view_all_records"})
        .user(USER)
        .assign(USER, "Upflow_Permissions")
    )
    result = only(run(builder, ("tickets", [ObjectReq("Case", frozenset({R.MODIFY_ALL_RECORDS}))])))
    assert result.missing == ("Modify All Records",)
    builder = OrgBuilder().permission_set("Upflow_Permissions", objects={"Case": "read"}).user(USER)
    result = only(
        run(
            builder.assign(USER, "Upflow_Permissions"),
            ("t", [ObjectReq("Case", frozenset({R.MODIFY_ALL_RECORDS}))]),
        )
    )
    assert result.missing == ("Edit, Delete, View All Records, Modify All Records",)


def test_view_all_data_satisfies_read_on_any_object():
    builder = (
        OrgBuilder()
        .profile("System Administrator", perms=["ViewAllData"])
        .user(USER, profile="System Administrator")
    )
    result = only(run(builder, ("sync", [ObjectReq("Case", frozenset({R.READ, R.VIEW_ALL_RECORDS}))])))
    assert result.passed
    assert result.satisfied_by[0].via == "ViewAllData"


def test_field_requirement_needs_field_security_and_object_read():
    builder = integration_org()
    result = only(run(builder, ("f", [FieldReq("Account.Phone", frozenset({FieldRight.READ}))])))
    assert result.passed
    result = only(run(builder, ("f", [FieldReq("Contact.Email", frozenset({FieldRight.EDIT}))])))
    assert result.missing == ("field read", "field edit", "Read on Contact", "Edit on Contact")
    assert "under Field Permissions check Read Access and Edit Access for Email" in result.fix
    assert "Object Settings > Contacts, click Edit, check Read, Edit, and save." in result.fix


def test_field_edit_needs_object_edit():
    """Issue 12's false pass: field Read+Edit with object Read only must fail, with the object fix."""
    builder = OrgBuilder().permission_set(
        "Upflow_Permissions", objects={"Opportunity": "read"}, fields={"Opportunity.Description": "read,edit"}
    )
    builder.user(USER).assign(USER, "Upflow_Permissions")
    req = FieldReq("Opportunity.Description", frozenset({FieldRight.READ, FieldRight.EDIT}))
    result = only(run(builder, ("f", [req])))
    assert result.missing == ("Edit on Opportunity",)
    assert "Object Settings > Opportunit" in result.fix and "click Edit, check Edit, and save." in result.fix
    builder = OrgBuilder().permission_set(
        "Upflow_Permissions",
        objects={"Opportunity": "read,edit"},
        fields={"Opportunity.Description": "read,edit"},
    )
    builder.user(USER).assign(USER, "Upflow_Permissions")
    assert only(run(builder, ("f", [req]))).passed


def test_view_all_fields_satisfies_a_field_requirement():
    builder = OrgBuilder().permission_set("Upflow_Permissions", objects={"Contact": "read,view_all_fields"})
    builder.user(USER).assign(USER, "Upflow_Permissions")
    assert only(run(builder, ("f", [FieldReq("Contact.Email", frozenset({FieldRight.READ}))]))).passed


def test_object_requirement_with_fields():
    req = ObjectReq("Account", frozenset({R.READ}), fields=("Phone", "Name"))
    assert only(run(integration_org(), ("s", [req]))).passed  # Phone by FLS, Name has no FLS
    req = ObjectReq("Contact", frozenset({R.READ}), fields=("Email",))
    result = only(run(integration_org(), ("s", [req])))
    assert result.missing == ("Read", "field Email: read")
    assert result.fix == (
        "In Setup > Permission Sets > Upflow Permissions > Object Settings > Contacts, click Edit, check Read"
        " and under Field Permissions check Read Access for Email, and save."
    )


def test_any_of_passes_with_the_alternative_that_holds():
    builder = OrgBuilder().permission_set("Upflow_Permissions", perms=["ManageRemoteAccess"]).user(USER)
    builder.assign(USER, "Upflow_Permissions")
    req = AnyOf((PermissionReq("ModifyAllData"), PermissionReq("ManageRemoteAccess")))
    result = only(run(builder, ("apps", [req])))
    assert result.passed
    assert [a.status for a in result.alternatives] == [Status.MISSING, Status.PASSED]
    assert result.satisfied_by[0].name == "Upflow_Permissions"


def test_any_of_first_alternative_holds():
    builder = OrgBuilder().profile("System Administrator", perms=["ModifyAllData", "ViewAllData"])
    builder.user(USER, profile="System Administrator")
    req = AnyOf((PermissionReq("ModifyAllData"), PermissionReq("ManageRemoteAccess")))
    result = only(run(builder, ("apps", [req])))
    assert [a.status for a in result.alternatives] == [Status.PASSED, Status.MISSING]
    assert result.satisfied_by[0].kind is SourceKind.PROFILE


def test_any_of_missing_offers_each_alternative():
    req = AllOf(
        (
            PermissionReq("CustomizeApplication"),
            AnyOf((PermissionReq("ModifyAllData"), PermissionReq("ManageRemoteAccess"))),
        )
    )
    result = only(run(integration_org(), ("apps", [req])))
    assert result.status is Status.MISSING
    any_of = result.alternatives[1]
    assert any_of.fix.startswith(
        "Any one of: (1) In Setup > Permission Sets > Upflow Permissions > System Permissions"
    )
    assert (
        '(2) In Setup > Permission Sets > Upflow Permissions > System Permissions, click Edit, check "Manage Connected Apps"'
        in any_of.fix
    )
    assert result.fix.startswith(
        'In Setup > Permission Sets > Upflow Permissions > System Permissions, click Edit, check "Customize Application"'
    )


def test_all_of_passes_only_when_every_item_holds():
    req = AllOf((PermissionReq("ApiEnabled"), ObjectReq("Account", frozenset({R.READ}))))
    result = only(run(integration_org(), ("x", [req])))
    assert result.passed and len(result.satisfied_by) == 2


def test_set_not_assigned_adds_the_assignment_step():
    builder = OrgBuilder().permission_set("Upflow_Permissions", label="Upflow Permissions").user(USER)
    result = only(run(builder, ("x", [PermissionReq("ApiEnabled")])))
    assert result.fix == (
        'In Setup > Permission Sets > Upflow Permissions > System Permissions, click Edit, check "API Enabled"'
        " (ApiEnabled) and save. Then assign the set: Setup > Permission Sets > Upflow Permissions >"
        " Manage Assignments > Add Assignment, select int@x.com."
    )


def test_expired_assignment_is_named_in_the_fix():
    builder = (
        OrgBuilder()
        .permission_set("Upflow_Permissions", label="Upflow Permissions", perms=["ApiEnabled"])
        .user(USER)
        .assign(USER, "Upflow_Permissions", expires=NOW - timedelta(days=2))
    )
    result = only(run(builder, ("x", [PermissionReq("ApiEnabled")])))
    assert result.fix.endswith(
        " (permission set Upflow_Permissions would grant it, but its assignment expired on 2026-11-22:"
        " renew that assignment.)"
    )


def test_muting_is_named_in_the_fix():
    builder = (
        OrgBuilder()
        .permission_set("A", perms=["ApiEnabled"])
        .group("G", sets=["A"], muting={"perms": ["ApiEnabled"]})
        .user(USER)
        .assign(USER, "G")
    )
    result = only(run(builder, ("x", [PermissionReq("ApiEnabled")])))
    assert result.fix.endswith(
        " (permission set group G (via permission set A) grants it, but muting set G_Muting mutes it there.)"
    )


def test_permission_given_by_label_is_normalised():
    assert only(run(integration_org(), ("x", [PermissionReq("API Enabled")]))).passed


def test_setup_entity_requirement():
    entity = SetupEntity(SetupEntityType.CUSTOM_PERMISSION, "Can_Push")
    builder = OrgBuilder().permission_set("Upflow_Permissions", label="Upflow Permissions").user(USER)
    result = only(run(builder.assign(USER, "Upflow_Permissions"), ("x", [SetupEntityReq(entity)])))
    assert (
        result.fix
        == "In Setup > Permission Sets > Upflow Permissions > Custom Permissions, click Edit, add Can_Push and save."
    )
    builder = (
        OrgBuilder()
        .permission_set("Upflow_Permissions", setup=[entity])
        .user(USER)
        .assign(USER, "Upflow_Permissions")
    )
    assert only(run(builder, ("x", [SetupEntityReq(entity)]))).passed


def test_optional_features_only_when_asked():
    features = (
        Feature("sync", requires=(PermissionReq("ApiEnabled"),)),
        Feature("export", optional=True, requires=(PermissionReq("ModifyAllData"),)),
    )
    access = effective_access(integration_org().build(), USER, catalog=CAT)
    manifest = make_manifest(*features)
    assert [f.name for f in verify(manifest, access, CAT).features] == ["sync"]
    assert [f.name for f in verify(manifest, access, CAT, features=["export"]).features] == ["sync", "export"]
    result = verify(manifest, access, CAT, with_optional=True)
    assert not result.passed and result.features[1].optional
    with pytest.raises(KeyError):
        verify(manifest, access, CAT, features=["nope"])


def test_role_check_uses_the_role_requirements_only():
    role = Role(
        "pusher",
        requires=(
            PackagePermissionSetReq("EventSpark Flock Integration"),
            PermissionReq("ManageNamedCredentials"),
        ),
    )
    builder = (
        OrgBuilder()
        .profile("System Administrator", perms=["ModifyAllData", "ViewAllData"])
        .permission_set("Flock_Integration", label="EventSpark Flock Integration", namespace="evs")
        .permission_set("Custom_Modify_Credentials", perms=["ManageNamedCredentials"])
        .user(USER, profile="System Administrator")
        .assign(USER, "Flock_Integration")
    )
    access = effective_access(builder.build(), USER, catalog=CAT)
    manifest = make_manifest(("sync", [PermissionReq("ApiEnabled")]), roles=(role,), user=INTEGRATION_USER)
    result = verify(manifest, access, CAT, role="pusher")
    assert result.features == () and len(result.user_checks) == 2  # active, not frozen only
    package, creds = result.role.requirements
    assert package.passed and package.satisfied_by[0].name == "Flock_Integration"
    assert not creds.passed and not result.passed
    # The integration's own set is not where a role's permissions go.
    assert "(a permission set assigned to int@x.com)" in creds.fix


def test_package_permission_sets_from_desired():
    class Desired:
        package_permission_sets = ("EventSpark Flock Integration",)

    access = effective_access(integration_org().build(), USER, catalog=CAT)
    result = verify(make_manifest(), access, CAT, desired=Desired())
    [check] = [r for r in result.user_checks if not r.passed]
    assert check.fix.startswith(
        "In Setup > Permission Sets > EventSpark Flock Integration > Manage Assignments"
    )


def test_profile_unknown_is_not_checked_and_does_not_fail():
    snap = OrgBuilder().user(USER).build()
    from dataclasses import replace

    user = replace(snap.user_by_username(USER), profile_id="", profile_name="", user_license="")
    snap = replace(snap, users={user.id: user})
    access = effective_access(snap, USER, catalog=CAT)
    result = verify(
        make_manifest(user=UserSpec(licenses=("Salesforce",), profile=ProfileSpec("X"))), access, CAT
    )
    assert [r.status for r in result.user_checks[2:]] == [Status.NOT_CHECKED, Status.NOT_CHECKED]
    assert result.passed


def test_feature_set_declared_per_feature_is_used_in_fixes():
    sets = (
        PermissionSetSpec("Upflow_Read", "Upflow Read", features=("sync",)),
        PermissionSetSpec("Upflow_Write", "Upflow Write"),
    )
    access = effective_access(OrgBuilder().user(USER).build(), USER, catalog=CAT)
    manifest = make_manifest(
        ("sync", [PermissionReq("ApiEnabled")]), ("export", [PermissionReq("ApiEnabled")])
    )
    manifest = type(manifest)(**{**manifest.__dict__, "permission_sets": sets})
    result = verify(manifest, access, CAT)
    assert "Permission Sets > Upflow Read > System" in result.features[0].requirements[0].fix
    assert "Permission Sets > Upflow Write > System" in result.features[1].requirements[0].fix


def test_json_shape():
    sync = ("sync", [ObjectReq("Account", frozenset({R.READ}), why="import"), PermissionReq("ViewSetup")])
    data = verify_output(run(integration_org(), sync), CAT, api_calls=0).dump()
    assert data["passed"] is False
    feature = data["features"][0]
    assert (feature["name"], feature["passed"]) == ("sync", False)
    ok, missing = feature["requirements"]
    assert ok["passed"] and ok["satisfiedBy"][0] == {
        "kind": "permission_set",
        "name": "Upflow_Permissions",
        "via": "",
        "expires": None,
        "text": "permission set Upflow_Permissions",
    }
    assert (missing["status"], missing["requirement"]) == (
        "missing",
        "permission ViewSetup (View Setup and Configuration)",
    )
    assert missing["fix"].startswith("In Setup > Permission Sets > Upflow Permissions > System Permissions")
    import json

    json.dumps(data)  # plain JSON values only
