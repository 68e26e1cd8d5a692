"""leastforce's own access, declared in examples/leastforce-admin.yaml, checked by leastforce itself:
the emulator's System Administrator passes every feature; a user on Minimum Access fails with the exact
missing permissions; a user with just the Reader set passes the read-only commands and fails apply.
Nothing is applied by leastforce here: the orgs are built through REST as an admin would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leastforce.cli import main
from leastforce.metadata import parse_metadata
from support.org_setup import Admin
from support.paths import ROOT

MANIFEST = str(ROOT / "examples" / "leastforce-admin.yaml")
READ = {"ApiEnabled", "ViewSetup"}
APPLY = {"ManageProfilesPermissionsets", "AssignPermissionSets", "ManageInternalUsers"}


@pytest.fixture
def verify(emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)

    def run(user: str, *extra: str) -> tuple[int, dict[str, Any]]:
        with pytest.raises(SystemExit) as done:
            main(["verify", MANIFEST, "--org", emulator.instance_url, "--user", user, "--json", *extra])
        return int(done.value.code or 0), json.loads(capsys.readouterr().out)

    return run


def test_the_admin_has_everything_leastforce_needs(verify: Any, emulator: Any) -> None:
    code, body = verify(emulator.admin_username, "--with-optional")
    assert code == 0, body
    assert {f["name"] for f in body["result"]["features"]} == {"read", "audit", "login-history", "apply"}
    assert all(f["passed"] for f in body["result"]["features"])


def test_a_minimum_access_user_cannot_run_leastforce(verify: Any, emulator: Any) -> None:
    Admin.of(emulator).user("nobody@acme.example", "Minimum Access - Salesforce")
    code, body = verify("nobody@acme.example", "--with-optional")
    assert code == 1 and body["result"]["passed"] is False
    failed = {
        r["requirement"] for f in body["result"]["features"] for r in f["requirements"] if not r["passed"]
    }
    text = " ".join(failed)
    for permission in READ | APPLY | {"ViewAllUsers"}:
        assert permission in text, (permission, failed)


def test_the_reader_set_is_enough_to_read_and_not_to_apply(verify: Any, emulator: Any) -> None:
    admin = Admin.of(emulator)
    reader = admin.user("reader@acme.example", "Minimum Access - Salesforce")
    admin.assign(reader, set_id=admin.permission_set("Leastforce_Reader", permissions=sorted(READ)))
    code, body = verify("reader@acme.example")
    assert code == 0, body
    code, body = verify("reader@acme.example", "--feature", "apply")
    assert code == 1
    failed = [r for f in body["result"]["features"] if f["name"] == "apply" for r in f["requirements"]]
    assert {p for p in APPLY if any(p in r["requirement"] and not r["passed"] for r in failed)} == APPLY
    assert all(r["fix"] for r in failed if not r["passed"])  # each says how to grant it


def test_build_writes_the_two_sets_an_admin_can_deploy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["build", MANIFEST, "-o", str(tmp_path), "--with-optional"])
    assert done.value.code == 0
    sets = {p.name.split(".")[0]: p for p in tmp_path.rglob("*.permissionset-meta.xml")}
    assert set(sets) == {"Leastforce_Reader", "Leastforce_Setup"}

    def granted(name: str) -> set[str]:
        doc = parse_metadata(sets[name].read_bytes(), filename=name)
        return {e.child_text("name") for e in doc.find_all("userPermissions") if e.flag("enabled")}

    assert READ | {"ViewAllUsers"} <= granted("Leastforce_Reader")
    assert granted("Leastforce_Setup") >= APPLY
    assert not APPLY & granted("Leastforce_Reader")
