"""`leastforce plan` and `leastforce apply` end to end against the emulator, through cli.main."""

from __future__ import annotations

import json
from typing import Any

import pytest

from leastforce.cli import main
from support.plan import EXAMPLES, USERNAME


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out, out.err


@pytest.fixture
def org_env(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    return str(emulator.instance_url)


def test_plan_apply_plan_with_detailed_exit_codes(org_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    upflow = str(EXAMPLES / "upflow.yaml")
    base = [upflow, "--org", org_env, "--user", USERNAME]

    code, out, _ = run(["plan", *base, "--detailed-exitcode"], capsys)
    assert code == 2
    assert 'Setup > Permission Sets > New: Label "Upflow Permissions"' in out
    assert "API: POST PermissionSet" in out

    code, out, err = run(["apply", *base], capsys)  # no terminal, no --yes: refuse
    assert code == 2 and "pass --yes" in err

    code, out, _ = run(["apply", *base, "--yes"], capsys)
    assert code == 0, out
    assert "Applied 7 change(s)" in out and "verify: passed" in out

    code, out, _ = run(["plan", *base, "--detailed-exitcode", "--json"], capsys)
    body = json.loads(out)
    assert code == 0 and body["status"] == 0
    assert body["result"]["inSync"] is True and body["result"]["changes"] == []

    code, out, _ = run(["apply", *base, "--yes", "--json"], capsys)
    body = json.loads(out)
    assert code == 0 and body["result"]["applied"] == [] and body["result"]["verify"]["passed"] is True


def test_detailed_exitcode_maps_errors_and_blockers_to_1(
    org_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    elements = str(EXAMPLES / "elements.yaml")  # its package set is not installed: a blocker
    code, _, err = run(
        ["plan", elements, "--org", org_env, "--user", USERNAME, "--detailed-exitcode"], capsys
    )
    assert code == 1
    code, _, err = run(["plan", "no-such-manifest.yaml", "--org", org_env, "--detailed-exitcode"], capsys)
    assert code == 1 and err.startswith("leastforce:")
    code, _, err = run(["plan", "no-such-manifest.yaml", "--org", org_env], capsys)
    assert code == 2


def test_apply_refuses_a_blocked_plan_with_exit_3(org_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(
        ["apply", str(EXAMPLES / "elements.yaml"), "--org", org_env, "--user", USERNAME, "--yes"], capsys
    )
    assert code == 3
    assert "cannot apply" in err and "Elements Admins" in err


def test_apply_json_never_prints_a_token(
    org_env: str, emulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["apply", str(EXAMPLES / "upflow.yaml"), "--org", org_env, "--user", USERNAME, "--yes", "--json"],
        capsys,
    )
    assert code == 0
    assert emulator.admin_token not in out + err
    assert "password" not in out.lower()
