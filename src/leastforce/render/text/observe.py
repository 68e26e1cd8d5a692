"""Terminal text for an ObserveReport: the evidence, then per verdict the object rights, then the limits.

``render`` is pure: rich prints to a string, with ANSI colors only when ``color`` is true.
"""

from __future__ import annotations

from rich.text import Text

from leastforce.checks.observe.report import ObservedRight, ObserveReport, Verdict
from leastforce.render.text.verify import to_string
from leastforce.values.visible import visible

_SECTIONS = (
    (Verdict.USED, "Used", "green"),
    (Verdict.USED_UNDECLARED, "Used but not declared in the manifest", "yellow"),
    (Verdict.UNUSED, "Granted or declared, never used", "red"),
    (Verdict.DENIED, "Denied attempts (access the user lacks)", "red"),
)


def render(
    report: ObserveReport, removals: tuple[str, ...] = (), *, color: bool = False, width: int = 100
) -> str:
    c = report.coverage
    lines = [
        Text(f"{visible(report.username)}: API calls over the last {c.days} days", style="bold"),
        Text(
            f"Evidence: {c.files} log files since {c.since[:10]} (daily: {len(c.daily_dates)} days, hourly "
            f"only: {len(set(c.hourly_dates) - set(c.daily_dates))} days; Unique Query: "
            f"{'yes' if c.unique_query else 'no, objects only'}); {report.usage.calls} calls of the user, "
            f"{report.usage.unattributed} needing no object right the log shows."
        ),
    ]
    if report.usage.apps:
        lines.append(Text(f"Connected apps: {', '.join(visible(a) for a in report.usage.apps)}"))
    for verdict, title, style in _SECTIONS:
        rows = report.having(verdict)
        if verdict is Verdict.USED:
            rows = rows + report.having(Verdict.USED_UNDECLARED) if report.manifest is None else rows
        if rows:
            lines.append(Text(f"{title}:", style=f"bold {style}"))
            lines += [_line(r, verdict) for r in rows]
    denied_too = [r for r in report.denied if r.verdict is not Verdict.DENIED]
    if denied_too:
        lines.append(Text("Also refused at times (granted now, or used as well):", style="yellow"))
        lines += [_line(r, Verdict.DENIED) for r in denied_too]
    if removals:
        lines.append(Text("Proposed removals (--write):", style="bold cyan"))
        lines += [Text(f"  {visible(r)}") for r in removals]
    lines.append(Text("What the logs cannot show:", style="bold"))
    lines += [Text(f"  - {note}") for note in report.limits]
    return to_string(lines, color=color, width=width)


def _line(row: ObservedRight, verdict: Verdict) -> Text:
    name = f"  {visible(row.sobject)} {row.right.key}"
    if verdict is Verdict.DENIED and row.denied is not None:
        statuses = ", ".join(str(s) for s in row.denied.statuses)
        return Text(f"{name}: {row.denied.count} refused (HTTP {statuses}), last {row.denied.last}")
    if row.used is not None:
        fields = f"; fields {', '.join(visible(f) for f in row.used.fields)}" if row.used.fields else ""
        return Text(f"{name}: {row.used.count} calls, last {row.used.last}{fields}")
    held = ["granted" if row.granted else "not granted"]
    if row.declared is not None:
        held.append("declared" if row.declared else "not declared")
    return Text(f"{name}: {', '.join(held)}, 0 calls")
