"""Render bench results: a terminal table and docs/benchmarks.md (generated tables + bench/analysis.md)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from bench.sizes import SIZES

ANALYSIS = Path(__file__).resolve().parent / "analysis.md"

# (key, header, format, target as text)
COLUMNS = (
    ("verify_calls", "verify calls", "{:d}", "<= 6"),
    ("verify_s", "verify s", "{:.2f}", ""),
    ("snapshot_calls", "snapshot calls (Bulk + REST)", "{:d}", "<= 60 at M, L"),
    ("rest_snapshot_calls", "REST-only snapshot calls", "{:d}", "= min"),
    ("snapshot_min_calls", "REST min calls", "{:d}", ""),
    ("snapshot_s", "snapshot s (Bulk + REST)", "{:.2f}", "<= 0.5x REST-only at M, L"),
    ("rest_snapshot_s", "REST-only snapshot s", "{:.2f}", ""),
    ("baseline_s", "baseline s", "{:.2f}", ""),
    ("snapshot_ratio", "snapshot/baseline", "{:.2f}", "<= 1.2"),
    ("resolve_all_s", "resolve_all s", "{:.2f}", "< 5 at L"),
    ("peak_rss_mb", "peak RSS MB (snapshot + compute)", "{:.0f}", "< 400 at L"),
    ("explain_field_s", "explain field s", "{:.3f}", "< 1 at L"),
    ("audit_s", "audit s", "{:.2f}", "< 10 at L"),
    ("audit_peak_rss_mb", "audit peak RSS MB (own process)", "{:.0f}", "< 500 at L"),
    ("escalation_s", "escalation s", "{:.2f}", "< 5 at L"),
    ("explain_field_nogc_s", "explain, no GC s", "{:.3f}", ""),
    ("index_s", "index build s", "{:.3f}", ""),
    ("load_snapshot_s", "load snapshot s", "{:.2f}", "< 1 at L"),
    ("full_user_ms", "all maps, ms/user", "{:.1f}", ""),
)


# observe over a month of log files (bench/observe.py): (key, header, format, target as text)
OBSERVE_COLUMNS = (
    ("observe_rows", "log rows read", "{:d}", "6,000,000"),
    ("observe_user_rows", "rows of the user", "{:d}", ""),
    ("observe_s", "observe s", "{:.1f}", "< 60"),
    ("observe_peak_rss_mb", "observe peak RSS MB", "{:.0f}", "< 300"),
)


def render_observe(observe: dict[str, Any] | None) -> str:
    """The observe figures as lines for the terminal ('' when not measured)."""
    if not observe:
        return ""
    return "".join(
        f"{header:<28}{_cell(observe, key, fmt):>12}   {target}\n"
        for key, header, fmt, target in OBSERVE_COLUMNS
    )


def _cell(entry: dict[str, Any], key: str, fmt: str) -> str:
    value = entry.get(key)
    if value is None:
        return "-"
    return fmt.format(int(value) if fmt == "{:d}" else float(value))


def render_table(sizes: dict[str, dict[str, Any]]) -> str:
    """A fixed-width table, one column per size."""
    names = list(sizes)
    width = max(len(c[1]) for c in COLUMNS)
    lines = ["metric".ljust(width) + "".join(n.rjust(12) for n in names) + "   target"]
    for key, header, fmt, target in COLUMNS:
        cells = "".join(_cell(sizes[n], key, fmt).rjust(12) for n in names)
        lines.append(header.ljust(width) + cells + ("   " + target if target else ""))
    return "\n".join(lines) + "\n"


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def _shape_rows(sizes: dict[str, dict[str, Any]]) -> list[list[str]]:
    rows = []
    for name, entry in sizes.items():
        size = SIZES[name]
        counts = entry.get("rows", {})
        rows.append(
            [
                name,
                f"{counts.get('User', size.users):,}",
                f"{counts.get('PermissionSet', size.permission_sets):,}",
                f"{size.objects:,}",
                f"{counts.get('ObjectPermissions', 0):,}",
                f"{counts.get('FieldPermissions', size.field_rows):,}",
                f"{counts.get('PermissionSetAssignment', 0):,}",
                f"{counts.get('PermissionSetGroup', size.groups):,}",
            ]
        )
    return rows


def _growth_rows(sizes: dict[str, dict[str, Any]]) -> list[list[str]]:
    """Between consecutive sizes: how much each input grew, and each cost."""
    names = [n for n in sizes if n != "XS"]
    rows = []
    for small, big in itertools.pairwise(names):
        a, b = sizes[small], sizes[big]
        ra, rb = a.get("rows", {}), b.get("rows", {})

        def grow(x: float | None, y: float | None) -> str:
            return f"x{y / x:.1f}" if x and y else "-"

        rows.append(
            [
                f"{small} -> {big}",
                grow(ra.get("User"), rb.get("User")),
                grow(ra.get("PermissionSet"), rb.get("PermissionSet")),
                grow(ra.get("FieldPermissions"), rb.get("FieldPermissions")),
                grow(a.get("snapshot_calls"), b.get("snapshot_calls")),
                grow(a.get("snapshot_s"), b.get("snapshot_s")),
                grow(a.get("resolve_all_s"), b.get("resolve_all_s")),
                grow(a.get("peak_rss_mb"), b.get("peak_rss_mb")),
                grow(a.get("explain_field_s"), b.get("explain_field_s")),
                grow(a.get("audit_s"), b.get("audit_s")),
            ]
        )
    return rows


def render_markdown(
    sizes: dict[str, dict[str, Any]], machine: dict[str, Any], observe: dict[str, Any] | None = None
) -> str:
    """docs/benchmarks.md: how to run, the org shapes, the results, the growth, then the analysis."""
    names = list(sizes)
    lines = [
        "# Benchmarks",
        "",
        "<!-- generated by `make bench` (bench/run.py); the analysis comes from bench/analysis.md -->",
        "",
        "`make bench` measures sizes S and M (`BENCH=S,M,L make bench` adds L; `BENCH_RUNS=N` sets the",
        "repetitions, default 3). Every time is a median over the runs; snapshot/baseline is the median of",
        "the ratios measured back to back in each run. Results: `bench/results.json`.",
        f"Machine: Python {machine.get('python')}, {machine.get('cpus')} CPUs, {machine.get('platform')}.",
        "",
        "## Synthetic orgs",
        "",
    ]
    lines += _markdown_table(
        [
            "size",
            "users",
            "permission sets",
            "objects",
            "ObjectPermissions",
            "FieldPermissions",
            "assignments",
            "groups",
        ],
        _shape_rows(sizes),
    )
    lines += ["", "## Results", ""]
    rows = [
        [header, *(_cell(sizes[n], key, fmt) for n in names), target] for key, header, fmt, target in COLUMNS
    ]
    lines += _markdown_table(["metric", *names, "target"], rows)
    lines += ["", "## Growth between sizes", ""]
    lines += _markdown_table(
        [
            "step",
            "users",
            "sets",
            "field rows",
            "snapshot calls",
            "snapshot s",
            "resolve_all s",
            "peak RSS",
            "explain s",
            "audit s",
        ],
        _growth_rows(sizes),
    )
    lines.append("")
    if observe:
        lines += ["", "## observe over a month of log files", ""]
        lines += [
            "`BENCH=OBSERVE make bench`: `leastforce observe` in its own process over 30 Daily API Total Usage",
            "files of 200,000 calls each (2% the observed user's), served by the local org (bench/observe.py).",
            "",
        ]
        lines += _markdown_table(
            ["metric", "value", "target"],
            [[header, _cell(observe, key, fmt), target] for key, header, fmt, target in OBSERVE_COLUMNS],
        )
        lines.append("")
    if ANALYSIS.exists():
        lines += ["", ANALYSIS.read_text().rstrip(), ""]
    return "\n".join(lines)
