"""``explain --escalation --user U --json``: every path to System Administrator-equivalent access."""

from __future__ import annotations

from leastforce.checks.audit.escalation import EscalationReport
from leastforce.render.json.audit import EscalationOutput, escalation_output
from leastforce.render.json.base import JsonModel


class EscalationReportOutput(JsonModel):
    """``holds``: targets the user already holds; ``paths``: each path, shortest first."""

    username: str
    holds: tuple[str, ...]
    paths: tuple[EscalationOutput, ...]


def escalation_report_output(report: EscalationReport) -> EscalationReportOutput:
    return EscalationReportOutput(
        username=report.username,
        holds=report.holds,
        paths=tuple(escalation_output(p) for p in report.paths),
    )
