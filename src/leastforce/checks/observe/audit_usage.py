"""audit --usage: the object rights an integration user holds and did not use in the log files' period,
as audit findings (rule ``unused-object-access``), or one ``usage-unknown`` finding when there is no
evidence. A right is never called unused without log files for the period (docs/observe.md); the
rights the log cannot show (View All, Modify All, View All Fields) are never reported (report.OBSERVABLE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from leastforce.access.grants import EffectiveAccess
from leastforce.checks.audit.model import AuditResult, Finding
from leastforce.checks.audit.user import evidence
from leastforce.checks.observe.report import Coverage, Verdict, observe_report
from leastforce.checks.observe.usage import Usage

UNUSED = "unused-object-access"
UNKNOWN = "usage-unknown"
# The limits of the evidence, in one line per finding (the whole list: docs/observe.md)
LIMITS = (
    "limits: API Total Usage logs show the object of each call, not composite sub-requests; a right used "
    "less often than the period looks unused"
)


def usage_findings(access: EffectiveAccess, usage: Usage, coverage: Coverage) -> tuple[Finding, ...]:
    """A finding per object right held and needed by no call of the user in the period."""
    report = observe_report(access.user.username, access, usage, coverage)
    since = coverage.since[:10]
    seen = f"granted, unused in {coverage.days} days: no call needed it ({coverage.files} log file(s) since {since}"
    seen += f", {usage.calls} call(s) of the user)"
    out = []
    for row in report.having(Verdict.UNUSED):
        if not row.granted:
            continue
        grants = access.object_rights(row.sobject).get(row.right, ())
        out.append(
            Finding(
                UNUSED,
                access.user.username,
                f"{row.sobject} {row.right.key}",
                (seen, *evidence(grants), LIMITS),
            )
        )
    return tuple(out)


def usage_unknown(username: str, why: str) -> Finding:
    """Usage is not known for the user: no finding says a right is unused."""
    return Finding(UNKNOWN, username, "", (why,))


def with_findings(result: AuditResult, added: Mapping[str, tuple[Finding, ...]]) -> AuditResult:
    """``result`` with each integration user's ``added`` findings (by username), worst first."""
    users = tuple(
        replace(
            u,
            findings=tuple(
                sorted((*u.findings, *added.get(u.user.username, ())), key=lambda f: -f.severity.rank)
            ),
        )
        for u in result.users
    )
    return replace(result, users=users)
