"""Hostile manifests through every command that reads one: a clear file:line:col message and exit 2, never a
traceback, never an internal error, never a file written.

The corpus lives in tests/data/hostile/manifests/ (see its README.md): wrong types, YAML alias bombs, merge
keys, duplicate keys, Python tags, several documents, deep nesting, non-UTF-8 and UTF-16/32, NUL bytes,
control characters, overlong UTF-8, lone surrogates. Files named ``ok-*`` are odd but valid (a UTF-8 BOM,
CRLF line ends) and must load. Huge inputs are generated here, and hypothesis mutates a valid manifest.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leastforce.cli import main
from support.paths import TESTS

CORPUS = TESTS / "data" / "hostile" / "manifests"
HOSTILE = sorted(p for p in CORPUS.iterdir() if p.suffix == ".yaml" and not p.name.startswith("ok-"))
ACCEPTED = sorted(CORPUS.glob("ok-*.yaml"))
GOOD = (CORPUS / "ok-crlf.yaml").read_bytes().replace(b"\r\n", b"\n")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The real entry point in-process: (exit code, stdout + stderr)."""
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out + captured.err


def assert_refused(code: int, out: str, path: Path) -> None:
    assert code == 2, out
    assert "Traceback" not in out and "internal error" not in out, out
    assert path.name in out, out  # the message names the file (and, where known, line:col)


def commands_reading(path: Path, out_dir: Path) -> list[list[str]]:
    return [
        ["validate", str(path)],
        ["validate", str(path), "--json"],
        ["guide", str(path)],
        ["guide", str(path), "--format", "html", "-o", str(out_dir / "guide.html")],
        ["build", str(path), "-o", str(out_dir / "build")],
    ]


def test_corpus_is_there() -> None:
    assert len(HOSTILE) >= 30 and len(ACCEPTED) == 2


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.name)
def test_hostile_manifest_is_refused_cleanly(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in commands_reading(path, tmp_path):
        code, out = run(args, capsys)
        assert_refused(code, out, path)
    assert list(tmp_path.iterdir()) == [], "nothing is written for a refused manifest"
    assert not Path("/tmp/leastforce-pwned").exists()


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda p: p.name)
def test_odd_but_valid_manifest_loads(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in commands_reading(path, tmp_path):
        code, out = run(args, capsys)
        assert code == 0, (args, out)


def test_alias_bomb_is_refused_fast(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    code, out = run(["validate", str(CORPUS / "billion-laughs.yaml")], capsys)
    assert code == 2 and "aliases" in out
    assert time.monotonic() - started < 5


def test_file_over_the_size_limit_is_refused_without_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.write(GOOD)
        out.write(b"# " + b"x" * (16 * 1024 * 1024) + b"\n")  # 16 MiB
    started = time.monotonic()
    code, out_text = run(["validate", str(path)], capsys)
    assert_refused(code, out_text, path)
    assert "larger than" in out_text, out_text
    assert time.monotonic() - started < 5


def test_enormous_string_just_under_the_limit_is_handled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.yaml"
    path.write_bytes(GOOD.replace(b"Acme reads accounts.", b"A" * 900_000))
    code, out = run(["validate", str(path)], capsys)
    assert code in (0, 2) and "Traceback" not in out and "internal error" not in out


def test_deep_nesting_beyond_python_recursion_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("manifest: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n")
    code, out = run(["validate", str(path)], capsys)
    assert_refused(code, out, path)
    assert "nesting" in out


def test_hostile_manifest_in_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    """Outside pytest, with Python's own excepthook: stderr has the message and no traceback."""
    for name in ("python-tag.yaml", "nul-bytes.yaml", "utf16-bom.yaml", "wrong-types.yaml"):
        done = subprocess.run(
            [sys.executable, "-m", "leastforce", "guide", str(CORPUS / name), "--format", "html"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert name in done.stdout + done.stderr


MUTATIONS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=len(GOOD)),
        st.sampled_from(
            [
                b"\x00",
                b"\xff",
                b"'",
                b'"',
                b"&a ",
                b"*a",
                b"!!python/name:os.system ",
                b"{",
                b"[",
                b"\t",
                b"\n  ",
                b": ",
                b"- ",
                b"\xef\xbb\xbf",
                b"<<: ",
                b"%YAML 1.1\n---\n",
                b"\\",
                b"#",
                b"|",
                b">",
            ]
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(MUTATIONS)
def test_mutated_manifest_validates_or_is_refused_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutations: list[tuple[int, bytes]]
) -> None:
    data = GOOD
    for offset, insert in sorted(mutations, reverse=True):
        data = data[:offset] + insert + data[offset:]
    path = tmp_path / "mutant.yaml"
    path.write_bytes(data)
    code, out = run(["validate", str(path), "--json"], capsys)
    assert code in (0, 2), out
    assert "Traceback" not in out and "InternalError" not in out, out
