"""The audit as one self-contained HTML page (inline CSS and JS, no remote assets).

``render_html(result)`` is pure. Org data (usernames, set labels ...) is autoescaped by jinja2; the only
data handed to the page's script goes through ``|tojson`` into a ``<script type="application/json">``
block, so a permission set labelled ``<script>`` stays text. The page reads without JavaScript (the
script only sorts tables and filters by severity) and prints cleanly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jinja2

from leastforce.checks.audit.model import AuditResult, Severity, UserAudit
from leastforce.render.json.audit import audit_report
from leastforce.render.text.audit import drift_lines
from leastforce.values.visible import visible_html

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 260
CHART_WIDTH = 720


@dataclass(frozen=True)
class Bar:
    """One bar of the excess-access chart (geometry in SVG user units)."""

    label: str
    value: int
    y: int
    width: int
    severity: str
    note: str


def chart_bars(users: tuple[UserAudit, ...]) -> tuple[Bar, ...]:
    """Excess access per integration user, largest first, scaled to the chart's width."""
    ordered = sorted(users, key=lambda u: (-u.excess, u.user.username.casefold()))
    top = max((u.excess for u in ordered), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 60
    return tuple(
        Bar(
            label=u.integration or u.user.username,
            value=u.excess,
            y=i * (BAR_HEIGHT + BAR_GAP),
            width=max(2, round(span * u.excess / top)) if u.excess else 0,
            severity=u.worst.value if u.worst else "none",
            note="undeclared rights" if u.integration else "critical/high permissions (no manifest)",
        )
        for i, u in enumerate(ordered)
    )


def headline(result: AuditResult) -> str:
    """The one sentence an executive reads first."""
    counts = result.counts()
    if not result.users:
        return "No integration users found."
    bad = [u for u in result.users if u.worst in (Severity.CRITICAL, Severity.HIGH)]
    if not bad:
        return f"{len(result.users)} integration user(s); none holds critical or high-risk access it does not need."
    return (
        f"{len(bad)} of {len(result.users)} integration user(s) hold critical or high-risk access "
        f"({counts[Severity.CRITICAL]} critical, {counts[Severity.HIGH]} high finding(s))."
    )


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("leastforce.render.html", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(result: AuditResult) -> str:
    """The whole report page."""
    data: dict[str, Any] = audit_report(result).dump()
    bars = chart_bars(result.users)
    drift = [(d, drift_lines(d)) for d in result.drift or () if d.changed]
    # org text (profile names, labels ...) shown visibly, never raw (values/visible.py); the template has none
    return visible_html(
        environment()
        .get_template("audit.html.j2")
        .render(
            r=result,
            data=data,
            headline=headline(result),
            severities=list(Severity),
            counts=result.counts(),
            bars=bars,
            chart_height=max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP),
            chart_width=CHART_WIDTH,
            label_width=LABEL_WIDTH,
            bar_height=BAR_HEIGHT,
            drift=drift,
            right_counts=result.right_counts,
        )
    )
