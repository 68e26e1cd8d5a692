"""Terminal text for a DoctorResult: each diagnosis with its verdict, the org's checks, fix and source."""

from __future__ import annotations

from rich.text import Text

from leastforce.checks.doctor.model import Diagnosis, DoctorResult, Verdict
from leastforce.render.text.verify import to_string

MARKS = {
    Verdict.CONFIRMED: ("✗ confirmed", "bold red"),
    Verdict.LIKELY: ("? likely", "yellow"),
    Verdict.RULED_OUT: ("✓ ruled out", "green"),
}


def render(result: DoctorResult, *, color: bool = False, width: int = 100) -> str:
    """Diagnoses (confirmed first), then the user's hygiene problems; ruled-out causes are listed briefly."""
    lines: list[Text] = []
    if result.error:
        lines.append(Text(f"Error: {result.error}", style="bold"))
        if not result.diagnoses:
            lines.append(Text("  no known cause matches this error text"))
        for diagnosis in result.diagnoses:
            lines += _diagnosis(diagnosis)
        if not result.org_checked:
            lines.append(
                Text("  (not checked against an org: give --org and --user to confirm)", style="dim")
            )
        lines.append(Text(""))
    if result.username:
        lines.append(Text(f"User {result.username}", style="bold"))
        if not result.hygiene:
            lines.append(Text("  no problems found with the user", style="green"))
        for diagnosis in result.hygiene:
            lines += _diagnosis(diagnosis)
    return to_string(lines, color=color, width=width)


def _diagnosis(d: Diagnosis) -> list[Text]:
    mark, style = MARKS[d.verdict]
    head = Text("  ")
    head.append(f"[{mark}]", style=style)
    head.append(f" {d.title}")
    if d.verdict is Verdict.RULED_OUT:
        return [head, *[Text(f"      {c.detail}", style="dim") for c in d.checks if c.holds is False]]
    out = [head, Text(f"      cause: {d.cause}")]
    out += [Text(f"      org: {c.detail}", style="dim") for c in d.checks if c.detail]
    out += [Text(f"      fix: {d.fix}"), Text(f"      source: {d.source}", style="dim")]
    return out


def diagnoses_table() -> str:
    """The diagnoses of data/diagnoses.yaml as Markdown tables (docs/audit.md embeds them)."""
    from leastforce.checks.doctor.model import load_diagnoses

    errors, hygiene = load_diagnoses()
    rows = ["| diagnosis | error text (regex) | cause | org checks | source |", "|---|---|---|---|---|"]
    for spec in errors:
        patterns = " / ".join(f"`{p.pattern}`" for p in spec.patterns)
        rows.append(
            f"| `{spec.id}` | {patterns} | {spec.title} | {', '.join(spec.checks) or '-'} | {spec.source} |"
        )
    rows += ["", "| hygiene | problem | org checks | source |", "|---|---|---|---|"]
    for spec in hygiene:
        rows.append(f"| `{spec.id}` | {spec.title} | {', '.join(spec.checks)} | {spec.source} |")
    return "\n".join(rows) + "\n"
