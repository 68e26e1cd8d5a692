"""Bad manifests in tests/data/manifests/: each ends with `# expect: LINE:COL: severity: message` lines.

`leastforce validate` must report exactly those problems (``...`` in an expectation matches any text,
for messages that quote the catalog).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from leastforce.cli import group
from support.paths import TESTS

DATA = TESTS / "data" / "manifests"
CASES = sorted(DATA.glob("*.yaml"))


def _expected(path: Path) -> list[str]:
    return [
        line.removeprefix("# expect: ")
        for line in path.read_text().splitlines()
        if line.startswith("# expect: ")
    ]


def _matches(pattern: str, line: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("..."))
    return re.fullmatch(regex, line) is not None


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_bad_manifest_reports_exactly_the_expected_problems(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DATA)
    result = CliRunner().invoke(group, ["validate", path.name])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith(f"{path.name}: invalid (")]
    got = [line.removeprefix(f"{path.name}:") for line in lines]
    expected = _expected(path)
    assert expected, "a corpus file needs # expect: lines"
    assert len(got) == len(expected), "\n".join(got)
    for pattern, line in zip(expected, got, strict=True):
        assert _matches(pattern, line), f"expected {pattern!r}\n     got {line!r}"
