"""`leastforce validate`: exit codes, file:line:col output, and the --json envelope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leastforce.cli import group
from support.paths import ROOT

GOOD = "manifest: 1\nintegration: Good\nsummary: s\nfeatures:\n  sync:\n    summary: s\n    requires:\n"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(group, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_all_examples_are_valid() -> None:
    paths = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    code, out = _run(*paths)
    assert code == 0, out
    assert out.count(": valid: ") == len(paths)
    assert ": error:" not in out


def test_warnings_are_printed_and_exit_zero(in_tmp: Path) -> None:
    (in_tmp / "w.yaml").write_text(GOOD + "      - {permission: Manage Flow, why: flows}\n")
    code, out = _run("w.yaml")
    assert code == 0
    assert out.splitlines() == [
        "w.yaml:8:22: warning: label 'Manage Flow' used; the API name is ManageInteraction",
        "w.yaml: valid: Good, features sync (1 warning(s))",
    ]


def test_errors_exit_two_with_positions(in_tmp: Path) -> None:
    (in_tmp / "bad.yaml").write_text(
        GOOD + "      - {permission: ApiEnabld, why: api}\n      - {object: User, access: [read], why: u}\n"
    )
    (in_tmp / "good.yaml").write_text(GOOD + "      - {permission: ApiEnabled, why: api}\n")
    code, out = _run("good.yaml", "bad.yaml")
    assert code == 2
    lines = out.splitlines()
    assert lines[0] == "good.yaml: valid: Good, features sync"
    assert lines[1].startswith(
        "bad.yaml:8:9: error: unknown user permission 'ApiEnabld' (did you mean ApiEnabled"
    )
    assert lines[2].startswith("bad.yaml:9:9: error: User (object access [read]): ")
    assert lines[3] == "bad.yaml: invalid (2 error(s), 0 warning(s))"


def test_missing_file_is_a_problem_not_a_crash(in_tmp: Path) -> None:
    code, out = _run("nope.yaml")
    assert code == 2
    assert out.splitlines()[0] == "nope.yaml: error: no such file"


def test_json_envelope(in_tmp: Path) -> None:
    (in_tmp / "bad.yaml").write_text(GOOD + "      - {permission: ApiEnabled}\n")
    code, out = _run("--json", "bad.yaml")
    assert code == 2
    envelope = json.loads(out)
    assert envelope["status"] == 2
    assert envelope["warnings"] == []
    result = envelope["result"]
    assert result["valid"] is False
    assert result["manifests"] == [{"path": "bad.yaml", "valid": False, "integration": "", "features": []}]
    assert result["problems"] == [
        {
            "file": "bad.yaml",
            "line": 8,
            "column": 9,
            "severity": "error",
            "message": "missing required key 'why' in features.sync.requires[0]",
        }
    ]


def test_json_envelope_when_valid() -> None:
    code, out = _run("--json", str(ROOT / "examples" / "upflow.yaml"))
    assert code == 0
    envelope = json.loads(out)
    assert envelope["status"] == 0
    assert envelope["result"]["valid"] is True
    assert envelope["result"]["manifests"][0]["features"] == ["sync", "connect", "export"]


def test_needs_a_manifest_argument() -> None:
    code, _ = _run()
    assert code == 2


def test_entry_point_exit_code(in_tmp: Path) -> None:
    import subprocess
    import sys

    (in_tmp / "bad.yaml").write_text("manifest: 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "leastforce", "validate", "bad.yaml"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stdout.startswith("bad.yaml:1:1: error: missing required key")
    assert "Traceback" not in done.stderr
