"""Render a plan (ChangeSet) and an apply result as text (JSON: leastforce.render.json.plan). Pure: values in, text out.

Each change shows its Setup terms (what an admin would click) and its API terms (sObject, verb, fields).
"""

from __future__ import annotations

from leastforce.org.apply.journal import Entry
from leastforce.planning.changes import Action, Change, ChangeSet, FindingKind, Step
from leastforce.values.visible import visible

_SECTIONS = {
    Step.PROFILE: "Profile",
    Step.PERMISSION_SET: "Permission sets",
    Step.ROWS_GROW: "Object and field permissions",
    Step.SET_UPDATE: "Permission sets",
    Step.ROWS_SHRINK: "Object and field permissions",
    Step.USER: "User",
    Step.LICENSE_ASSIGNMENT: "Permission set licenses",
    Step.ASSIGNMENT: "Permission set assignments",
}
_MARKS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}
_COLORS = {Action.CREATE: "32", Action.UPDATE: "33", Action.DELETE: "31"}
_FINDING_MARKS = {FindingKind.BLOCKER: "!", FindingKind.UNMANAGED: "?", FindingKind.NOTE: "i"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def summary(changes: ChangeSet) -> str:
    counts = {a: sum(1 for c in changes.changes if c.action is a) for a in Action}
    who = f" (user {changes.username})" if changes.username else ""
    if changes.in_sync:
        head = f"{changes.integration}{who}: in sync, nothing to change"
    else:
        head = (
            f"{changes.integration}{who}: {counts[Action.CREATE]} to create, {counts[Action.UPDATE]} to update, "
            f"{counts[Action.DELETE]} to remove"
        )
    return head + f"; {len(changes.matches)} already match"


def render(changes: ChangeSet, *, color: bool = False, show_matches: bool = True) -> str:
    """The plan as a terminal would show it."""
    # org and manifest text (names, labels, messages) is shown visibly before colours are added (values/visible.py)
    lines = [f"Plan: {visible(summary(changes))}"] + ([""] if changes.changes else [])
    section = ""
    for change in changes.changes:
        title = _SECTIONS[change.step]
        if title != section:
            section = title
            lines.append(f"{title}:")
        lines += _change_lines(change, color)
    if changes.findings:
        lines += ["", "Reported, not changed:"]
        for finding in changes.findings:
            mark = _FINDING_MARKS[finding.kind]
            text = f"  {mark} {finding.kind.value}: {visible(finding.message)}"
            lines.append(_paint(text, "31", color) if finding.kind is FindingKind.BLOCKER else text)
    if show_matches and changes.matches:
        lines += ["", "Already as the manifest needs:"]
        lines += [f"  = {visible(str(m))}" for m in changes.matches]
    return "\n".join(lines) + "\n"


def _change_lines(change: Change, color: bool) -> list[str]:
    mark = _paint(_MARKS[change.action], _COLORS[change.action], color)
    return [f"  {mark} {visible(change.setup)}", f"      API: {visible(change.api())}"]


def render_applied(entries: tuple[Entry, ...], calls: int) -> str:
    lines = [f"Applied {len(entries)} change(s) in {calls} API call(s):"]
    lines += [
        visible(f"  {_MARKS[e.change.action]} {e.change.sobject} {e.record_id}: {e.change.setup}")
        for e in entries
    ]
    return "\n".join(lines) + "\n"
