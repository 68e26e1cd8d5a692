"""Terminal text for ``explain --escalation``: each path to admin, step by step, with its sources."""

from __future__ import annotations

from rich.text import Text

from leastforce.checks.audit.escalation import EscalationReport
from leastforce.render.text.verify import to_string


def render_escalation(report: EscalationReport, *, color: bool = False, width: int = 100) -> str:
    head = Text(f"Escalation paths of {report.username}", style="bold")
    if report.holds:
        lines = [
            head,
            Text(f"  already holds System Administrator-equivalent access: {', '.join(report.holds)}"),
        ]
        return to_string(lines, color=color, width=width)
    if not report.paths:
        return to_string(
            [head, Text("  no path to Modify All Data, Customize Application or Manage Users")],
            color=color,
            width=width,
        )
    lines = [
        head,
        Text(f"  {len(report.paths)} path(s) to System Administrator-equivalent access", style="red"),
    ]
    for n, path in enumerate(report.paths, start=1):
        lines.append(Text(f"  path {n}: {len(path.steps)} step(s) to {path.target}", style="bold"))
        for i, step in enumerate(path.steps, start=1):
            lines.append(Text(f"    {i}. {step}"))
            lines.append(Text(f"       rule {step.edge}: {step.source}", style="dim"))
    lines.append(
        Text("  [UNVERIFIED]: our reading where the documentation leaves the rule open", style="dim")
    )
    return to_string(lines, color=color, width=width)
