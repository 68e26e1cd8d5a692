"""Terminal text for an ExplainResult: every path that grants the target, muted and expired ones.

``render`` is pure: rich prints to a string, with ANSI colors only when ``color`` is true.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from leastforce.access.grants import describe_grant
from leastforce.checks.explain.paths import ExplainResult, Path, TargetKind
from leastforce.render.text.verify import to_string


def render(result: ExplainResult, *, color: bool = False, width: int = 100) -> str:
    """The explanation as text: headline, active paths, muted, expired, notes, what would grant it."""
    target = result.target
    name = f"{target} ({target.label})" if target.label and target.label != target.name else str(target)
    head = Text(f"{result.username}: {_KIND_WORDS[target.kind]} {name}: ", style="bold")
    head.append(*(("granted", "bold green") if result.granted else ("not granted", "bold red")))
    lines = [head]
    lines += _section("Granted by", result.paths, "green")
    lines += _section("Muted (a group's muting set removes it)", result.muted, "yellow")
    expired = tuple(replace(p, grant=replace(p.grant, expires=None)) for p in result.expired)
    lines += _section("Expired (the assignment no longer grants it)", expired, "yellow")
    lines += [Text(f"Note: {note}", style="yellow") for note in result.notes]
    if not result.paths:
        lines.append(Text("No profile, permission set or group grants it.", style="red"))
    if result.suggestion:
        lines.append(Text(f"To grant it: {result.suggestion}", style="cyan"))
    return to_string(lines, color=color, width=width)


_KIND_WORDS = {
    TargetKind.PERMISSION: "permission",
    TargetKind.OBJECT: "object",
    TargetKind.OBJECT_RIGHT: "object access",
    TargetKind.FIELD: "field access",
}


def _section(title: str, paths: tuple[Path, ...], style: str) -> list[Text]:
    if not paths:
        return []
    out = [Text(f"{title}:")]
    for path in paths:
        line = Text("  ")
        if path.right:
            line.append(f"{path.right}: ", style="bold")
        line.append(describe_grant(path.grant), style=style)
        if path.note:
            line.append(f"  ({path.note})", style="dim")
        out.append(line)
    return out
