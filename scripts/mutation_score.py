"""The mutation score of the last `mutmut run`, per module, and a non-zero exit below the threshold.

Reads mutmut's own result files (``mutants/<source path>.meta``: JSON, ``exit_code_by_key`` = the exit code of
the tests run against each mutant) and names each code with mutmut's own table when mutmut is installed. Killed = the tests failed (or timed out) with the mutant in place; everything
else counts against the score, "no tests" (no selected test reaches the code) included.

    python scripts/mutation_score.py [--min 90] [--mutants mutants] [--survivors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

try:
    from mutmut.stats import status_by_exit_code
except ImportError:  # mutmut not installed: its 3.8 table, for reading results copied elsewhere
    from collections import defaultdict

    status_by_exit_code = defaultdict(
        lambda: "suspicious",
        {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 36: "timeout"}
        | {24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout", 37: "caught by type check"}
        | {None: "not checked", 2: "check was interrupted by user", -11: "segfault", -9: "segfault"},
    )

KILLED = {"killed", "timeout", "caught by type check"}


def module_of(meta: Path, root: Path) -> str:
    """``mutants/src/leastforce/planning/diff.py.meta`` -> ``leastforce/planning/diff.py``."""
    relative = meta.relative_to(root).with_suffix("")  # drop .meta
    parts = relative.parts[1:] if relative.parts[0] == "src" else relative.parts
    return "/".join(parts)


def read(root: Path) -> dict[str, dict[str, str]]:
    """Module -> {mutant name: status}."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {})
        if codes:
            out[module_of(meta, root)] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return out


def table(results: dict[str, dict[str, str]]) -> tuple[list[str], int, int]:
    """The report lines, and the killed and total counts over every module."""
    lines = [
        f"{'module':44} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} {'no tests':>8} {'score':>6}"
    ]
    killed_all = total_all = 0
    for module, statuses in results.items():
        counts = Counter(statuses.values())
        killed = sum(counts[s] for s in KILLED)
        total = len(statuses)
        killed_all, total_all = killed_all + killed, total_all + total
        lines.append(
            f"{module:44} {total:7} {counts['killed']:6} {counts['timeout']:7} {counts['survived']:8}"
            f" {counts['no tests']:8} {100 * killed / total:5.1f}%"
        )
    score = 100 * killed_all / total_all if total_all else 0.0
    lines.append(f"{'total':44} {total_all:7} {'':6} {'':7} {'':8} {'':8} {score:5.1f}%")
    return lines, killed_all, total_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=90.0, help="lowest acceptable score, percent")
    parser.add_argument("--mutants", type=Path, default=Path("mutants"), help="mutmut's working directory")
    parser.add_argument("--survivors", action="store_true", help="list every mutant not killed")
    args = parser.parse_args(argv)
    results = read(args.mutants)
    if not results:
        print(f"no mutmut results under {args.mutants}/: run `mutmut run` first", file=sys.stderr)
        return 2
    lines, killed, total = table(results)
    print("\n".join(lines))
    if args.survivors:
        for statuses in results.values():
            for name, status in statuses.items():
                if status not in KILLED:
                    print(f"  {status:9} {name}   (mutmut show {name})")
    score = 100 * killed / total
    if score < args.min:
        print(f"mutation score {score:.1f}% is below {args.min:g}%", file=sys.stderr)
        return 1
    print(f"mutation score {score:.1f}% (at least {args.min:g}% required)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
