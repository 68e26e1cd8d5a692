"""Golden text for the explain renderer."""

from __future__ import annotations

from test_explain_core import USER, many_paths

from leastforce.access.resolve import effective_access
from leastforce.checks.explain.paths import explain
from leastforce.render.text.explain import render
from support.factories import OrgBuilder, make_catalog

CAT = make_catalog()


def explained(builder: OrgBuilder, target: str):
    return explain(effective_access(builder.build(), USER, catalog=CAT), target, CAT)


def test_granted_with_muted_and_expired_paths():
    assert render(explained(many_paths(), "View Setup and Configuration")) == (
        "int@x.com: permission ViewSetup (View Setup and Configuration): granted\n"
        "Granted by:\n"
        "  profile Minimum Access - Salesforce\n"
        "  permission set Plain\n"
        "  permission set group G (via permission set Member)\n"
        "Muted (a group's muting set removes it):\n"
        "  permission set group Muted_Group (via permission set Member)  (muted by Muted_Group_Muting)\n"
        "Expired (the assignment no longer grants it):\n"
        "  permission set Old  (assignment expired on 2026-11-23)\n"
    )


def test_object_rights_with_implied_paths():
    builder = OrgBuilder().profile("Admin", perms=["ViewAllData"]).user(USER, profile="Admin")
    assert render(explained(builder, "Contact")) == (
        "int@x.com: object Contact: granted\n"
        "Granted by:\n"
        "  read: implied by ViewAllData via profile Admin\n"
        "  view_all_records: implied by ViewAllData via profile Admin\n"
    )


def test_not_granted_with_note_and_suggestion():
    builder = OrgBuilder().permission_set("S", label="Upflow Permissions", fields={"Contact.Email": "read"})
    builder.user(USER).assign(USER, "S")
    assert render(explained(builder, "Contact.Email")) == (
        "int@x.com: field access Contact.Email:read: not granted\n"
        "Granted by:\n"
        "  read: permission set S\n"
        "Note: int@x.com has no Read on Contact, so the field is not visible whatever its field-level security.\n"
        "To grant it: In Setup > Permission Sets > Upflow Permissions > Object Settings > Contacts, click Edit, "
        "check Read, and save.\n"
    )


def test_nothing_grants_it():
    text = render(explained(OrgBuilder().user(USER), "ManageRemoteAccess"))
    assert text == (
        "int@x.com: permission ManageRemoteAccess (Manage Connected Apps): not granted\n"
        "No profile, permission set or group grants it.\n"
        "To grant it: In Setup > Permission Sets > (a permission set assigned to int@x.com) > System Permissions, "
        'click Edit, check "Manage Connected Apps" (ManageRemoteAccess) and save.\n'
    )
    assert "\x1b[" in render(explained(OrgBuilder().user(USER), "ManageRemoteAccess"), color=True)
