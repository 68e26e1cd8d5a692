"""Terminal text for a VerifyResult: per feature, each requirement with its grants or its fix.

``render`` is pure: it prints to a string through rich, with ANSI colors only when ``color`` is true
(the CLI passes ``sys.stdout.isatty()``; NO_COLOR is the CLI's business).
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from leastforce.access.grants import describe_grant
from leastforce.catalog.catalog import Catalog
from leastforce.checks.verify.prerequisites import PrerequisiteResult
from leastforce.checks.verify.prerequisites import describe as describe_prerequisite
from leastforce.checks.verify.result import FeatureResult, RequirementResult, Status, VerifyResult
from leastforce.kinds import describe, kind_of
from leastforce.values.requirements import AnyOf
from leastforce.values.visible import visible

MARKS = {Status.PASSED: ("✓", "green"), Status.MISSING: ("✗", "red"), Status.NOT_CHECKED: ("?", "yellow")}


def render(
    result: VerifyResult, *, catalog: Catalog | None = None, color: bool = False, width: int = 100
) -> str:
    """The whole verification as text; long lines are not wrapped (fixes stay copyable)."""
    lines: list[Text] = [_headline(result), Text("")]
    lines.append(Text("User", style="bold"))
    for item in result.user_checks:
        lines += _requirement(item, catalog, depth=1, show_fix=True)
    for feature in result.features:
        lines += [Text(""), *_feature("Feature", feature, catalog)]
    if result.role is not None:
        lines += [Text(""), *_feature("Role", result.role, catalog)]
    if result.prerequisites:
        lines += [Text(""), Text("Prerequisites", style="bold")]
        lines += [line for item in result.prerequisites for line in _prerequisite(item)]
    if result.not_checked:
        lines += [
            Text(""),
            Text("Not checked (check these by hand; they do not count as passed)", style="bold yellow"),
        ]
        lines += [line for item in result.not_checked for line in _not_checked(item, catalog)]
    if result.warnings:
        lines += [Text(""), Text("Warnings", style="bold yellow")]
        lines += [Text(f"  ! {w}", style="yellow") for w in result.warnings]
    return to_string(lines, color=color, width=width)


def _prerequisite(item: PrerequisiteResult) -> list[Text]:
    mark, style = MARKS[item.status]
    line = Text("  ").append(mark, style=style).append(f" {describe_prerequisite(item.prerequisite)}")
    note = item.found if item.status is not Status.NOT_CHECKED else f"not checked: {item.reason}"
    if not item.applies:
        note = item.reason
    if note:
        line.append(f"  ({note})", style="yellow" if item.status is Status.NOT_CHECKED else "dim")
    out = [line]
    if item.status is Status.MISSING:
        out.append(Text(f"      why: {item.prerequisite.why}", style="dim"))
        out.append(Text(f"      fix: {item.fix}", style="cyan"))
    return out


def _not_checked(item: RequirementResult | PrerequisiteResult, catalog: Catalog | None) -> list[Text]:
    if isinstance(item, PrerequisiteResult):
        title, why, reason = describe_prerequisite(item.prerequisite), item.prerequisite.why, item.reason
    else:
        title, why, reason = (
            describe(item.requirement, catalog),
            item.requirement.why,
            "; ".join(item.missing),
        )
    out = [Text("  ").append("?", style="yellow").append(f" {title}").append(f"  ({reason})", style="yellow")]
    out += [Text(f"      why: {why}", style="dim")] if why else []
    out += [Text(f"      steps: {item.fix}", style="cyan")] if item.fix else []
    return out


def to_string(lines: list[Text], *, color: bool, width: int) -> str:
    """Print rich Text lines to a string (plain when ``color`` is false)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )
    for line in lines:
        console.print(visible_text(line))
    return buffer.getvalue()


def visible_text(line: Text) -> Text:
    """``line`` with its text through the one sanitiser (values/visible.py), styles kept: every renderer
    built on :func:`to_string` shows org and manifest text visibly, never as terminal commands. Each run of
    one style is sanitised on its own, so a span's style still covers exactly its (now visible) text."""
    cuts = sorted({0, len(line), *(x for span in line.spans for x in (span.start, span.end))})
    out = Text(style=line.style, end=line.end)
    for piece in line.divide(c for c in cuts if 0 < c < len(line)):
        clean = visible(piece.plain)
        styles = [span.style for span in piece.spans if span.start < span.end]
        out.append(clean, style=None)
        start = len(out) - len(clean)
        for style in styles:
            out.stylize(style, start, len(out))
    return out


def _headline(result: VerifyResult) -> Text:
    missing = _count_missing(result)
    text = Text(f"{result.integration}: verify {result.username}: ", style="bold")
    if result.passed:
        return text.append("PASSED", style="bold green")
    return text.append(f"FAILED ({missing} missing)", style="bold red")


def _count_missing(result: VerifyResult) -> int:
    features = [*result.features, *([result.role] if result.role else [])]
    items = [*result.user_checks, *(r for f in features for r in f.requirements)]
    missing = sum(1 for r in items if r.status is Status.MISSING)
    return missing + sum(1 for p in result.prerequisites if p.status is Status.MISSING)


def _feature(kind: str, feature: FeatureResult, catalog: Catalog | None) -> list[Text]:
    title = Text(f"{kind} {feature.name}", style="bold")
    if feature.optional:
        title.append(" (optional)")
    title.append(": ")
    title.append(*(("passed", "green") if feature.passed else ("MISSING", "red")))
    out = [title]
    for item in feature.requirements:
        out += _requirement(item, catalog, depth=1, show_fix=True)
    return out


def _requirement(
    item: RequirementResult, catalog: Catalog | None, *, depth: int, show_fix: bool
) -> list[Text]:
    """A requirement line, then why/missing/fix lines for a missing one, then combinator items."""
    mark, style = MARKS[item.status]
    pad = "  " * depth
    title = describe(item.requirement, catalog)
    line = Text(pad).append(mark, style=style).append(f" {title}")
    sources = [describe_grant(g) for g in item.satisfied_by if g.name not in title]
    if item.status is Status.PASSED and sources:
        line.append(f"  ({'; '.join(sources)})", style="dim")
    if item.status is Status.NOT_CHECKED:
        line.append(f"  (not checked: {', '.join(item.missing) or 'no data'})", style="yellow")
    out = [line]
    detail = pad + "    "
    if item.status is Status.MISSING:
        if item.requirement.why:
            out.append(Text(f"{detail}why: {item.requirement.why}", style="dim"))
        label = kind_of(item.requirement).missing_detail
        if label and item.missing:
            out.append(Text(f"{detail}{label}: {', '.join(item.missing)}"))
        if show_fix and item.fix and (isinstance(item.requirement, AnyOf) or not item.alternatives):
            out.append(Text(f"{detail}fix: {item.fix}", style="cyan"))
    child_fix = show_fix and not isinstance(item.requirement, AnyOf)
    for child in item.alternatives:
        out += _requirement(child, catalog, depth=depth + 2, show_fix=child_fix)
    return out
