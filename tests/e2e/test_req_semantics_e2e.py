"""Issue 12's false passes, end to end on the emulator (orgs built through REST and apply, verify by the CLI):
a field edited without object Edit, and a right the vendor needs on the profile held by a permission set."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from support.cli import run_cli
from support.org_setup import Admin

USER = "sync@acme.example"
FIELD_MANIFEST = textwrap.dedent(
    """\
    manifest: 1
    integration: Acme Notes
    summary: Acme writes call notes into opportunities.
    permission_sets:
      - {name: Acme_Notes, label: Acme Notes}
    features:
      notes:
        summary: Write notes
        requires:
          - permission: ApiEnabled
            why: all access is through the REST API
          - field: Opportunity.Description
            access: [read, edit]
            why: Acme writes the call summary into the description
    """
)
PROFILE_MANIFEST = textwrap.dedent(
    """\
    manifest: 1
    integration: Acme Users
    summary: Acme's package provisions users.
    user:
      username: sync@acme.example
      profile: {name: Acme API Profile, based_on: Minimum Access - Salesforce}
    permission_sets:
      - {name: Acme_Users, label: Acme Users}
    features:
      provision:
        summary: Provision users
        requires:
          - permission: ApiEnabled
            why: all access is through the REST API
          - permission: ManageUsers
            from: profile
            why: the package checks that Manage Users comes from the profile
    """
)


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "acme.yaml"
    path.write_text(text)
    return str(path)


def _failed(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for f in body["result"]["features"] for r in f["requirements"] if not r["passed"]]


def test_field_edit_without_object_edit_fails_then_passes(emulator, cli_json, tmp_path):
    admin = Admin.of(emulator)
    manifest = _write(tmp_path, FIELD_MANIFEST)
    user = admin.user(USER, "Minimum Access - Salesforce")
    ps = admin.permission_set(
        "Acme_Notes",
        permissions=["ApiEnabled"],
        objects={"Opportunity": "read"},
        fields={"Opportunity.Description": "read,edit"},
    )
    admin.assign(user, set_id=ps)
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 1, body
    [failed] = _failed(body)
    assert failed["missing"] == ["Edit on Opportunity"]
    assert "Object Settings > Opportunities, click Edit, check Edit, and save." in failed["fix"]
    admin.assign(user, set_id=admin.permission_set("Acme_Edit", objects={"Opportunity": "read,edit"}))
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 0, body


def test_build_and_apply_put_the_object_edit_in_place(emulator, cli_json, tmp_path):
    admin = Admin.of(emulator)
    manifest = _write(tmp_path, FIELD_MANIFEST)
    admin.user(USER, "Minimum Access - Salesforce")
    code, body = cli_json("apply", manifest, "--user", USER, "--yes")
    assert code == 0, body
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 0, body


def test_a_right_needed_on_the_profile_but_held_by_a_set_fails_then_passes(emulator, cli_json, tmp_path):
    admin = Admin.of(emulator)
    without = PROFILE_MANIFEST.split("      - permission: ManageUsers")[0]
    code, body = cli_json("apply", _write(tmp_path, without), "--yes")
    assert code == 0, body
    # Manage Users held through a permission set only: what the vendor says breaks its package.
    user = admin.id_of(f"SELECT Id FROM User WHERE Username = '{USER}'")
    admin.assign(user, set_id=admin.permission_set("Acme_Manage_Users", permissions=["ManageUsers"]))
    manifest = _write(tmp_path, PROFILE_MANIFEST)
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 1, body
    [failed] = _failed(body)
    said = "granted by permission set Acme_Manage_Users, but the vendor needs it on the profile"
    assert failed["missing"][0] == said and failed["from"] == "profile"
    assert "Setup > Profiles > Acme API Profile" in failed["fix"] and "Manage Users" in failed["fix"]
    code, body = cli_json("apply", manifest, "--yes")  # build and apply put it on the cloned profile
    assert code == 0, body
    on_profile = "WHERE Profile.Name = 'Acme API Profile' AND PermissionsManageUsers = true"
    assert admin.id_of(f"SELECT Id FROM PermissionSet {on_profile}")
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 0, body


def test_fields_without_field_level_security_fail_validation(tmp_path, capsys):
    text = FIELD_MANIFEST.replace("Opportunity.Description", "Contact.Id").replace("[read, edit]", "[read]")
    code, out = run_cli(["validate", _write(tmp_path, text)], capsys)
    assert code == 2
    assert ":12:9: error: Contact.Id takes no field-level security (system field: set by Salesforce and always readable with the record)" in out
