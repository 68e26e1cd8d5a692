"""scripts/mutation_score.py, the gate of `make mutation`: the score per module from mutmut's result files, and
a failing exit below the threshold (docs/mutation.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scripts.mutation_score import main


def _results(root: Path, module: str, codes: dict[str, int | None]) -> None:
    meta = root / "src" / f"{module}.meta"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps({"exit_code_by_key": codes, "durations_by_key": {}}), "utf-8")


def test_the_score_counts_killed_and_timed_out_mutants_per_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _results(tmp_path, "leastforce/planning/diff.py", {f"d{n}": 1 for n in range(18)} | {"d18": 36, "d19": 0})
    _results(tmp_path, "leastforce/org/apply/journal.py", {"j1": 1, "j2": 5})

    assert main(["--mutants", str(tmp_path), "--min", "85", "--survivors"]) == 0
    out = capsys.readouterr().out
    assert "leastforce/planning/diff.py" in out and " 95.0%" in out  # 18 killed + 1 timeout of 20
    assert "leastforce/org/apply/journal.py" in out and " 50.0%" in out
    assert "mutation score 90.9% (at least 85% required)" in out  # 20 of 22
    assert "survived  d19" in out and "no tests  j2" in out and "d18" not in out


def test_below_the_threshold_or_without_results_it_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--mutants", str(tmp_path)]) == 2
    assert "run `mutmut run` first" in capsys.readouterr().err
    _results(tmp_path, "leastforce/planning/user.py", {"u1": 1, "u2": 0})
    assert main(["--mutants", str(tmp_path)]) == 1
    assert "mutation score 50.0% is below 90%" in capsys.readouterr().err
