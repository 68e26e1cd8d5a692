"""plan() change by change for permission sets: which rows are created, widened, narrowed or deleted, with which
values, what undo would restore, in which order, and what is only reported. Hand-built values, no org, so
that mutation testing (`make mutation`, docs/mutation.md) can run them once per mutant."""

from __future__ import annotations

from leastforce.desired import MANAGED_MARKER
from leastforce.planning.changes import Action, Change, ChangeSet, Finding, FindingKind, RowIds, Step
from leastforce.values.model import FieldRight, ObjectRight, PermissionSet, frozen_map
from support.plan_values import API, MANAGED, PSL, SETUP, VIEW_ALL, desired, field_flags, flags, rows, run

R, C, E, D = ObjectRight.READ, ObjectRight.CREATE, ObjectRight.EDIT, ObjectRight.DELETE
SET_ID = "0PS000000000007"


def reported(changes: ChangeSet) -> tuple[Finding, ...]:
    """The findings but the note that no user is named (these tests plan sets only)."""
    no_user = Finding(
        FindingKind.NOTE,
        "user",
        "no user named (pass --user USERNAME): user, licenses and assignments not planned",
    )
    assert changes.findings[-1:] == (no_user,)
    return changes.findings[:-1]


WANTED = PermissionSet(
    name="Up_Perms",
    label="Up Perms",
    description=MANAGED,
    license=PSL,
    user_permissions=frozenset({"ViewSetup", "ApiEnabled"}),
    objects=frozen_map({"Contact": frozenset({R}), "Account": frozenset({R, E})}),
    fields=frozen_map({"Account.Phone": frozenset({FieldRight.READ})}),
)


def test_a_new_set_is_created_then_its_rows_each_refer_to_it() -> None:
    changes = run(desired(WANTED), permission_set_licenses=frozen_map({PSL: "0PL000000000001"}))
    ref = {"ParentId": "PermissionSet:Up_Perms"}
    title = 'permission set "Up Perms"'
    assert rows(changes) == [
        (
            Step.PERMISSION_SET,
            Action.CREATE,
            "PermissionSet",
            "PermissionSet:Up_Perms",
            f'Setup > Permission Sets > New: Label "Up Perms", API Name Up_Perms, license {PSL}; '
            f"System Permissions: enable {API}, {SETUP}",
            {
                "Name": "Up_Perms",
                "Label": "Up Perms",
                "Description": MANAGED,
                "LicenseId": "0PL000000000001",
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
            "FieldPermissions",
            f"{title}/Account.Phone",
            f"{title}, Object Settings > Account > Field Permissions > Account.Phone: grant Read",
            {"SobjectType": "Account", "Field": "Account.Phone", **field_flags(FieldRight.READ)},
            ref,
            "",
            {},
        ),
    ]
    assert reported(changes) == () and changes.matches == ()
    assert changes.integration == "Up" and not changes.in_sync


def test_a_set_without_label_or_permissions_is_named_by_its_api_name() -> None:
    bare = PermissionSet(name="Bare_Set", description=MANAGED)
    (change,) = run(desired(bare)).changes
    assert change.setup == 'Setup > Permission Sets > New: Label "Bare_Set", API Name Bare_Set'
    assert dict(change.values) == {"Name": "Bare_Set", "Label": "Bare_Set", "Description": MANAGED}


def test_a_license_missing_in_the_org_blocks_and_the_set_is_planned_without_it() -> None:
    changes = run(desired(WANTED), permission_set_licenses=frozen_map())
    assert changes.blockers == (
        Finding(FindingKind.BLOCKER, "Up_Perms", f"license {PSL!r} is not in this org"),
    )
    assert "LicenseId" not in changes.changes[0].values


def test_a_user_license_can_be_a_sets_license() -> None:
    on_user_license = WANTED.with_changes(license="Salesforce")
    changes = run(
        desired(on_user_license),
        user_licenses=frozen_map({"Salesforce": "100000000000002"}),
        permission_set_licenses=frozen_map({"Salesforce": "0PL000000000009"}),  # a PSL of that name wins
    )
    assert changes.changes[0].values["LicenseId"] == "0PL000000000009"
    changes = run(
        desired(on_user_license),
        user_licenses=frozen_map({"Salesforce": "100000000000002"}),
        permission_set_licenses=frozen_map(),
    )
    assert changes.changes[0].values["LicenseId"] == "100000000000002" and not changes.blockers


HAVE = PermissionSet(
    name="Up_Perms",
    label="Old Label",
    id=SET_ID,
    description=f"{MANAGED_MARKER} (Up). Old.",
    license=PSL,
    user_permissions=frozenset({"ApiEnabled", "ViewAllData"}),
    objects=frozen_map(
        {
            "Account": frozenset({R, E}),  # keeps Read, Edit
            "Case": frozenset({R, C}),  # Create out, Edit in: narrowed and widened at once
            "Lead": frozenset({R}),  # not in the manifest: deleted
            "Opportunity": frozenset({R}),  # gains Edit
        }
    ),
    fields=frozen_map({"Account.Phone": frozenset({FieldRight.READ, FieldRight.EDIT})}),
)
IDS = RowIds(
    objects=frozen_map({"Account": "110A", "Case": "110C", "Lead": "110L", "Opportunity": "110O"}),
    fields=frozen_map({"Account.Phone": "01kP"}),
)


def test_a_managed_set_is_brought_exactly_to_the_manifest() -> None:
    wanted = WANTED.with_changes(
        objects=frozen_map(
            {
                "Account": frozenset({R, E}),
                "Case": frozenset({R, E}),
                "Contact": frozenset({R}),
                "Opportunity": frozenset({R, E}),
            }
        )
    )
    changes = run(
        desired(wanted),
        permission_sets=frozen_map({"Up_Perms": HAVE}),
        row_ids=frozen_map({SET_ID: IDS}),
    )
    title = 'permission set "Up Perms"'
    where = f"{title}, Object Settings >"
    assert rows(changes) == [
        (
            Step.ROWS_GROW,
            Action.CREATE,
            "ObjectPermissions",
            f"{title}/Contact",
            f"{where} Contact: grant Read",
            {"ParentId": SET_ID, "SobjectType": "Contact", **flags(R)},
            {},
            "",
            {},
        ),
        (
            Step.ROWS_GROW,
            Action.UPDATE,
            "ObjectPermissions",
            f"{title}/Opportunity",
            f"{where} Opportunity: grant Edit",
            flags(R, E),
            {},
            "110O",
            flags(R),
        ),
        (
            Step.SET_UPDATE,
            Action.UPDATE,
            "PermissionSet",
            "PermissionSet:Up_Perms",
            f"Setup > Permission Sets > Old Label: enable {SETUP}; disable {VIEW_ALL} (not in the manifest); "
            f"Label 'Up Perms' (was 'Old Label'); Description {MANAGED!r} (was '{MANAGED_MARKER} (Up). Old.')",
            {
                "PermissionsViewSetup": True,
                "PermissionsViewAllData": False,
                "Label": "Up Perms",
                "Description": MANAGED,
            },
            {},
            SET_ID,
            {
                "PermissionsViewSetup": False,
                "PermissionsViewAllData": True,
                "Label": "Old Label",
                "Description": f"{MANAGED_MARKER} (Up). Old.",
            },
        ),
        (
            Step.ROWS_SHRINK,
            Action.UPDATE,
            "ObjectPermissions",
            f"{title}/Case",
            f"{where} Case: grant Edit; remove Create (not in the manifest)",
            flags(R, E),
            {},
            "110C",
            flags(R, C),
        ),
        (
            Step.ROWS_SHRINK,
            Action.DELETE,
            "ObjectPermissions",
            f"{title}/Lead",
            f"{where} Lead: remove Read (not in the manifest)",
            {},
            {},
            "110L",
            {"ParentId": SET_ID, "SobjectType": "Lead", **flags(R)},
        ),
        (
            Step.ROWS_SHRINK,
            Action.UPDATE,
            "FieldPermissions",
            f"{title}/Account.Phone",
            f"{where} Account > Field Permissions > Account.Phone: remove Edit (not in the manifest)",
            field_flags(FieldRight.READ),
            {},
            "01kP",
            field_flags(FieldRight.READ, FieldRight.EDIT),
        ),
    ]
    assert changes.matches == (f"{where} Account: Read, Edit",)
    assert reported(changes) == ()


def test_a_field_row_losing_its_last_right_is_deleted_with_what_undo_needs() -> None:
    wanted = HAVE.with_changes(fields=frozen_map())
    changes = run(
        desired(wanted),
        permission_sets=frozen_map({"Up_Perms": HAVE}),
        row_ids=frozen_map({SET_ID: IDS}),
    )
    (delete,) = changes.changes
    assert (delete.step, delete.action, delete.record_id) == (Step.ROWS_SHRINK, Action.DELETE, "01kP")
    assert dict(delete.before) == {
        "ParentId": SET_ID,
        "SobjectType": "Account",
        "Field": "Account.Phone",
        **field_flags(FieldRight.READ, FieldRight.EDIT),
    }
    assert delete.setup.endswith("Account.Phone: remove Read, Edit (not in the manifest)")
    assert len(changes.matches) == 5  # the set itself and its four object rows


def test_a_managed_set_that_matches_is_only_listed_as_matching() -> None:
    changes = run(desired(HAVE), permission_sets=frozen_map({"Up_Perms": HAVE}))
    assert changes.in_sync and reported(changes) == ()
    title = 'permission set "Old Label"'
    assert changes.matches == (
        f"{title}: exists, managed by leastforce, system permissions match",
        f"{title}, Object Settings > Account: Read, Edit",
        f"{title}, Object Settings > Case: Read, Create",
        f"{title}, Object Settings > Lead: Read",
        f"{title}, Object Settings > Opportunity: Read",
        f"{title}, Object Settings > Account > Field Permissions > Account.Phone: Read, Edit",
    )


def test_an_empty_label_or_description_in_the_manifest_leaves_the_orgs_alone() -> None:
    wanted = HAVE.with_changes(label="", description="")
    changes = run(desired(wanted), permission_sets=frozen_map({"Up_Perms": HAVE}))
    assert changes.in_sync
    assert (
        changes.matches[0]
        == 'permission set "Up_Perms": exists, managed by leastforce, system permissions match'
    )


def test_a_license_the_set_was_created_without_is_noted_not_changed() -> None:
    unlicensed = HAVE.with_changes(license="")
    changes = run(
        desired(HAVE),
        permission_sets=frozen_map({"Up_Perms": unlicensed}),
        permission_set_licenses=frozen_map({PSL: "0PL000000000001"}),
    )
    assert changes.in_sync
    assert reported(changes) == (
        Finding(
            FindingKind.NOTE,
            "Up_Perms",
            f'permission set "Old Label" has license (none), the manifest says {PSL}: delete the set in Setup '
            "and apply again to recreate it with that license",
        ),
    )
    other = HAVE.with_changes(license="Other PSL")
    changes = run(
        desired(HAVE),
        permission_sets=frozen_map({"Up_Perms": other}),
        permission_set_licenses=frozen_map({PSL: "0PL000000000001"}),
    )
    assert "has license Other PSL, the manifest says" in reported(changes)[0].message


def test_a_set_leastforce_did_not_create_is_only_reported() -> None:
    hand_made = HAVE.with_changes(description="made by hand")
    wanted = HAVE.with_changes(
        user_permissions=frozenset({"ApiEnabled", "ViewSetup"}),
        objects=frozen_map({**HAVE.objects, "Account": frozenset({R, E, D}), "Lead": frozenset()}),
        fields=frozen_map(
            {"Account.Phone": frozenset({FieldRight.READ}), "Contact.Email": frozenset({FieldRight.READ})}
        ),
    )
    changes = run(desired(wanted), permission_sets=frozen_map({"Up_Perms": hand_made}))
    assert changes.in_sync
    assert reported(changes) == (
        Finding(
            FindingKind.UNMANAGED,
            "Up_Perms",
            'permission set "Old Label" exists but was not created by leastforce: not changed; '
            "it lacks ViewSetup, Account, Contact.Email; it grants beyond the manifest ViewAllData, Lead, Account.Phone",
        ),
    )


def test_an_unmanaged_set_lacking_only_or_granting_only_beyond_says_just_that() -> None:
    hand_made = HAVE.with_changes(description="")
    lacking = HAVE.with_changes(user_permissions=HAVE.user_permissions | {"ViewSetup"})
    (finding,) = reported(run(desired(lacking), permission_sets=frozen_map({"Up_Perms": hand_made})))
    assert finding.message.endswith("not changed; it lacks ViewSetup")
    beyond = HAVE.with_changes(objects=frozen_map({**HAVE.objects, "Case": frozenset({R})}))
    (finding,) = reported(run(desired(beyond), permission_sets=frozen_map({"Up_Perms": hand_made})))
    assert finding.message.endswith("not changed; it grants beyond the manifest Case")
    changes = run(desired(HAVE), permission_sets=frozen_map({"Up_Perms": hand_made}))
    assert reported(changes) == () and changes.matches == (
        'permission set "Old Label": exists (not managed by leastforce) and grants exactly what is needed',
    )


def test_a_package_set_is_never_changed_even_with_the_marker() -> None:
    packaged = HAVE.with_changes(namespace="up")
    changes = run(desired(WANTED), permission_sets=frozen_map({"Up_Perms": packaged}))
    assert changes.in_sync
    assert [f.kind for f in reported(changes)] == [FindingKind.UNMANAGED]


def test_changes_are_ordered_by_step_keeping_each_steps_own_order() -> None:
    second = PermissionSet(
        name="B_Set", label="B", description=MANAGED, objects=frozen_map({"Account": frozenset({R})})
    )
    changes = run(
        desired(WANTED.with_changes(license=""), second),
        permission_sets=frozen_map({"B_Set": PermissionSet(name="B_Set", id="0PSB", description=MANAGED)}),
    )
    assert [(c.step, c.key) for c in changes.changes] == [
        (Step.PERMISSION_SET, "PermissionSet:Up_Perms"),
        (Step.ROWS_GROW, 'permission set "Up Perms"/Account'),
        (Step.ROWS_GROW, 'permission set "Up Perms"/Contact'),
        (Step.ROWS_GROW, 'permission set "Up Perms"/Account.Phone'),
        (Step.ROWS_GROW, 'permission set "B"/Account'),
        (Step.SET_UPDATE, "PermissionSet:B_Set"),
    ]


def test_api_terms_of_each_verb() -> None:
    create = Change(
        Step.ROWS_GROW,
        Action.CREATE,
        "ObjectPermissions",
        "k",
        "s",
        frozen_map({"SobjectType": "Lead", "PermissionsRead": True, "PermissionsEdit": False}),
        frozen_map({"ParentId": "PermissionSet:X"}),
    )
    assert create.api() == (
        "POST ObjectPermissions {ParentId='<Id of PermissionSet:X>', PermissionsRead=true, SobjectType='Lead'}"
    )
    update = Change(
        Step.ROWS_SHRINK,
        Action.UPDATE,
        "ObjectPermissions",
        "k",
        "s",
        frozen_map({"PermissionsRead": True, "PermissionsEdit": False}),
        record_id="110A",
    )
    assert update.api() == "PATCH ObjectPermissions 110A {PermissionsEdit=false, PermissionsRead=true}"
    delete = Change(Step.ROWS_SHRINK, Action.DELETE, "ObjectPermissions", "k", "s", record_id="110L")
    assert delete.api() == "DELETE ObjectPermissions 110L"
    assert Change(Step.PROFILE, Action.CREATE, "Profile", "k", "s").api() == "POST Profile"


def test_a_change_set_is_in_sync_without_changes_and_lists_its_blockers() -> None:
    note = Finding(FindingKind.NOTE, "a", "b")
    blocker = Finding(FindingKind.BLOCKER, "c", "d")
    other = Finding(FindingKind.UNMANAGED, "e", "f")
    done = ChangeSet("Up", "u", findings=(note, blocker, other))
    assert done.in_sync and done.blockers == (blocker,)
    busy = ChangeSet("Up", "u", changes=(Change(Step.PROFILE, Action.CREATE, "Profile", "k", "s"),))
    assert not busy.in_sync and busy.blockers == ()
