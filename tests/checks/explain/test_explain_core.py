"""Explain and who_has scenarios: every path, muted and expired ones, suggestions, targets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leastforce.access.grants import Grant
from leastforce.access.resolve import SourceKind, effective_access
from leastforce.checks.explain.paths import Target, TargetKind, explain, parse_target
from leastforce.checks.explain.who_has import who_has
from leastforce.errors import InputError
from leastforce.render.json.explain import explain_output
from support.factories import MIN_ACCESS, NOW, OrgBuilder, make_catalog

CAT = make_catalog()
USER = "int@x.com"


def many_paths() -> OrgBuilder:
    return (
        OrgBuilder()
        .profile(MIN_ACCESS, perms=["ViewSetup"], objects={"Account": "read"})
        .permission_set("Plain", label="Plain Set", perms=["ViewSetup"])
        .permission_set("Member", perms=["ViewSetup"], objects={"Account": "read,edit"})
        .permission_set("Old", perms=["ViewSetup", "ViewAllData"])
        .group("G", sets=["Member"])
        .group("Muted_Group", sets=["Member"], muting={"perms": ["ViewSetup"]})
        .user(USER)
        .assign(USER, "Plain")
        .assign(USER, "G")
        .assign(USER, "Muted_Group")
        .assign(USER, "Old", expires=NOW - timedelta(days=1))
    )


def access_of(builder: OrgBuilder):
    return effective_access(builder.build(), USER, catalog=CAT)


def test_parse_targets():
    assert parse_target("View All Data", CAT) == Target(
        TargetKind.PERMISSION, "ViewAllData", label="View All Data"
    )
    assert parse_target("apienabled", CAT).name == "ApiEnabled"
    assert parse_target("Account", CAT) == Target(TargetKind.OBJECT, "Account", label="Account")
    assert parse_target("Accounts:Edit", CAT) == Target(TargetKind.OBJECT_RIGHT, "Account", "edit")
    assert parse_target("Account:view all records", CAT).right == "view_all_records"
    assert parse_target("Contact.Email", CAT) == Target(TargetKind.FIELD, "Contact.Email", "read")
    assert parse_target("Contact.Email:edit", CAT).right == "edit"
    assert parse_target("Invoice__c:read", CAT).name == "Invoice__c"


def test_parse_target_errors_suggest():
    with pytest.raises(InputError, match="did you mean ViewAllData"):
        parse_target("View All Dta", CAT)
    with pytest.raises(InputError, match="unknown access 'fly'"):
        parse_target("Account:fly", CAT)


def test_every_active_path_muted_and_expired():
    result = explain(access_of(many_paths()), "ViewSetup", CAT)
    assert result.granted
    assert [p.grant for p in result.paths] == [
        Grant(SourceKind.PROFILE, MIN_ACCESS),
        Grant(SourceKind.PERMISSION_SET, "Plain"),
        Grant(SourceKind.GROUP, "G", via="Member"),
    ]
    assert [(p.grant.name, p.note) for p in result.muted] == [("Muted_Group", "muted by Muted_Group_Muting")]
    assert [(p.grant.name, p.note) for p in result.expired] == [("Old", "assignment expired on 2026-11-23")]
    assert result.suggestion == ""


def test_object_paths_per_right_including_implied():
    builder = many_paths().permission_set("VAD", perms=["ViewAllData"]).assign(USER, "VAD")
    result = explain(access_of(builder), "Account", CAT)
    rights = [(p.right, p.grant.kind, p.grant.name) for p in result.paths]
    assert rights[:4] == [
        ("read", SourceKind.PROFILE, MIN_ACCESS),
        ("read", SourceKind.GROUP, "G"),
        ("read", SourceKind.GROUP, "Muted_Group"),  # objects are not muted there, only ViewSetup
        ("read", SourceKind.IMPLIED, "VAD"),
    ]
    assert ("view_all_records", SourceKind.IMPLIED, "VAD") in rights
    assert ("edit", SourceKind.GROUP, "G") in rights


def test_object_right_target():
    result = explain(access_of(many_paths()), "Account:delete", CAT)
    assert not result.granted
    assert result.expired == ()  # Old's View All Data would give Read, not Delete
    assert result.suggestion == (
        "In Setup > Permission Sets > Plain Set > Object Settings > Accounts, click Edit, check Delete, and save."
    )


def test_expired_view_all_data_would_have_given_read():
    builder = (
        OrgBuilder().permission_set("Old", perms=["ViewAllData"]).user(USER).assign(USER, "Old", expires=NOW)
    )
    result = explain(access_of(builder), "Case:read", CAT)
    assert not result.granted and [p.grant.name for p in result.expired] == ["Old"]


def test_nothing_grants_it_suggests_where_to_add_it():
    builder = OrgBuilder().permission_set("Upflow_Permissions", label="Upflow Permissions").user(USER)
    result = explain(access_of(builder.assign(USER, "Upflow_Permissions")), "Manage Connected Apps", CAT)
    assert not result.granted and result.paths == ()
    assert result.suggestion == (
        'In Setup > Permission Sets > Upflow Permissions > System Permissions, click Edit, check "Manage Connected'
        ' Apps" (ManageRemoteAccess) and save.'
    )


def test_field_needs_object_read_noted():
    builder = OrgBuilder().permission_set("S", fields={"Contact.Email": "read"}).user(USER).assign(USER, "S")
    result = explain(access_of(builder), "Contact.Email", CAT)
    assert result.paths and not result.granted
    assert result.notes == (
        "int@x.com has no Read on Contact, so the field is not visible whatever its field-level security.",
    )
    assert (
        result.suggestion
        == "In Setup > Permission Sets > S > Object Settings > Contacts, click Edit, check Read, and save."
    )


def test_field_through_view_all_fields():
    builder = (
        OrgBuilder()
        .permission_set("S", objects={"Contact": "read,view_all_fields"})
        .user(USER)
        .assign(USER, "S")
    )
    result = explain(access_of(builder), "Contact.Email", CAT)
    assert result.granted
    assert result.paths[0].grant.via == "Contact:view_all_fields"


def test_view_all_data_does_not_explain_a_field():
    builder = (
        OrgBuilder().permission_set("Old", perms=["ViewAllData"]).user(USER).assign(USER, "Old", expires=NOW)
    )
    result = explain(access_of(builder), "Contact.Email", CAT)
    assert result.expired == ()  # View All Data would not have given field access either


def test_explain_json():
    data = explain_output(explain(access_of(many_paths()), "ViewSetup", CAT)).dump()
    assert data["target"] == {"kind": "permission", "name": "ViewSetup", "right": ""}
    assert data["granted"] is True
    assert data["paths"][2]["text"] == "permission set group G (via permission set Member)"
    assert data["muted"][0]["note"] == "muted by Muted_Group_Muting"


def test_who_has_across_users():
    builder = (
        OrgBuilder()
        .profile(MIN_ACCESS)
        .profile("System Administrator", perms=["ViewAllData"])
        .permission_set("Read_Contacts", objects={"Contact": "read"}, fields={"Contact.Email": "read"})
        .permission_set("Email_Only", fields={"Contact.Email": "read"})
        .permission_set("A", objects={"Contact": "read"}, fields={"Contact.Email": "read"})
        .group("G", sets=["A"], muting={"fields": {"Contact.Email": "read"}})
        .user("admin@x.com", profile="System Administrator")
        .user("reader@x.com")
        .user("half@x.com")
        .user("muted@x.com")
        .user("expired@x.com")
        .user("nobody@x.com")
        .assign("reader@x.com", "Read_Contacts")
        .assign("half@x.com", "Email_Only")
        .assign("muted@x.com", "G")
        .assign("expired@x.com", "Read_Contacts", expires=NOW - timedelta(days=1))
    )
    snap = builder.build()
    readers = who_has(snap, "Contact.Email", CAT)
    assert [(u.username, [g.name for g in gs]) for u, gs in readers] == [("reader@x.com", ["Read_Contacts"])]
    # View All Data reads every Contact record but no field without field permissions.
    assert [u.username for u, _ in who_has(snap, "Contact:read", CAT)] == [
        "admin@x.com",
        "muted@x.com",
        "reader@x.com",
    ]
    assert [u.username for u, _ in who_has(snap, "ViewAllData", CAT)] == ["admin@x.com"]
    assert [u.username for u, _ in who_has(snap, "Contact.Id", CAT)] == [
        "admin@x.com",
        "muted@x.com",
        "reader@x.com",
    ]


def test_who_has_is_fast_on_a_large_org():
    import time

    builder = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"])
    for s in range(300):
        builder.permission_set(
            f"S{s}", perms=["ViewSetup"] if s % 50 == 0 else [], objects={"Account": "read"}
        )
    for u in range(3000):
        builder.user(f"u{u}@x.com").assign(f"u{u}@x.com", f"S{u % 300}").assign(
            f"u{u}@x.com", f"S{(u * 7) % 300}"
        )
    snap = builder.build()
    start = time.perf_counter()
    holders = who_has(snap, "ViewSetup", CAT)
    elapsed = time.perf_counter() - start
    assert len(holders) == len({u for u in range(3000) if u % 300 % 50 == 0 or (u * 7) % 300 % 50 == 0})
    assert elapsed < 2.0


def test_license_conflict_is_noted():
    builder = (
        OrgBuilder()
        .profile("Integration", license="Salesforce Integration")
        .permission_set("Too_Much", perms=["ManageUsers"])
        .user(USER, profile="Integration")
        .assign(USER, "Too_Much")
    )
    result = explain(access_of(builder), "Manage Users", CAT)
    assert result.granted
    assert result.notes == (
        "The Salesforce Integration license cannot hold ManageUsers (per the catalog), yet the org grants it:"
        " Salesforce refuses such a grant on save, so check the license or the catalog.",
    )
    assert [u.username for u, _ in who_has(builder.build(), "ManageUsers", CAT)] == [USER]


def test_set_license_mismatch_is_noted_on_the_paths_it_affects():
    builder = (
        OrgBuilder()
        .profile("Integration", license="Salesforce Integration")
        .permission_set("Full_License", license="Salesforce", perms=["ApiEnabled"])
        .user(USER, profile="Integration")
        .assign(USER, "Full_License")
    )
    access = access_of(builder)
    assert explain(access, "ApiEnabled", CAT).notes == (
        "License mismatch: permission set Full_License has the user license Salesforce; the user has"
        " Salesforce Integration (Salesforce refuses such an assignment).",
    )
    assert explain(access, "ViewSetup", CAT).notes == ()
