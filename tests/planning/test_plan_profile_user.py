"""plan() change by change for the profile, the user, its licenses and assignments, setup entity access and the
blockers found before any write. Hand-built values, no org (see test_plan_mutants.py; docs/mutation.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from leastforce.desired import MANAGED_MARKER, DesiredProfile, DesiredUser
from leastforce.planning.changes import Action, Finding, FindingKind, RowIds, Step
from leastforce.values.model import (
    FieldRight,
    ObjectRight,
    PermissionSet,
    Profile,
    SetupEntity,
    SetupEntityType,
    User,
    frozen_map,
)
from leastforce.values.packages import InstalledPackage, PackageSpec
from support.factories import make_catalog
from support.plan_values import API, MANAGED, PSL, SETUP, desired, flags, rows, run

R, C, E, D = ObjectRight.READ, ObjectRight.CREATE, ObjectRight.EDIT, ObjectRight.DELETE
BASE = "Minimum Access - API Only Integrations"
BASE_SET = PermissionSet(
    name="X00e",
    id="0PSbase",
    is_owned_by_profile=True,
    user_permissions=frozenset({"ApiEnabled", "PasswordNeverExpires"}),
    objects=frozen_map({"Account": frozenset({R}), "Lead": frozenset({R})}),
    fields=frozen_map({"Account.Phone": frozenset({FieldRight.READ})}),
)
OWN = PermissionSet(
    name="",
    description=f"{MANAGED_MARKER} (Up).",
    user_permissions=frozenset({"ApiEnabled", "ViewSetup"}),
    objects=frozen_map({"Account": frozenset({E}), "Contact": frozenset({R})}),
)
PROFILE = DesiredProfile(
    "Up API", based_on=BASE, permission_set=OWN, without=frozenset({"PasswordNeverExpires"})
)
ORG: dict[str, Any] = {
    "profiles": frozen_map({BASE: Profile(BASE, id="00ebase", user_license="Salesforce Integration")}),
    "profile_sets": frozen_map({BASE: BASE_SET}),
    "user_licenses": frozen_map({"Salesforce Integration": "100int", "Salesforce": "100sf"}),
}
USER = "svc@up.example"
UP = PermissionSet(name="Up_Perms", label="Up Perms", description=MANAGED)


def test_a_profile_is_cloned_from_its_base_with_the_manifests_rights_added() -> None:
    changes = run(desired(profile=PROFILE), **ORG)
    title = 'profile "Up API"'
    ref = {"ParentId": "ProfileSet:Up API"}
    assert rows(changes) == [
        (
            Step.PROFILE,
            Action.CREATE,
            "Profile",
            "Profile:Up API",
            f'Setup > Profiles > "{BASE}" > Clone: Profile Name "Up API", user license Salesforce Integration; '
            f"then System Permissions: enable {SETUP}",
            {
                "Name": "Up API",
                "UserLicenseId": "100int",
                "Description": f"{MANAGED_MARKER} (Up).",
                "PermissionsApiEnabled": True,
                "PermissionsViewSetup": True,
            },
            {},
            "",
            {},
        ),
        (
            Step.ROWS_GROW,
            Action.CREATE,
            "ObjectPermissions",
            f"{title}/Account",
            f"{title}, Object Settings > Account: grant Read, Edit",
            {"SobjectType": "Account", **flags(R, E)},
            ref,
            "",
            {},
        ),
        (
            Step.ROWS_GROW,
            Action.CREATE,
            "ObjectPermissions",
            f"{title}/Contact",
            f"{title}, Object Settings > Contact: grant Read",
            {"SobjectType": "Contact", **flags(R)},
            ref,
            "",
            {},
        ),
        (
            Step.ROWS_GROW,
            Action.CREATE,
            "ObjectPermissions",
            f"{title}/Lead",
            f"{title}, Object Settings > Lead: grant Read",
            {"SobjectType": "Lead", **flags(R)},
            ref,
            "",
            {},
        ),
        (
            Step.ROWS_GROW,
            Action.CREATE,
            "FieldPermissions",
            f"{title}/Account.Phone",
            f"{title}, Object Settings > Account > Field Permissions > Account.Phone: grant Read",
            {
                "SobjectType": "Account",
                "Field": "Account.Phone",
                "PermissionsRead": True,
                "PermissionsEdit": False,
            },
            ref,
            "",
            {},
        ),
    ]


def test_a_clone_adding_nothing_says_so_and_its_license_can_be_named() -> None:
    same = replace(
        PROFILE, user_license="Salesforce", permission_set=OWN.with_changes(user_permissions=frozenset())
    )
    profile = run(desired(profile=same), **ORG).changes[0]
    assert (
        profile.setup
        == f'Setup > Profiles > "{BASE}" > Clone: Profile Name "Up API", user license Salesforce'
    )
    assert profile.values["UserLicenseId"] == "100sf"
    assert "PermissionsPasswordNeverExpires" not in profile.values  # the manifest forbids it


def test_a_missing_base_profile_or_license_blocks_the_profile_and_the_user() -> None:
    changes = run(desired(profile=PROFILE), USER, **(ORG | {"profile_sets": frozen_map()}))
    assert changes.blockers == (
        Finding(FindingKind.BLOCKER, "Up API", f"base profile {BASE!r} is not in this org"),
    )
    assert changes.in_sync  # nothing to give the user: it is not created either
    changes = run(desired(profile=PROFILE), USER, **(ORG | {"user_licenses": frozen_map()}))
    assert changes.blockers == (
        Finding(FindingKind.BLOCKER, "Up API", "user license 'Salesforce Integration' is not in this org"),
    )
    assert changes.in_sync


OWNED = PermissionSet(
    name="X00eUp",
    id="0PSown",
    is_owned_by_profile=True,
    user_permissions=frozenset({"ApiEnabled", "PasswordNeverExpires"}),
    objects=frozen_map({"Account": frozenset({R, D}), "Lead": frozenset({R})}),
)
EXISTING = ORG | {
    "profiles": frozen_map({**ORG["profiles"], "Up API": Profile("Up API", id="00eup")}),
    "profile_sets": frozen_map({**ORG["profile_sets"], "Up API": OWNED}),
    "profile_descriptions": frozen_map({"Up API": f"{MANAGED_MARKER} (Up)."}),
    "row_ids": frozen_map({"0PSown": RowIds(objects=frozen_map({"Account": "110acc", "Lead": "110lead"}))}),
}


def test_a_profile_leastforce_made_gains_the_manifests_rights_and_keeps_its_others() -> None:
    changes = run(desired(profile=PROFILE), **EXISTING)
    title = 'profile "Up API"'
    assert rows(changes) == [
        (
            Step.PROFILE,
            Action.UPDATE,
            "Profile",
            "Profile:Up API",
            f"Setup > Profiles > Up API > System Permissions: enable {SETUP}; "
            "disable PasswordNeverExpires (not in the manifest)",
            {"PermissionsViewSetup": True, "PermissionsPasswordNeverExpires": False},
            {},
            "00eup",
            {"PermissionsViewSetup": False, "PermissionsPasswordNeverExpires": True},
        ),
        (
            Step.ROWS_GROW,
            Action.UPDATE,
            "ObjectPermissions",
            f"{title}/Account",
            f"{title}, Object Settings > Account: grant Edit",
            flags(R, E, D),  # Delete came from the base profile: kept
            {},
            "110acc",
            flags(R, D),
        ),
        (
            Step.ROWS_GROW,
            Action.CREATE,
            "ObjectPermissions",
            f"{title}/Contact",
            f"{title}, Object Settings > Contact: grant Read",
            {"ParentId": "0PSown", "SobjectType": "Contact", **flags(R)},
            {},
            "",
            {},
        ),
    ]
    assert f"{title}, Object Settings > Lead: Read" in changes.matches  # not in the manifest, not removed


def test_a_profile_leastforce_made_that_holds_everything_matches() -> None:
    holds = OWNED.with_changes(
        user_permissions=frozenset({"ApiEnabled", "ViewSetup"}),
        objects=frozen_map({**OWNED.objects, "Account": frozenset({R, E}), "Contact": frozenset({R})}),
    )
    changes = run(desired(profile=PROFILE), **(EXISTING | {"profile_sets": frozen_map({"Up API": holds})}))
    assert changes.in_sync
    assert changes.matches[0] == 'profile "Up API": exists, managed by leastforce, system permissions present'


def test_a_managed_profile_without_its_own_set_read_adds_every_permission() -> None:
    org = EXISTING | {"profile_sets": frozen_map({BASE: BASE_SET})}
    (change,) = run(desired(profile=PROFILE), **org).changes
    assert dict(change.values) == {"PermissionsApiEnabled": True, "PermissionsViewSetup": True}


def test_a_profile_leastforce_did_not_make_is_only_reported() -> None:
    hand_made = EXISTING | {"profile_descriptions": frozen_map({"Up API": "made by hand"})}
    changes = run(desired(profile=PROFILE), **hand_made)
    assert changes.in_sync
    (finding,) = [f for f in changes.findings if f.kind is FindingKind.UNMANAGED]
    assert finding == Finding(
        FindingKind.UNMANAGED,
        "Up API",
        'profile "Up API" exists but was not created by leastforce: not changed; it lacks ViewSetup; '
        "it holds PasswordNeverExpires, which the manifest forbids",
    )
    fine = OWNED.with_changes(user_permissions=frozenset({"ApiEnabled", "ViewSetup"}))
    changes = run(desired(profile=PROFILE), **(hand_made | {"profile_sets": frozen_map({"Up API": fine})}))
    assert changes.in_sync and not [f for f in changes.findings if f.kind is FindingKind.UNMANAGED]
    lacking = OWNED.with_changes(user_permissions=frozenset({"ApiEnabled"}))
    changes = run(desired(profile=PROFILE), **(hand_made | {"profile_sets": frozen_map({"Up API": lacking})}))
    assert changes.findings[0].message.endswith("not changed; it lacks ViewSetup")


def test_a_manifest_naming_no_profile_gives_the_user_the_licenses_minimum_one() -> None:
    want = desired(user=DesiredUser())
    changes = run(want, USER, profiles=frozen_map())
    assert changes.blockers == (
        Finding(
            FindingKind.BLOCKER,
            "Minimum Access - Salesforce",
            "profile 'Minimum Access - Salesforce' is not in this org",
        ),
    )
    assert changes.in_sync


def test_a_new_user_is_created_on_the_new_profile_with_its_licenses_and_sets() -> None:
    want = desired(
        UP,
        profile=PROFILE,
        user=DesiredUser(permission_set_licenses=(PSL,), api_only=True),
        assignments=("Up_Perms", "Pkg Set"),
    )
    org = ORG | {
        "permission_sets": frozen_map({"Pkg Set": PermissionSet(name="Pkg", id="0PSpkg", namespace="pk")})
    }
    changes = run(want, USER, **org)
    user, psl, up, pkg = changes.changes[-4:]
    assert (user.step, user.action, user.sobject, user.key) == (
        Step.USER,
        Action.CREATE,
        "User",
        f"User:{USER}",
    )
    assert dict(user.values) == {
        "Username": USER,
        "LastName": "Up Integration",
        "Email": USER,
        "Alias": "up",
        "TimeZoneSidKey": "GMT",
        "LocaleSidKey": "en_US",
        "EmailEncodingKey": "UTF-8",
        "LanguageLocaleKey": "en_US",
    }
    assert dict(user.refs) == {"ProfileId": "Profile:Up API"}
    assert user.setup == (
        f"Setup > Users > New User: Username {USER}, Last Name 'Up Integration', Alias up, Email {USER}, "
        "Profile Up API (API only, from its profile or permission set), Time Zone GMT, Locale English (United "
        "States), Language English, Email Encoding UTF-8"
    )
    assert rows(changes)[-3:] == [
        (
            Step.LICENSE_ASSIGNMENT,
            Action.CREATE,
            "PermissionSetLicenseAssign",
            f"{USER}/{PSL}",
            f"Setup > Users > {USER} > Permission Set License Assignments > Edit Assignments: {PSL}",
            {"PermissionSetLicenseId": "0PL000000000001"},
            {"AssigneeId": f"User:{USER}"},
            "",
            {},
        ),
        (
            Step.ASSIGNMENT,
            Action.CREATE,
            "PermissionSetAssignment",
            f"{USER}/Up_Perms",
            f"Setup > Users > {USER} > Permission Set Assignments > Edit Assignments: add Up_Perms",
            {},
            {"AssigneeId": f"User:{USER}", "PermissionSetId": "PermissionSet:Up_Perms"},
            "",
            {},
        ),
        (
            Step.ASSIGNMENT,
            Action.CREATE,
            "PermissionSetAssignment",
            f"{USER}/Pkg Set",
            f"Setup > Users > {USER} > Permission Set Assignments > Edit Assignments: add Pkg Set",
            {"PermissionSetId": "0PSpkg"},
            {"AssigneeId": f"User:{USER}"},
            "",
            {},
        ),
    ]
    assert (changes.username, psl.step, up.step, pkg.step) == (
        USER,
        Step.LICENSE_ASSIGNMENT,
        Step.ASSIGNMENT,
        Step.ASSIGNMENT,
    )


def test_a_new_users_alias_email_and_name_fit_salesforces_limits() -> None:
    long = "Up-Flow Sync 2024! " + "x" * 80
    changes = run(desired(integration=long), "svc.account")
    (user,) = changes.changes
    assert user.values["Alias"] == "upflowsy"
    assert user.values["Email"] == "svcaccou@example.invalid"  # no address: one from the username
    assert user.values["LastName"] == f"{long} Integration"[:80] and len(user.values["LastName"]) == 80
    assert dict(user.values)["ProfileId"] == "00e000000000001" and not user.refs
    assert "Profile Integration Profile, Time Zone" in user.setup  # no API only words: not asked
    (user,) = run(desired(integration="--- ---"), "svc").changes
    assert user.values["Alias"] == "intuser" and user.values["Email"] == "svc@example.invalid"


def test_no_username_or_a_template_one_plans_no_user() -> None:
    note = Finding(
        FindingKind.NOTE,
        "user",
        "no user named (pass --user USERNAME): user, licenses and assignments not planned",
    )
    for username in ("", "{{ vendor }}@up.example"):
        changes = run(desired(UP, assignments=("Up_Perms",)), username)
        assert changes.findings == (note,)
        assert [c.sobject for c in changes.changes] == ["PermissionSet"]
    want = replace(desired(UP), user=DesiredUser(profile="Integration Profile", username="from@manifest"))
    assert run(want).username == "from@manifest"
    assert run(want, "given@cli").username == "given@cli"


EXISTING_USER = User(USER, id="005u", profile_id="00eold", profile_name="Old Profile")


def test_an_existing_user_is_moved_to_the_profile_and_activated() -> None:
    changes = run(desired(), USER, user=EXISTING_USER, user_active=False)
    assert rows(changes) == [
        (
            Step.USER,
            Action.UPDATE,
            "User",
            f"User:{USER}",
            f"Setup > Users > {USER} > Edit: Profile Integration Profile (was Old Profile); Active (was inactive)",
            {"ProfileId": "00e000000000001", "IsActive": True},
            {},
            "005u",
            {"ProfileId": "00eold", "IsActive": False},
        )
    ]
    (move,) = run(desired(profile=PROFILE), USER, user=EXISTING_USER, **ORG).changes[-1:]
    assert (dict(move.values), dict(move.refs), dict(move.before)) == (
        {},
        {"ProfileId": "Profile:Up API"},
        {"ProfileId": "00eold"},
    )


def test_an_existing_user_already_right_is_a_match_and_its_grants_are_checked() -> None:
    user = replace(EXISTING_USER, profile_name="Integration Profile")
    want = desired(
        UP,
        user=DesiredUser(profile="Integration Profile", permission_set_licenses=(PSL, "Other PSL")),
        assignments=("Up_Perms", "Gone Set"),
    )
    org: dict[str, Any] = {
        "user": user,
        "licenses_held": frozenset({PSL}),
        "permission_sets": frozen_map({"Up_Perms": UP.with_changes(id="0PSup")}),
        "assigned": frozenset({"0PSup"}),
    }
    changes = run(want, USER, **org)
    assert changes.in_sync
    assert changes.matches[-3:] == (
        f"user {USER}: exists, profile Integration Profile, active",
        f"user {USER}: holds permission set license {PSL}",
        f"user {USER}: permission set Up_Perms assigned",
    )
    assert changes.blockers == (
        Finding(FindingKind.BLOCKER, "Other PSL", "permission set license 'Other PSL' is not in this org"),
        Finding(
            FindingKind.BLOCKER,
            "Gone Set",
            "package permission set 'Gone Set' is not in this org (install its package first)",
        ),
    )
    (assign,) = run(want, USER, **(org | {"assigned": frozenset()})).changes
    assert (dict(assign.values), dict(assign.refs)) == (
        {"AssigneeId": "005u", "PermissionSetId": "0PSup"},
        {},
    )
    (psl,) = run(want, USER, **(org | {"licenses_held": frozenset()})).changes
    assert dict(psl.values) == {"AssigneeId": "005u", "PermissionSetLicenseId": "0PL000000000001"}


def test_a_user_is_not_moved_when_the_manifest_names_no_profile_or_its_profile_is_blocked() -> None:
    changes = run(desired(user=DesiredUser()), USER, user=EXISTING_USER, profiles=frozen_map())
    assert changes.in_sync and changes.matches == (f"user {USER}: exists, profile Old Profile, active",)
    blocked = run(desired(user=DesiredUser(profile="Nowhere")), USER, user=EXISTING_USER)
    assert blocked.in_sync and [f.subject for f in blocked.blockers] == ["Nowhere"]


def test_without_a_user_to_give_them_to_licenses_and_sets_are_only_checked() -> None:
    want = desired(
        UP,
        user=DesiredUser(profile="Nowhere", permission_set_licenses=(PSL, "Other PSL")),
        assignments=("Up_Perms",),
    )
    changes = run(want, USER)
    assert [c.sobject for c in changes.changes] == ["PermissionSet"]
    assert [f.subject for f in changes.blockers] == ["Nowhere", "Other PSL"]


APEX = SetupEntity(SetupEntityType.APEX_CLASS, "UpSync")
PERM = SetupEntity(SetupEntityType.CUSTOM_PERMISSION, "Can_Push")
PAGE = SetupEntity(SetupEntityType.APEX_PAGE, "UpPage")
TAB = SetupEntity(SetupEntityType.TAB, "UpTab")


def test_setup_entity_access_is_granted_removed_or_noted() -> None:
    wanted = UP.with_changes(setup_entities=frozenset({APEX, PERM, PAGE, TAB}))
    have = UP.with_changes(id="0PSup")
    changes = run(
        desired(wanted),
        permission_sets=frozen_map({"Up_Perms": have}),
        entity_ids=frozen_map({APEX: "01pA", PERM: "0CPp"}),
        entity_rows=frozen_map({"0PSup": frozen_map({"01pA": "0J0a", "01pZ": "0J0z"})}),
    )
    title = 'permission set "Up Perms"'
    assert rows(changes) == [
        (
            Step.ROWS_GROW,
            Action.CREATE,
            "SetupEntityAccess",
            f"{title}/CustomPermission:Can_Push",
            f"{title}, Custom Permissions > Can_Push: enable",
            {"ParentId": "0PSup", "SetupEntityId": "0CPp"},
            {},
            "",
            {},
        ),
        (
            Step.ROWS_SHRINK,
            Action.DELETE,
            "SetupEntityAccess",
            f"{title}/01pZ",
            f"{title}: remove access to setup entity 01pZ (not in the manifest)",
            {},
            {},
            "0J0z",
            {"ParentId": "0PSup", "SetupEntityId": "01pZ"},
        ),
    ]
    assert f"{title}, Apex Class Access > UpSync: enabled" in changes.matches
    assert changes.findings[:2] == (
        Finding(FindingKind.BLOCKER, "UpPage", "ApexPage 'UpPage' is not in this org"),
        Finding(
            FindingKind.NOTE,
            "TabSet:UpTab",
            "not applied by leastforce: in Setup > Permission Sets > Up Perms, grant access to TabSet UpTab",
        ),
    )


def test_objects_and_custom_fields_missing_in_the_org_block_before_any_write() -> None:
    wanted = UP.with_changes(
        objects=frozen_map({"Account": frozenset({R}), "Gone__c": frozenset({R})}),
        fields=frozen_map(
            {
                "Account.Score__c": frozenset({FieldRight.READ}),
                "Account.Master__c": frozenset({FieldRight.READ}),
                "Account.Phone": frozenset({FieldRight.READ}),
                "Other.Thing__c": frozenset({FieldRight.READ}),
            }
        ),
    )
    own = OWN.with_changes(
        objects=frozen_map({"Case": frozenset({R})}),
        fields=frozen_map({"Lead.Rank__c": frozenset({FieldRight.READ})}),
    )
    want = desired(wanted, profile=replace(PROFILE, permission_set=own))
    org = ORG | {
        "objects": frozenset({"Account", "Lead"}),
        "custom_fields": frozenset({"Account.Master__c"}),
        "unprotected_fields": frozenset({"Account.Master__c"}),
    }
    blockers = [(f.subject, f.message) for f in run(want, **org).blockers]
    assert blockers == [
        ("Case", "object 'Case' is not in this org (feature off or not licensed)"),
        ("Gone__c", "object 'Gone__c' is not in this org (feature off or not licensed)"),
        ("Other", "object 'Other' is not in this org (feature off or not licensed)"),
        (
            "Account.Score__c",
            "custom field 'Account.Score__c' is not in this org: create it (or install the package that adds it) first",
        ),
        (
            "Lead.Rank__c",
            "custom field 'Lead.Rank__c' is not in this org: create it (or install the package that adds it) first",
        ),
        (
            "Account.Master__c",
            "custom field 'Account.Master__c' takes no field-level security in this org (its describe says "
            "permissionable: false, e.g. a required or master-detail field): leave it out of the manifest; "
            "Read on its object makes it readable",
        ),
    ]
    assert not run(want, **(org | {"objects": None})).blockers  # not read: nothing known
    assert [f.subject for f in run(want, **(org | {"custom_fields": None})).blockers] == [
        "Case",
        "Gone__c",
        "Other",
    ]


def test_declared_packages_missing_or_too_old_block_with_where_to_get_them() -> None:
    spec = PackageSpec("Up Connector", "upc", (2, 1, 0), install_url="https://up.example/install")
    bare = PackageSpec("Up Extra", "upx", (1, 0, 3))
    want = desired(packages=(spec, bare))
    old = (InstalledPackage("upc", "Up Connector", (2, 0, 5)),)
    assert [(f.kind, f.subject, f.message) for f in run(want, installed_packages=old).findings[:2]] == [
        (
            FindingKind.BLOCKER,
            "Up Connector",
            "package 'Up Connector' (upc) is version 2.0.5, below 2.1: upgrade it from https://up.example/install first",
        ),
        (
            FindingKind.BLOCKER,
            "Up Extra",
            "package 'Up Extra' (upx) 1.0.3 or later is not installed: install it first",
        ),
    ]
    assert not run(want).blockers
    new = (InstalledPackage("upc", "Up Connector", (2, 1, 0)), InstalledPackage("upx", "Up Extra", (1, 0, 3)))
    assert not run(want, installed_packages=new).blockers


def test_labels_come_from_the_catalog_and_unknown_permissions_keep_their_api_name() -> None:
    wanted = UP.with_changes(user_permissions=frozenset({"ApiEnabled", "NotInCatalog"}))
    change = run(desired(wanted)).changes[0]
    assert change.setup.endswith(f"System Permissions: enable {API}, NotInCatalog")
    assert make_catalog().find_permission("NotInCatalog") is None
