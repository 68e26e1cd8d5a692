"""Hostile command-line arguments: paths that don't exist, directories instead of files (and back), unwritable
outputs, broken snapshots, odd --org values, shell metacharacters, unknown targets, features and options.
Outcome: exit 2 (bad input) or 3 (org), one clear line, never a traceback or an internal error, with and
without --json (the JSON envelope then carries the same status).

Fixed on the way (src/leastforce/cli.py): an OSError about a file the user named (an output path in a
missing or read-only directory) is exit 2 with "cannot use PATH: reason", not an internal error.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from leastforce.cli import main
from support.paths import ROOT

MANIFEST = str(ROOT / "examples" / "upflow.yaml")


@pytest.fixture(autouse=True)
def no_org_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LEASTFORCE_ORG", "SF_ACCESS_TOKEN", "SF_CLIENT_ID", "SF_USERNAME", "SF_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no sf CLI, whatever the machine has


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "dir").mkdir()
    (tmp_path / "file.txt").write_text("not sqlite\n")
    with sqlite3.connect(tmp_path / "other.sqlite") as db:
        db.execute("CREATE TABLE t (a)")
    (tmp_path / "sentinel").write_text("still here")
    return {
        "dir": str(tmp_path / "dir"),
        "file": str(tmp_path / "file.txt"),
        "other_db": str(tmp_path / "other.sqlite"),
        "sentinel": str(tmp_path / "sentinel"),
        "missing": str(tmp_path / "missing" / "deeper" / "x.out"),
    }


CASES: list[tuple[str, list[str], int]] = [
    ("missing manifest", ["validate", "{missing}"], 2),
    ("directory as manifest", ["validate", "{dir}"], 2),
    ("directory as manifest (guide)", ["guide", "{dir}"], 2),
    ("directory as manifest (build)", ["build", "{dir}", "-o", "{dir}/out"], 2),
    ("missing manifest (verify)", ["verify", "{missing}", "--org", "snapshot:{other_db}", "--user", "a"], 2),
    ("file as build output dir", ["build", MANIFEST, "-o", "{file}"], 2),
    ("build output under /proc", ["build", MANIFEST, "-o", "/proc/leastforce-out"], 2),
    ("guide output is a directory", ["guide", MANIFEST, "-o", "{dir}"], 2),
    ("guide output in a missing directory", ["guide", MANIFEST, "-o", "{missing}"], 2),
    ("snapshot output is a directory", ["snapshot", "--org", "https://127.0.0.1:1", "-o", "{dir}"], 2),
    ("snapshot of a snapshot", ["snapshot", "--org", "snapshot:{other_db}", "-o", "{dir}/s.sqlite"], 2),
    ("missing snapshot", ["explain", "--org", "snapshot:{missing}", "--user", "a", "ApiEnabled"], 2),
    ("directory as snapshot", ["explain", "--org", "snapshot:{dir}", "--user", "a", "ApiEnabled"], 2),
    ("text file as snapshot", ["explain", "--org", "snapshot:{file}", "--user", "a", "ApiEnabled"], 2),
    ("foreign SQLite as snapshot", ["verify", MANIFEST, "--org", "snapshot:{other_db}", "--user", "a"], 2),
    ("no org at all", ["explain", "--user", "a", "ApiEnabled"], 2),
    ("URL without host", ["explain", "--org", "https://", "--user", "a", "ApiEnabled"], 2),
    ("broken IPv6 URL", ["explain", "--org", "http://[::1", "--user", "a", "ApiEnabled"], 2),
    ("URL without credentials", ["explain", "--org", "https://127.0.0.1:1", "--user", "a", "ApiEnabled"], 2),
    (
        "shell metacharacters as sf alias",
        ["explain", "--org", "x; rm -f {sentinel}", "--user", "a", "ApiEnabled"],
        3,
    ),
    ("SOQL in an sf alias", ["verify", MANIFEST, "--org", "x' OR Name != '", "--user", "a"], 3),
    ("unknown access", ["explain", "--org", "snapshot:{other_db}", "--user", "a", "Account:fly"], 2),
    ("empty target", ["explain", "--org", "snapshot:{other_db}", "--user", "a", ""], 2),
    ("unknown command", ["no-such-command"], 2),
    ("unknown option", ["validate", "--no-such-option", MANIFEST], 2),
    ("missing required option", ["explain", "ApiEnabled"], 2),
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


@pytest.mark.parametrize(("name", "template", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_arguments_fail_cleanly(
    name: str, template: list[str], expected: int, places: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.format(**places) for a in template]
    code, out, err = run(args, capsys)
    assert code == expected, (out, err)
    both = out + err
    assert "Traceback" not in both and "internal error" not in both, both
    assert both.strip(), "a message says what is wrong"
    assert len(err.strip().splitlines()) <= 6, err
    code, out, err = run([*args, "--json"], capsys)
    assert code == expected, (out, err)
    assert "Traceback" not in out + err
    if out.strip() and args[0] != "no-such-command":
        assert json.loads(out)["status"] == expected
    assert Path(places["sentinel"]).read_text() == "still here"  # nothing ran in a shell


def test_unreadable_manifest_is_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "locked.yaml"
    path.write_text("manifest: 1\n")
    path.chmod(0)
    try:
        code, out, err = run(["validate", str(path)], capsys)
    finally:
        path.chmod(0o600)
    # root reads anything; everyone else gets "cannot read"
    assert code == 2 and "Traceback" not in out + err
