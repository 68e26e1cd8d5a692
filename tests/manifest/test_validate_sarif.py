"""`leastforce validate --format sarif`: a valid SARIF 2.1.0 log, same exit codes, -o FILE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leastforce.cli import group
from support.cli import run_cli
from support.paths import ROOT
from support.sarif import assert_valid_sarif

BROKEN = "examples/broken/upflow-typos.yaml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # SARIF URIs are relative to the working directory


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(group, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_broken_manifest_gives_errors_with_rule_ids_and_positions() -> None:
    code, out = _run("--format", "sarif", BROKEN)
    assert code == 2
    log = json.loads(out)
    assert_valid_sarif(log)
    (run,) = log["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"
    results = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in run["results"]
    ]
    assert results == [
        ("manifest-format", "error", BROKEN, {"startLine": 18, "startColumn": 24}),
        ("manifest-format", "error", BROKEN, {"startLine": 20, "startColumn": 9}),
    ]


def test_clean_examples_give_a_valid_log_and_exit_zero() -> None:
    paths = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.yaml"))
    code, out = _run("--format", "sarif", *paths)
    assert code == 0, out
    log = json.loads(out)
    assert_valid_sarif(log)
    assert all(r["level"] == "warning" for r in log["runs"][0]["results"])


def test_semantic_problems_carry_their_own_codes(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "manifest: 1\nintegration: T\nsummary: s\nfeatures:\n  sync:\n    summary: s\n    requires:\n"
        "      - {permission: ApiEnabledd, why: api}\n"
        "      - {permission: Manage Flow, why: flows}\n"
        "      - {object: Account, access: [edit], why: write}\n"
    )
    code, out = _run("--format", "sarif", str(manifest))
    assert code == 2
    log = json.loads(out)
    assert_valid_sarif(log)
    found = {(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]}
    assert {
        ("unknown-permission", "error"),
        ("permission-label", "warning"),
        ("implied-access", "warning"),
    } <= found
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": manifest.as_uri()}  # outside the working directory: an absolute file URI


def test_output_file_gets_the_log_and_stdout_the_text(tmp_path: Path) -> None:
    target = tmp_path / "validate.sarif"
    code, out = _run("--format", "sarif", "-o", str(target), BROKEN)
    assert code == 2
    assert f"{BROKEN}:18:24: error:" in out and "SARIF log:" in out
    assert_valid_sarif(json.loads(target.read_text(encoding="utf-8")))


def test_json_and_sarif_on_stdout_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(["validate", "--format", "sarif", "--json", BROKEN], capsys)
    assert code == 2 and "-o FILE" in json.loads(out)["message"]


def test_output_file_without_sarif_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(["validate", "-o", "x.sarif", "--json", BROKEN], capsys)
    assert code == 2 and "--format sarif" in json.loads(out)["message"]
