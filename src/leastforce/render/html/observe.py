"""The observe report as one self-contained HTML page, in the audit report's style (shared CSS and
table sorting: templates/_style.css.j2, _sortable.js.j2).

``render_html(report, removals)`` is pure. Org data (usernames, object and field names, app ids) is
autoescaped by jinja2 and shown visibly (values/visible.py); the only data handed to the script goes
through ``|tojson`` into a ``<script type="application/json">`` block. The page reads without JavaScript.
"""

from __future__ import annotations

from typing import Any

from leastforce.checks.observe.report import ObserveReport, Verdict
from leastforce.render.html.audit import environment
from leastforce.render.json.observe import observe_output
from leastforce.values.visible import visible_html

# (verdict, heading, badge class of the shared style: none=green ... high=orange)
SECTIONS = (
    (Verdict.USED, "Used", "none"),
    (Verdict.USED_UNDECLARED, "Used but not declared in the manifest", "medium"),
    (Verdict.UNUSED, "Granted or declared, never used", "high"),
    (Verdict.DENIED, "Denied attempts (access the user lacks)", "critical"),
)
BADGE = {verdict: badge for verdict, _, badge in SECTIONS}
RANK = {verdict: rank for rank, (verdict, _, _) in enumerate(SECTIONS)}


def headline(report: ObserveReport) -> str:
    """The one sentence read first."""
    unused = len(report.having(Verdict.UNUSED))
    denied = len(report.having(Verdict.DENIED))
    used = len(report.having(Verdict.USED)) + len(report.having(Verdict.USED_UNDECLARED))
    return (
        f"{report.usage.calls} API call(s) in {report.coverage.days} day(s): {used} object right(s) used, "
        f"{unused} granted or declared but never used, {denied} denied."
    )


def render_html(report: ObserveReport, removals: tuple[str, ...] = ()) -> str:
    """The whole report page."""
    data: dict[str, Any] = observe_output(report, removals).dump()
    counts = {verdict: len(report.having(verdict)) for verdict, _, _ in SECTIONS}
    return visible_html(
        environment()
        .get_template("observe.html.j2")
        .render(
            r=report,
            c=report.coverage,
            data=data,
            headline=headline(report),
            sections=SECTIONS,
            badge=BADGE,
            rank=RANK,
            counts=counts,
            removals=removals,
        )
    )
