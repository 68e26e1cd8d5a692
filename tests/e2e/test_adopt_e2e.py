"""adopt end to end on the local org: adopt -> validate -> verify on the same user (the upflow user after
apply; the System Administrator), a hostile label, and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from support.cli import run_cli
from support.org_setup import Admin
from support.plan import EXAMPLES, USERNAME

ADMIN_USER = "admin@leastforce.emulator"


@pytest.fixture
def run(cli_json: Any) -> Any:
    return cli_json


def _adopt_validate_verify(run: Any, capsys: Any, user: str, out: Path) -> dict[str, Any]:
    code, body = run("adopt", "--user", user, "-o", str(out))
    assert code == 0, body
    assert body["result"]["file"] == str(out) and body["result"]["todo"] == body["result"]["requirements"]
    code, text = run_cli(["validate", str(out)], capsys)
    assert code == 0, text
    assert text.count("warning: ") >= body["result"]["requirements"]
    assert text.count("why is still a TODO") == body["result"]["requirements"]
    code, verified = run("verify", str(out), "--user", user)
    assert code == 0, [
        r for f in verified["result"]["features"] for r in f["requirements"] if not r["passed"]
    ]
    return dict(body["result"])


def test_upflow_user_after_apply(run, capsys, tmp_path):
    assert (
        run("apply", str(EXAMPLES / "upflow.yaml"), "--user", USERNAME, "--feature", "export", "--yes")[0]
        == 0
    )
    out = tmp_path / "upflow-adopted.yaml"
    result = _adopt_validate_verify(run, capsys, USERNAME, out)
    assert [f["name"] for f in result["features"]] == ["system-permissions", "account", "contact"]
    assert result["license"] == "Salesforce Integration"
    assert result["permissionSetLicenses"] == ["Salesforce API Integration"]
    assert result["risky"][0] == {
        "risk": "high",
        "grant": "CanApproveUninstalledApps (Approve Uninstalled Connected Apps)",
        "sources": ["permission set Upflow_Permissions"],
    }
    doc = YAML(typ="safe").load(out.read_text(encoding="utf-8"))
    account = doc["features"]["account"]["requires"][0]
    assert account == {
        "object": "Account",
        "access": ["read", "edit", "view_all_records", "view_all_fields"],
        "why": "TODO (granted by permission set Upflow_Permissions)",
    }
    assert doc["user"]["api_only"] is True


def test_system_administrator(run, capsys, tmp_path):
    result = _adopt_validate_verify(run, capsys, ADMIN_USER, tmp_path / "admin.yaml")
    assert result["profile"] == "System Administrator"
    assert result["requirements"] > 500
    assert [r["risk"] for r in result["risky"][:1]] == ["critical"]
    text = (tmp_path / "admin.yaml").read_text(encoding="utf-8")
    assert text.index("#   critical  ModifyAllData") < text.index("#   high") < text.index("\nmanifest: 1\n")


def test_hostile_label_stays_in_its_comment(run, capsys, tmp_path, emulator):
    admin = Admin.of(emulator)
    user = admin.user("hostile@acme.example", "Minimum Access - Salesforce")
    set_id = admin.permission_set("Plain_Set", permissions=["ApiEnabled"])
    hostile = "x\nevil:\n  - {permission: ModifyAllData, why: y}\n#\x1b[2J\u202e"  # 80 chars at most
    admin.update("PermissionSet", set_id, Label=hostile)
    admin.assign(user, set_id=set_id)
    out = tmp_path / "hostile.yaml"
    assert run("adopt", "--user", "hostile@acme.example", "-o", str(out))[0] == 0
    text = out.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\u202e" not in text
    assert "#   permission set Plain_Set (x\\nevil:\\n  - {permission: ModifyAllData" in text
    doc = YAML(typ="safe").load(text)
    assert "evil" not in doc["features"]
    assert "ModifyAllData" not in str(doc)
    assert run_cli(["validate", str(out)], capsys)[0] == 0
    assert run("verify", str(out), "--user", "hostile@acme.example")[0] == 0


def test_unknown_user_is_bad_input(run, capsys, tmp_path):
    out = tmp_path / "nobody.yaml"
    code, body = run("adopt", "--user", "nobody@acme.example", "-o", str(out))
    assert code == 2 and body["status"] == 2
    assert "nobody@acme.example" in body["message"]
    assert not out.exists()
    from leastforce.cli import main

    with pytest.raises(SystemExit) as done:
        main(["adopt", "--user", "nobody@acme.example", "-o", str(out)])
    err = capsys.readouterr().err
    assert (
        done.value.code == 2
        and "no user with username 'nobody@acme.example'" in err
        and "Traceback" not in err
    )


def test_refuses_to_overwrite_without_force(run, capsys, tmp_path):
    out = tmp_path / "kept.yaml"
    out.write_text("mine\n", encoding="utf-8")
    code, body = run("adopt", "--user", ADMIN_USER, "-o", str(out))
    assert code == 2 and "--force" in body["message"]
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert run("adopt", "--user", ADMIN_USER, "-o", str(out), "--force")[0] == 0
    assert out.read_text(encoding="utf-8").startswith("# yaml-language-server")


def test_user_with_a_package_set_gets_its_package_declared(run, capsys, tmp_path, org_env):
    """elements applied with its package installed: the adopted manifest declares the package at the
    installed version (validate: no unknown-namespace), and verify checks it is installed."""
    from leastforce.catalog import load_catalog
    from leastforce.manifest import load_manifest

    elements = EXAMPLES / "elements.yaml"
    org_env.store.install_packages(load_manifest(elements, load_catalog()).manifest.packages)
    user = "integration@packages.example"
    assert run("apply", str(elements), "--user", user, "--yes")[0] == 0
    out = tmp_path / "elements-adopted.yaml"
    _adopt_validate_verify(run, capsys, user, out)
    doc = YAML(typ="safe").load(out.read_text())
    [package] = doc["packages"]
    assert package["namespace"] == "elements" and package["min_version"] == "5.0"
    assert {"name": "Elements_Admins", "label": "Elements Admins"} in package["provides"]["permission_sets"]
    assert "TODO: the AppExchange listing" in out.read_text()
    code, text = run_cli(["validate", str(out)], capsys)
    assert code == 0 and "unknown-namespace" not in text


def test_verify_collapses_the_todo_warnings_into_one_line(run, capsys, tmp_path):
    out = tmp_path / "admin-adopted.yaml"
    assert run("adopt", "--user", ADMIN_USER, "-o", str(out))[0] == 0
    from leastforce.cli import main

    with pytest.raises(SystemExit) as done:
        main(["verify", str(out), "--user", ADMIN_USER])
    err = capsys.readouterr().err
    assert done.value.code == 0
    todo = [line for line in err.splitlines() if "why-todo" in line]
    assert len(todo) == 1 and " x why-todo " in todo[0] and "leastforce validate" in todo[0]
