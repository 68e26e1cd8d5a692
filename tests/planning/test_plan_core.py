"""plan() as a pure function: desired setup + a hand-built CurrentOrg -> ChangeSet."""

from __future__ import annotations

from typing import Any

from leastforce.catalog import load_catalog
from leastforce.desired import MANAGED_MARKER
from leastforce.planning.changes import Action, CurrentOrg, FindingKind, Step
from leastforce.planning.diff import plan
from leastforce.values.model import ObjectRight, PermissionSet, Profile, User, frozen_map
from support.plan import desired_for

BASE = "Minimum Access - API Only Integrations"


def _org(**changes: Any) -> CurrentOrg:
    base = PermissionSet(
        name="X00e",
        id="0PS000000000001",
        is_owned_by_profile=True,
        user_permissions=frozenset({"ApiEnabled", "ApiUserOnly"}),
    )
    values: dict[str, Any] = {
        "profiles": frozen_map(
            {BASE: Profile(BASE, id="00e000000000001", user_license="Salesforce Integration")}
        ),
        "profile_sets": frozen_map({BASE: base}),
        "user_licenses": frozen_map(
            {"Salesforce Integration": "100000000000001", "Salesforce": "100000000000002"}
        ),
        "permission_set_licenses": frozen_map({"Salesforce API Integration": "0PL000000000001"}),
        "objects": frozenset({"Account", "Contact", "Lead"}),
    }
    return CurrentOrg(**(values | changes))


def test_empty_org_plans_everything_in_salesforce_order() -> None:
    _, desired = desired_for("upflow")
    changes = plan(desired, _org(), load_catalog(), username="u@example.com")
    steps = [c.step for c in changes.changes]
    assert steps == sorted(steps)
    assert [(c.sobject, c.action) for c in changes.changes][:2] == [
        ("Profile", Action.CREATE),
        ("PermissionSet", Action.CREATE),
    ]
    user = next(c for c in changes.changes if c.sobject == "User")
    assert dict(user.refs) == {"ProfileId": "Profile:Upflow API Profile"}
    assert {
        "TimeZoneSidKey",
        "LocaleSidKey",
        "EmailEncodingKey",
        "LanguageLocaleKey",
        "Alias",
        "Email",
    } <= set(user.values)
    assert not any("password" in k.lower() for c in changes.changes for k in c.values)
    assert changes.findings == ()


def test_missing_base_profile_package_set_and_license_are_blockers() -> None:
    _, desired = desired_for("elements")
    org = _org(profiles=frozen_map(), profile_sets=frozen_map(), user_licenses=frozen_map())
    changes = plan(desired, org, load_catalog(), username="u@example.com")
    blocked = {f.subject for f in changes.blockers}
    assert "Integration-Elements" in blocked  # its base profile is not there
    assert "Elements Admins" in blocked  # the package is not installed
    assert "Document" in blocked  # an object the org lacks


def test_managed_set_drift_is_removed_and_unmanaged_set_is_only_reported() -> None:
    _, desired = desired_for("upflow")
    wanted = desired.permission_set("Upflow_Permissions")
    managed = wanted.with_changes(
        id="0PS000000000009",
        user_permissions=wanted.user_permissions | {"ViewSetup"},
        objects=frozen_map({**wanted.objects, "Lead": frozenset({ObjectRight.READ})}),
    )
    changes = plan(desired, _org(permission_sets=frozen_map({"Upflow_Permissions": managed})), load_catalog())
    by_kind = {
        (c.sobject, c.action)
        for c in changes.changes
        if c.sobject != "Profile" and "ProfileSet" not in str(dict(c.refs))
    }
    assert by_kind == {("PermissionSet", Action.UPDATE), ("ObjectPermissions", Action.DELETE)}
    delete = next(c for c in changes.changes if c.action is Action.DELETE)
    assert delete.step is Step.ROWS_SHRINK and delete.before["SobjectType"] == "Lead"

    unmanaged = managed.with_changes(description="hand made")
    changes = plan(
        desired, _org(permission_sets=frozen_map({"Upflow_Permissions": unmanaged})), load_catalog()
    )
    assert not [
        c
        for c in changes.changes
        if c.sobject in ("PermissionSet", "ObjectPermissions") and "Upflow Permissions" in c.setup
    ]
    reported = [f for f in changes.findings if f.kind is FindingKind.UNMANAGED]
    assert len(reported) == 1
    assert "not changed; it grants beyond the manifest ViewSetup, Lead" in reported[0].message
    assert managed.description.startswith(MANAGED_MARKER)


def test_existing_user_on_another_profile_is_moved_and_can_be_moved_back() -> None:
    _, desired = desired_for("eventspark-flock")
    user = User(
        "u@example.com", id="005000000000001", profile_id="00e000000000009", profile_name="Standard User"
    )
    admin = Profile("System Administrator", id="00e000000000002", user_license="Salesforce")
    changes = plan(
        desired,
        _org(user=user, profiles=frozen_map({admin.name: admin})),
        load_catalog(),
        username="u@example.com",
    )
    move = next(c for c in changes.changes if c.sobject == "User")
    assert move.action is Action.UPDATE
    assert dict(move.values) == {"ProfileId": "00e000000000002"}
    assert dict(move.before) == {"ProfileId": "00e000000000009"}


def test_a_manifest_without_a_profile_leaves_an_existing_users_profile_alone() -> None:
    _, desired = desired_for("analytics-platform")
    user = User(
        "u@example.com", id="005000000000001", profile_id="00e000000000009", profile_name="Standard User"
    )
    minimum = Profile("Minimum Access - Salesforce", id="00e000000000002")
    changes = plan(
        desired,
        _org(user=user, profiles=frozen_map({minimum.name: minimum})),
        load_catalog(),
        username="u@example.com",
    )
    assert not [c for c in changes.changes if c.sobject == "User"]
    assert any("user u@example.com: exists" in m for m in changes.matches)


def test_without_a_username_only_sets_and_profile_are_planned() -> None:
    _, desired = desired_for("upflow")
    changes = plan(desired, _org(), load_catalog())
    assert not [c for c in changes.changes if c.step >= Step.USER]
    assert [f.kind for f in changes.findings] == [FindingKind.NOTE]


def test_api_terms_show_granted_flags_and_refs() -> None:
    _, desired = desired_for("upflow")
    changes = plan(desired, _org(), load_catalog(), username="u@example.com")
    row = next(c for c in changes.changes if c.sobject == "ObjectPermissions" and "Account" in c.setup)
    assert row.api() == (
        "POST ObjectPermissions {ParentId='<Id of PermissionSet:Upflow_Permissions>', PermissionsRead=true, "
        "PermissionsViewAllFields=true, PermissionsViewAllRecords=true, SobjectType='Account'}"
    )


def _with_entities(*entities: Any) -> Any:
    from dataclasses import replace

    _, desired = desired_for("upflow")
    upflow = desired.permission_sets[0].with_changes(setup_entities=frozenset(entities))
    return replace(desired, permission_sets=(upflow,))


def test_setup_entity_access_missing_in_the_org_blocks() -> None:
    from leastforce.values.model import SetupEntity, SetupEntityType

    desired = _with_entities(SetupEntity(SetupEntityType.APEX_CLASS, "UpflowSync"))
    changes = plan(desired, _org(), load_catalog())
    assert [f.subject for f in changes.blockers] == ["UpflowSync"]


def test_setup_entity_access_is_created_on_the_new_set() -> None:
    from leastforce.values.model import SetupEntity, SetupEntityType

    apex = SetupEntity(SetupEntityType.APEX_CLASS, "UpflowSync")
    cred = SetupEntity(SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL, "Flock-Flock")
    changes = plan(
        _with_entities(apex, cred), _org(entity_ids=frozen_map({apex: "01p000000000001"})), load_catalog()
    )
    rows = [c for c in changes.changes if c.sobject == "SetupEntityAccess"]
    assert [(c.action, dict(c.values), dict(c.refs)) for c in rows] == [
        (
            Action.CREATE,
            {"SetupEntityId": "01p000000000001"},
            {"ParentId": "PermissionSet:Upflow_Permissions"},
        )
    ]
    assert "Apex Class Access > UpflowSync" in rows[0].setup
    notes = [f for f in changes.findings if f.subject == "ExternalCredentialParameter:Flock-Flock"]
    assert notes and "not applied by leastforce" in notes[0].message


def test_a_set_a_package_installed_is_never_edited_even_with_the_marker() -> None:
    _, desired = desired_for("upflow")
    wanted = desired.permission_set("Upflow_Permissions")
    packaged = wanted.with_changes(
        id="0PS000000000009",
        namespace="upflow",
        user_permissions=wanted.user_permissions | {"ViewSetup"},
    )
    assert packaged.description.startswith(MANAGED_MARKER)
    changes = plan(
        desired, _org(permission_sets=frozen_map({"Upflow_Permissions": packaged})), load_catalog()
    )
    assert not [
        c for c in changes.changes if c.sobject in ("PermissionSet", "ObjectPermissions", "FieldPermissions")
    ]
    assert [f.kind for f in changes.findings if f.subject == "Upflow_Permissions"] == [FindingKind.UNMANAGED]


def test_a_declared_package_missing_or_too_old_is_a_blocker_with_its_link() -> None:
    from leastforce.values.packages import InstalledPackage

    _, desired = desired_for("elements")
    (package,) = desired.packages
    for installed, words in (
        ((), "is not installed"),
        ((InstalledPackage("elements", "Elements", (4, 2, 0)),), "is version 4.2, below 5.0"),
    ):
        changes = plan(desired, _org(installed_packages=installed), load_catalog())
        (blocker,) = [f for f in changes.blockers if f.subject == "Elements"]
        assert words in blocker.message and package.install_url in blocker.message
    ok = (InstalledPackage("elements", "Elements", (5, 0, 0)),)
    assert not [
        f
        for f in plan(desired, _org(installed_packages=ok), load_catalog()).blockers
        if f.subject == "Elements"
    ]
    assert not [
        f for f in plan(desired, _org(), load_catalog()).blockers if f.subject == "Elements"
    ]  # not read
