"""Effective access scenarios: profile, sets, groups with muting, expiry, implications, licenses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leastforce.access.grants import Grant
from leastforce.access.resolve import SourceKind, effective_access, resolve_all
from leastforce.errors import InputError
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity, SetupEntityType
from support.factories import API_ONLY_PROFILE, MIN_ACCESS, NOW, OrgBuilder, make_catalog

R = ObjectRight
CAT = make_catalog()
USER = "int@x.com"


def access_of(builder: OrgBuilder, username: str = USER, now=None):
    return effective_access(builder.build(), username, catalog=CAT, now=now)


def test_profile_permissions_come_from_the_profile_owned_set():
    access = access_of(OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"]).user(USER))
    assert access.permissions["ApiEnabled"] == (Grant(SourceKind.PROFILE, MIN_ACCESS),)
    assert access.profile is not None and access.profile.name == MIN_ACCESS
    assert access.assigned_sets == ()  # the profile-owned set's own assignment row is not a set
    assert access.ignored == ()


def test_permission_set_grants_with_object_closure():
    builder = OrgBuilder().permission_set(
        "Upflow_Permissions", perms=["ApiEnabled"], objects={"Account": "edit"}
    )
    access = access_of(builder.user(USER).assign(USER, "Upflow_Permissions"))
    grant = Grant(SourceKind.PERMISSION_SET, "Upflow_Permissions")
    assert access.permissions["ApiEnabled"] == (grant,)
    # Edit needs Read on the same object (ObjectPermissions.PermissionsEdit).
    assert set(access.objects["Account"]) == {R.READ, R.EDIT}
    assert access.object_rights("Account")[R.READ] == (grant,)
    assert [a.name for a in access.assigned_sets] == ["Upflow_Permissions"]


def test_the_same_permission_from_profile_and_set_keeps_both_grants():
    builder = (
        OrgBuilder()
        .profile(MIN_ACCESS, perms=["ApiEnabled"])
        .permission_set("S", perms=["ApiEnabled"])
        .user(USER)
        .assign(USER, "S")
    )
    kinds = [g.kind for g in access_of(builder).permissions["ApiEnabled"]]
    assert kinds == [SourceKind.PROFILE, SourceKind.PERMISSION_SET]


def test_group_grants_via_component_sets():
    builder = (
        OrgBuilder()
        .permission_set("A", perms=["ApiEnabled"])
        .permission_set("B", objects={"Case": "read"})
        .group("Integration_Group", sets=["A", "B"])
        .user(USER)
        .assign(USER, "Integration_Group")
    )
    access = access_of(builder)
    assert access.permissions["ApiEnabled"] == (Grant(SourceKind.GROUP, "Integration_Group", via="A"),)
    assert access.objects["Case"][R.READ] == (Grant(SourceKind.GROUP, "Integration_Group", via="B"),)
    assert [(a.kind, a.name) for a in access.assigned_sets] == [(SourceKind.GROUP, "Integration_Group")]


def test_muting_set_removes_a_permission_inside_its_group():
    builder = (
        OrgBuilder()
        .permission_set("A", perms=["ApiEnabled", "ViewSetup"])
        .group("G", sets=["A"], muting={"perms": ["ViewSetup"]})
        .user(USER)
        .assign(USER, "G")
    )
    access = access_of(builder)
    assert access.has_permission("ApiEnabled")
    assert not access.has_permission("ViewSetup")
    [muted] = access.muted
    assert muted.grant == Grant(SourceKind.GROUP, "G", via="A")
    assert muted.muting_set == "G_Muting"
    assert muted.removed.permissions == {"ViewSetup"}


def test_muting_never_reaches_outside_its_group_plain_set():
    builder = (
        OrgBuilder()
        .permission_set("A", perms=["ViewSetup"])
        .permission_set("Plain", perms=["ViewSetup"])
        .group("G", sets=["A"], muting={"perms": ["ViewSetup"]})
        .user(USER)
        .assign(USER, "G")
        .assign(USER, "Plain")
    )
    access = access_of(builder)
    assert access.permissions["ViewSetup"] == (Grant(SourceKind.PERMISSION_SET, "Plain"),)
    assert len(access.muted) == 1


def test_muting_never_reaches_another_group_holding_the_same_set():
    builder = (
        OrgBuilder()
        .permission_set("A", perms=["ViewSetup"])
        .group("G1", sets=["A"], muting={"perms": ["ViewSetup"]})
        .group("G2", sets=["A"])
        .user(USER)
        .assign(USER, "G1")
        .assign(USER, "G2")
    )
    assert access_of(builder).permissions["ViewSetup"] == (Grant(SourceKind.GROUP, "G2", via="A"),)


def test_muting_read_on_an_object_mutes_the_rights_that_need_it():
    builder = (
        OrgBuilder()
        .permission_set("A", objects={"Account": "read,edit,create", "Case": "read,edit"})
        .group("G", sets=["A"], muting={"objects": {"Account": "read", "Case": "edit"}})
        .user(USER)
        .assign(USER, "G")
    )
    access = access_of(builder)
    assert "Account" not in access.objects
    assert set(access.objects["Case"]) == {R.READ}
    assert access.muted[0].removed.objects["Account"] == {R.READ, R.EDIT, R.CREATE}


def test_muting_field_read_mutes_field_edit():
    builder = (
        OrgBuilder()
        .permission_set("A", fields={"Contact.Email": "read,edit", "Contact.Phone": "read,edit"})
        .group("G", sets=["A"], muting={"fields": {"Contact.Email": "read", "Contact.Phone": "edit"}})
        .user(USER)
        .assign(USER, "G")
    )
    access = access_of(builder)
    assert "Contact.Email" not in access.fields
    assert set(access.fields["Contact.Phone"]) == {FieldRight.READ}


def test_expired_assignment_grants_nothing_and_is_recorded():
    builder = (
        OrgBuilder()
        .permission_set("Old", perms=["ViewAllData"])
        .user(USER)
        .assign(USER, "Old", expires=NOW - timedelta(hours=1))
    )
    access = access_of(builder)
    assert not access.has_permission("ViewAllData")
    [ignored] = access.ignored
    assert ignored.grant.name == "Old"
    assert ignored.reason == "assignment expired on 2026-11-24"
    assert ignored.would_grant[0][1].permissions == {"ViewAllData"}
    assert access.assigned_sets == ()


def test_assignment_expiring_later_grants_with_its_expiry():
    later = NOW + timedelta(days=3)
    builder = (
        OrgBuilder()
        .permission_set("Temp", perms=["ApiEnabled"])
        .user(USER)
        .assign(USER, "Temp", expires=later)
    )
    access = access_of(builder)
    assert access.permissions["ApiEnabled"][0].expires == later
    assert access.assigned_sets[0].expires == later
    # The same snapshot resolved after the expiry: nothing left.
    assert not access_of(builder, now=later).has_permission("ApiEnabled")


def test_expired_group_assignment_grants_nothing():
    builder = (
        OrgBuilder()
        .permission_set("A", perms=["ApiEnabled"])
        .group("G", sets=["A"])
        .user(USER)
        .assign(USER, "G", expires=NOW - timedelta(days=1))
    )
    access = access_of(builder)
    assert not access.has_permission("ApiEnabled")
    assert access.ignored[0].grant == Grant(SourceKind.GROUP, "G", expires=NOW - timedelta(days=1))
    assert access.ignored[0].would_grant[0][0].via == "A"


def test_view_all_data_implies_read_and_view_all_on_every_object():
    builder = (
        OrgBuilder()
        .profile("System Administrator", perms=["ViewAllData"])
        .user(USER, profile="System Administrator")
    )
    access = access_of(builder)
    rights = access.object_rights("Account")
    assert set(rights) == {R.READ, R.VIEW_ALL_RECORDS}
    [grant] = rights[R.READ]
    assert grant.kind is SourceKind.IMPLIED and grant.via == "ViewAllData"
    assert grant.implied_by == Grant(SourceKind.PROFILE, "System Administrator")
    assert str(grant) == "implied by ViewAllData via profile System Administrator"
    assert access.objects == {}  # explicit rights stay explicit


def test_modify_all_data_implies_delete_and_modify_all():
    builder = (
        OrgBuilder()
        .permission_set("Admin", perms=["ModifyAllData", "ViewAllData"])
        .user(USER)
        .assign(USER, "Admin")
    )
    rights = access_of(builder).object_rights("Case")
    assert {R.DELETE, R.MODIFY_ALL_RECORDS, R.CREATE} <= set(rights)
    assert R.VIEW_ALL_FIELDS not in rights
    assert {g.via for g in rights[R.READ]} == {"ViewAllData", "ModifyAllData"}


def test_view_all_data_does_not_reach_field_level_security():
    builder = OrgBuilder().permission_set("Admin", perms=["ViewAllData"]).user(USER).assign(USER, "Admin")
    access = access_of(builder)
    assert access.field_rights("Contact.Email") == {}
    # ...but a field without field-level security is readable with the object.
    assert FieldRight.READ in access.field_rights("Contact.Id")


def test_view_all_fields_implies_read_of_every_field_on_that_object():
    builder = (
        OrgBuilder()
        .permission_set("S", objects={"Contact": "read,view_all_fields"})
        .user(USER)
        .assign(USER, "S")
    )
    access = access_of(builder)
    [grant] = access.field_rights("Contact.Email")[FieldRight.READ]
    assert grant.kind is SourceKind.IMPLIED and grant.via == "Contact:view_all_fields"
    assert FieldRight.EDIT not in access.field_rights("Contact.Email")
    assert access.field_rights("Account.Phone") == {}


def test_view_all_fields_global_implies_read_of_every_field():
    builder = OrgBuilder().permission_set("S", perms=["ViewAllFieldsGlobal"]).user(USER).assign(USER, "S")
    assert FieldRight.READ in access_of(builder).field_rights("Account.Phone")


def test_field_without_field_level_security_needs_object_read():
    builder = OrgBuilder().permission_set("S", objects={"Contact": "read"}).user(USER).assign(USER, "S")
    access = access_of(builder)
    assert FieldRight.READ in access.field_rights("Contact.LastName")
    assert access.field_rights("Contact.Email") == {}
    assert access.field_rights("Account.Id") == {}


def test_modify_all_records_alone_is_closed_to_its_prerequisites():
    builder = (
        OrgBuilder().permission_set("S", objects={"Case": "modify_all_records"}).user(USER).assign(USER, "S")
    )
    rights = access_of(builder).object_rights("Case")
    assert set(rights) == {R.READ, R.EDIT, R.DELETE, R.VIEW_ALL_RECORDS, R.MODIFY_ALL_RECORDS}


def test_field_edit_is_closed_to_read():
    builder = OrgBuilder().permission_set("S", fields={"Contact.Email": "edit"}).user(USER).assign(USER, "S")
    assert set(access_of(builder).field_rights("Contact.Email")) == {FieldRight.READ, FieldRight.EDIT}


def test_setup_entities_are_granted_with_their_source():
    builder = OrgBuilder().permission_set("S", setup=["ApexClass:FlockPush"]).user(USER).assign(USER, "S")
    entity = SetupEntity(SetupEntityType.APEX_CLASS, "FlockPush")
    assert access_of(builder).setup_entities[entity] == (Grant(SourceKind.PERMISSION_SET, "S"),)


def test_license_conflict_is_kept_and_flagged():
    builder = (
        OrgBuilder()
        .profile(API_ONLY_PROFILE, perms=["ApiEnabled"], license="Salesforce Integration")
        .permission_set("Too_Much", perms=["ManageUsers"])
        .user(USER, profile=API_ONLY_PROFILE)
        .assign(USER, "Too_Much")
    )
    access = access_of(builder)
    assert access.license == "Salesforce Integration"
    assert access.has_permission("ManageUsers")
    [conflict] = access.license_conflicts
    assert (conflict.permission, conflict.license) == ("ManageUsers", "Salesforce Integration")


def test_unknown_permission_set_in_an_assignment_is_ignored_with_a_reason():
    snap = OrgBuilder().user(USER).build()
    from dataclasses import replace

    from leastforce.values.model import Assignment

    user_id = snap.user_by_username(USER).id
    snap = replace(snap, assignments=(*snap.assignments, Assignment(user_id, "0PS999")))
    access = effective_access(snap, USER, catalog=CAT)
    assert [(i.grant.name, i.reason) for i in access.ignored] == [("0PS999", "not in the org snapshot")]


def test_inactive_and_frozen_users_are_resolved_anyway():
    builder = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"]).user(USER, active=False, frozen=True)
    access = access_of(builder)
    assert access.has_permission("ApiEnabled")
    assert not access.user.is_active and access.user.is_frozen


def test_user_found_by_id_or_username_and_unknown_user_raises():
    snap = OrgBuilder().user(USER).build()
    user_id = snap.user_by_username(USER).id
    assert effective_access(snap, user_id, catalog=CAT).user.username == USER
    assert effective_access(snap, "INT@X.COM", catalog=CAT).user.id == user_id
    with pytest.raises(InputError, match="no user 'nobody'"):
        effective_access(snap, "nobody", catalog=CAT)


def test_has_set_matches_name_label_and_namespace():
    builder = (
        OrgBuilder()
        .permission_set("Flock_Integration", label="EventSpark Flock Integration", namespace="evs")
        .user(USER)
        .assign(USER, "Flock_Integration")
    )
    access = access_of(builder)
    assert access.has_set("EventSpark Flock Integration")
    assert access.has_set("evs__Flock_Integration")
    assert access.has_set("flock_integration")
    assert not access.has_set("Other")


def test_permission_set_licenses_are_listed():
    access = access_of(OrgBuilder().user(USER).psl(USER, "Salesforce API Integration"))
    assert access.permission_set_licenses == {"Salesforce API Integration"}


def test_resolve_all_shares_merges_but_keeps_each_user():
    builder = OrgBuilder().permission_set("S", perms=["ApiEnabled"])
    for i in range(5):
        builder.user(f"u{i}@x.com").assign(f"u{i}@x.com", "S")
    builder.user("other@x.com")
    snap = builder.build()
    everyone = list(resolve_all(snap, CAT))
    assert [a.user.username for a in everyone] == [
        "u0@x.com",
        "u1@x.com",
        "u2@x.com",
        "u3@x.com",
        "u4@x.com",
        "other@x.com",
    ]
    assert [a.has_permission("ApiEnabled") for a in everyone] == [True] * 5 + [False]


def test_resolve_all_is_fast_on_a_large_org():
    import time

    builder = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"], objects={"Account": "read"})
    for s in range(400):
        builder.permission_set(
            f"S{s}",
            perms=[f"Perm{(s + k) % 50}" for k in range(10)],
            objects={f"Obj{(s + k) % 40}__c": "read,edit" for k in range(8)},
            fields={f"Obj{s % 40}__c.F{k}__c": "read" for k in range(20)},
        )
    for u in range(4000):
        builder.user(f"u{u}@x.com").assign(f"u{u}@x.com", f"S{u % 400}").assign(
            f"u{u}@x.com", f"S{(u * 7) % 400}"
        )
    snap = builder.build()
    start = time.perf_counter()
    count = sum(a.has_permission("Perm3") + len(a.object_rights("Obj5__c")) for a in resolve_all(snap, CAT))
    elapsed = time.perf_counter() - start
    assert count > 0
    assert elapsed < 5.0  # about 0.3 s unloaded; generous for busy CI machines


def test_profile_set_found_through_the_users_own_assignment_row():
    from dataclasses import replace

    snap = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"]).user(USER).build()
    # A reader that could not link the profile to its set: no Profile.permission_set_id, no owner name.
    profiles = {i: replace(p, permission_set_id="") for i, p in snap.profiles.items()}
    sets = {i: replace(ps, profile_name="") for i, ps in snap.permission_sets.items()}
    snap = replace(snap, profiles=profiles, permission_sets=sets)
    access = effective_access(snap, USER, catalog=CAT)
    assert access.permissions["ApiEnabled"] == (Grant(SourceKind.PROFILE, MIN_ACCESS),)
    assert access.ignored == () and access.assigned_sets == ()
    from leastforce.checks.explain.who_has import who_has

    assert [u.username for u, _ in who_has(snap, "ApiEnabled", CAT)] == [USER]


def test_set_license_mismatches_are_flagged():
    builder = (
        OrgBuilder()
        .profile(API_ONLY_PROFILE, license="Salesforce Integration")
        .permission_set("Needs_Psl", license="Salesforce API Integration", objects={"Account": "read"})
        .permission_set("Full_License", license="Salesforce", perms=["ApiEnabled"])
        .user(USER, profile=API_ONLY_PROFILE)
        .assign(USER, "Needs_Psl")
        .assign(USER, "Full_License")
    )
    access = access_of(builder)
    assert [c.reason for c in access.license_conflicts] == [
        "permission set Needs_Psl needs the permission set license Salesforce API Integration, not assigned to the user",
        "permission set Full_License has the user license Salesforce; the user has Salesforce Integration",
    ]
    assert access.has_permission("ApiEnabled")  # kept: the data says so
    # With the permission set license assigned, only the user-license mismatch remains.
    fixed = access_of(builder.psl(USER, "SalesforceAPIIntegrationPsl"))
    assert [c.grants[0].name for c in fixed.license_conflicts] == ["Full_License"]
