"""`make bench`: measure each size, print a table, write bench/results.json and docs/benchmarks.md.

    BENCH="S M" (default) or BENCH=S,M,L   which sizes; OBSERVE in the list (BENCH="S M OBSERVE") also
                                            measures observe over 30 days of 200,000 calls (bench/observe.py)
    BENCH_RUNS=3 (default)                  repetitions; every number is a median over them

Sizes not measured in this run keep their previous entry in results.json (so an L run made once is not
lost by the next default run); docs/benchmarks.md is regenerated from the merged results.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import measure_size
from bench.observe import measure_observe
from bench.report import render_markdown, render_observe, render_table
from bench.sizes import SIZES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
OBSERVE = "OBSERVE"


def selected_sizes(text: str | None) -> list[str]:
    """Size names from BENCH ("S,M,L" or "S M"), in size order; default S and M (OBSERVE is no size)."""
    names = [n.strip().upper() for n in (text or "S M").replace(",", " ").split() if n.strip()]
    unknown = [n for n in names if n not in SIZES and n != OBSERVE]
    if unknown:
        raise SystemExit(f"BENCH: unknown size(s) {unknown}; known: {sorted(SIZES)}")
    return [n for n in SIZES if n in names]


def main() -> None:
    sizes = selected_sizes(os.environ.get("BENCH"))
    runs = max(1, int(os.environ.get("BENCH_RUNS", "3")))
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous = stored.get("sizes", {})
    observe = stored.get("observe")
    if OBSERVE in (os.environ.get("BENCH") or "").upper().replace(",", " ").split():
        print("measuring observe ...", file=sys.stderr, flush=True)
        observe = measure_observe(runs, log=lambda line: print(line, file=sys.stderr, flush=True))
        observe["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    measured: dict[str, Any] = {}
    for name in sizes:
        print(f"measuring {name} ({runs} runs) ...", file=sys.stderr, flush=True)
        measured[name] = measure_size(
            SIZES[name], runs, log=lambda line: print(line, file=sys.stderr, flush=True)
        )
        measured[name]["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    merged = {n: measured.get(n) or previous[n] for n in SIZES if n in measured or n in previous}
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    results = {"sizes": merged, "machine": machine} | ({"observe": observe} if observe else {})
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    DOC.write_text(render_markdown(merged, machine, observe))
    print(render_table(merged) + render_observe(observe))
    print(f"wrote {RESULTS.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
