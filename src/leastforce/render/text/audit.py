"""Terminal text for an AuditResult: summary, each integration user's findings with evidence, org-wide
holders, and drift. ``render`` is pure (rich Text to a string; ANSI colors only when ``color``)."""

from __future__ import annotations

from rich.text import Text

from leastforce.checks.audit.drift import UserDrift
from leastforce.checks.audit.model import AuditResult, Finding, Severity, UserAudit
from leastforce.render.text.verify import to_string

STYLES = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render(result: AuditResult, *, color: bool = False, width: int = 100, show_info: bool = False) -> str:
    """The audit as text; info findings only with ``show_info`` (they are counted in the summary)."""
    lines: list[Text] = [*_summary(result), Text("")]
    for user in result.users:
        lines += [*_user(user, show_info), Text("")]
    if result.human_findings:
        lines.append(Text("Other users", style="bold"))
        for finding in result.human_findings:
            lines += _finding(finding, indent=2, subject=True)
        lines.append(Text(""))
    lines += [*_rollup(result), Text("")]
    lines.append(Text("Who holds the org's most powerful permissions", style="bold"))
    for item in result.org_wide:
        lines.append(Text(f"  {item.label} ({item.permission}): {len(item.holders)} user(s)"))
        for holder in item.holders:
            tags = [
                t for t, on in (("integration", holder.integration), ("inactive", not holder.is_active)) if on
            ]
            suffix = f" [{', '.join(tags)}]" if tags else ""
            lines.append(Text(f"    {holder.username}{suffix}: {'; '.join(holder.evidence)}"))
    if result.drift is not None:
        lines += [Text(""), *_drift(result)]
    return to_string(lines, color=color, width=width)


def _rollup(result: AuditResult) -> list[Text]:
    """Per tier, then per right: holder counts (every holder with its path: --format csv)."""
    lines = [Text("Risky rights org-wide (every holder and path: --format csv)", style="bold")]
    for t in result.tier_rollup:
        lines.append(
            Text(
                f"  {t.tier.value}: {t.rights} right(s) held by {t.active_users} active, {t.inactive_users} inactive user(s)"
            )
        )
    for c in result.right_counts:
        lines.append(
            Text(f"    [{c.tier.value}] {c.label} ({c.right}): {c.active} active, {c.inactive} inactive")
        )
    return lines


def _summary(result: AuditResult) -> list[Text]:
    counts = result.counts()
    worst = result.worst()
    head = Text(f"Audit of {result.instance_url or 'the org'}: ", style="bold")
    head.append(f"{len(result.users)} integration user(s), {sum(counts.values())} finding(s)")
    parts = Text("")
    for sev in Severity:
        parts.append("  ")
        parts.append(f"{sev.value} {counts[sev]}", style=STYLES[sev] if counts[sev] else "")
    verdict = Text(
        f"  Worst: {worst.value}" if worst else "  No findings.", style=STYLES[worst] if worst else "green"
    )
    return [head, parts, verdict]


def _user(user: UserAudit, show_info: bool) -> list[Text]:
    head = Text(user.user.username, style="bold")
    state = [] if user.user.is_active else ["inactive"]
    state += ["frozen"] if user.user.is_frozen else []
    head.append(f"  ({user.integration or 'no manifest'}; profile {user.profile or '?'}")
    head.append(f"; {', '.join(state)})" if state else ")")
    lines = [head, Text(f"  why listed: {', '.join(r.value for r in user.reasons)}", style="dim")]
    if user.tokens:
        lines.append(Text(f"  connected apps: {', '.join(user.tokens)}", style="dim"))
    shown = [f for f in user.findings if show_info or f.severity is not Severity.INFO]
    if not shown:
        lines.append(Text("  no findings above info", style="green"))
    for finding in shown:
        lines += _finding(finding, indent=2)
    return lines


def _finding(finding: Finding, *, indent: int, subject: bool = False) -> list[Text]:
    pad = " " * indent
    sev = finding.severity
    line = Text(pad)
    line.append(f"[{sev.value}]", style=STYLES[sev])
    who = f"{finding.subject}: " if subject else ""
    line.append(f" {who}{finding.rule.title}" + (f": {finding.item}" if finding.item else ""))
    out = [line]
    out += [Text(f"{pad}    - {e}", style="dim") for e in finding.evidence]
    if sev is not Severity.INFO:
        out.append(Text(f"{pad}    fix: {finding.rule.remediation}"))
    return out


def _drift(result: AuditResult) -> list[Text]:
    since = result.since.date().isoformat() if result.since else "the snapshot"
    lines = [Text(f"Changes since {since}", style="bold")]
    items = list(result.drift or ())
    if not any(d.changed for d in items):
        lines.append(Text("  no changes for the integration users"))
    for item in items:
        if not item.changed:
            continue
        lines.append(Text(f"  {item.username}" + (" (new user)" if item.is_new else "")))
        lines += [Text(f"    {text}") for text in drift_lines(item)]
    return lines


def drift_lines(item: UserDrift) -> list[str]:
    """One user's changes as short sentences (also used by the HTML report)."""
    out = []
    if item.profile_change:
        out.append(f"profile changed: {item.profile_change[0]} -> {item.profile_change[1]}")
    if item.gained_permissions:
        out.append("+ permissions: " + ", ".join(item.gained_permissions))
    if item.lost_permissions:
        out.append("- permissions: " + ", ".join(item.lost_permissions))
    for obj, rights in item.gained_objects.items():
        out.append(f"+ {obj}: {', '.join(rights)}")
    for obj, rights in item.lost_objects.items():
        out.append(f"- {obj}: {', '.join(rights)}")
    if item.new_assignments:
        out.append("+ assigned: " + ", ".join(item.new_assignments))
    if item.removed_assignments:
        out.append("- unassigned: " + ", ".join(item.removed_assignments))
    return out


def rules_table() -> str:
    """The rules of data/audit_rules.yaml as a Markdown table (docs/audit.md embeds it)."""
    from leastforce.checks.audit.model import load_rules

    rows = ["| rule | severity | finding | source |", "|---|---|---|---|"]
    for rule in load_rules().values():
        rows.append(f"| `{rule.id}` | {rule.severity.value} | {rule.title} | {rule.source} |")
    return "\n".join(rows) + "\n"
