"""A field requirement brings its object access; fields without field-level security are errors;
``from: profile`` puts a right on the cloned profile (and needs one)."""

from __future__ import annotations

from pathlib import Path

from leastforce.catalog import load_catalog
from leastforce.desired import desired_setup
from leastforce.manifest import load_manifest
from leastforce.manifest.validate import validate_manifest
from leastforce.values.model import ObjectRight
from support.cli import run_cli

CAT = load_catalog()
HEAD = "manifest: 1\nintegration: Acme\nsummary: Acme syncs.\n"
CLONE = "user:\n  profile: {name: Acme API Profile, based_on: Minimum Access - Salesforce}\n"


def _write(tmp_path: Path, requires: str, head: str = HEAD) -> Path:
    body = "features:\n  sync:\n    summary: Sync.\n    requires:\n" + requires
    path = tmp_path / "acme.yaml"
    path.write_text(head + body)
    return path


def test_fields_without_field_level_security_fail_validation_with_the_reason(tmp_path, capsys):
    path = _write(
        tmp_path,
        "      - object: Account\n        access: [read]\n        fields: [Name, Phone]\n        why: w\n"
        "      - field: Contact.Id\n        access: [read]\n        why: w\n",
    )
    code, out = run_cli(["validate", str(path)], capsys)
    assert code == 2
    assert f"{path}:8:9: error: Account.Name takes no field-level security (required field: always readable and editable with the object)" in out
    assert f"{path}:12:9: error: Contact.Id takes no field-level security (system field: set by Salesforce and always readable with the record)" in out


def test_a_field_brings_object_read_and_edit_with_a_warning(tmp_path):
    path = _write(tmp_path, "      - field: Opportunity.Description\n        access: [read, edit]\n        why: w\n")
    loaded = load_manifest(path, CAT)
    [warning] = [w for w in validate_manifest(loaded.manifest, CAT) if "Opportunity access" in w.message]
    assert warning.severity == "warning"
    assert "needs Opportunity access [read, edit]" in warning.message and "will be added" in warning.message
    setup = desired_setup(loaded.manifest, CAT)
    ps = setup.permission_sets[0]
    assert ps.objects["Opportunity"] == frozenset({ObjectRight.READ, ObjectRight.EDIT})
    [need] = [n for n in setup.needs if n.subject == "Opportunity"]
    assert need.required_by == "Opportunity.Description"


def test_no_warning_when_the_feature_grants_the_object(tmp_path):
    path = _write(
        tmp_path,
        "      - {object: Opportunity, access: [read, edit], why: w}\n"
        "      - field: Opportunity.Description\n        access: [read, edit]\n        why: w\n",
    )
    problems = validate_manifest(load_manifest(path, CAT).manifest, CAT)
    assert not [w for w in problems if "Opportunity access" in w.message]


def test_from_profile_needs_a_cloned_profile(tmp_path, capsys):
    requires = "      - permission: ManageUsers\n        from: profile\n        why: the package checks the profile\n"
    code, out = run_cli(["validate", str(_write(tmp_path, requires))], capsys)
    assert code == 2 and "declare user.profile with a name and `based_on:`" in out
    loaded = load_manifest(_write(tmp_path, requires, HEAD + CLONE), CAT)
    setup = desired_setup(loaded.manifest, CAT)
    assert setup.profile is not None
    assert "ManageUsers" in setup.profile.permission_set.user_permissions
    assert all("ManageUsers" not in ps.user_permissions for ps in setup.permission_sets)
    [need] = [n for n in setup.needs if n.subject == "ManageUsers"]
    assert need.permission_set == "Acme API Profile"
