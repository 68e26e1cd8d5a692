"""The observe report: per object right, granted / declared / used / denied, and the trimming policy.

A right is called unused only from log files that cover the period: the caller (commands/observe.py)
refuses to build a report when there are none.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from leastforce.access.grants import EffectiveAccess
from leastforce.catalog.rights import close_object_rights
from leastforce.checks.audit.declared import Declared
from leastforce.checks.observe.usage import Seen, Usage
from leastforce.values.model import ObjectRight

# The rights a call shows; View All / Modify All / View All Fields change what a read returns, which the
# log does not record, so they are never called unused.
OBSERVABLE = (ObjectRight.READ, ObjectRight.CREATE, ObjectRight.EDIT, ObjectRight.DELETE)
# What the evidence cannot show (docs/observe.md says more).
LIMITS = (
    "Field-level writes are not logged: a PATCH shows Edit on the object, not which fields it changed.",
    "A composite call is logged as its parent only: its sub-requests' objects are not in the log "
    "(EventLogFile: 'In the event of a composite request, EventLogFile captures only the parent request').",
    "View All / Modify All / View All Fields and user permissions other than API Enabled leave no trace "
    "in the log: they are reported as not observable, never as unused.",
    "Retention: log files are kept 1 day without the Event Monitoring add-on, 30 days with it; a right "
    "used less often than that looks unused.",
    "Fields come from Unique Query files (the SOQL text) where the org has them; without them only "
    "objects are known.",
)


class Verdict(enum.Enum):
    USED = "used"
    USED_UNDECLARED = "used-undeclared"
    UNUSED = "unused"
    DENIED = "denied"


@dataclass(frozen=True)
class Coverage:
    """Which log files the report rests on."""

    days: int
    since: str
    files: int
    daily_dates: tuple[str, ...]
    hourly_dates: tuple[str, ...]
    unique_query: bool


@dataclass(frozen=True)
class ObservedRight:
    """One object right: held, declared (None: no manifest), used, refused."""

    sobject: str
    right: ObjectRight
    granted: bool
    declared: bool | None
    used: Seen | None
    denied: Seen | None

    @property
    def verdict(self) -> Verdict:
        if self.used is not None:
            return Verdict.USED_UNDECLARED if self.declared is False else Verdict.USED
        if self.denied is not None and not self.granted:
            return Verdict.DENIED
        return Verdict.UNUSED


@dataclass(frozen=True)
class ObserveReport:
    username: str
    user_id: str
    coverage: Coverage
    usage: Usage
    rights: tuple[ObservedRight, ...]
    manifest: str | None = None
    limits: tuple[str, ...] = LIMITS

    def having(self, verdict: Verdict) -> tuple[ObservedRight, ...]:
        return tuple(r for r in self.rights if r.verdict is verdict)

    @property
    def denied(self) -> tuple[ObservedRight, ...]:
        return tuple(r for r in self.rights if r.denied is not None)


def observe_report(
    username: str,
    access: EffectiveAccess,
    usage: Usage,
    coverage: Coverage,
    declared: Declared | None = None,
    manifest: str | None = None,
) -> ObserveReport:
    """Compare what the user did with what it holds and (with a manifest) what it declares."""
    objects = set(access.objects) | {o for o, _ in usage.used} | {o for o, _ in usage.denied}
    if declared is not None:
        objects |= set(declared.objects)
    rows = []
    for sobject in sorted(objects):
        held = access.object_rights(sobject)
        meant = declared.objects.get(sobject, frozenset()) if declared is not None else None
        for right in OBSERVABLE:
            row = ObservedRight(
                sobject,
                right,
                granted=bool(held.get(right)),
                declared=None if meant is None else right in meant,
                used=usage.used.get((sobject, right)),
                denied=usage.denied.get((sobject, right)),
            )
            if row.granted or row.declared or row.used or row.denied:
                rows.append(row)
    return ObserveReport(access.user.username, access.user.id, coverage, usage, tuple(rows), manifest)


def trim_access(report: ObserveReport, sobject: str, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The access keys of a manifest's ``object:`` requirement to keep: none when the object was never
    used; else the observable rights the calls need (closed: Edit needs Read) and every right the log
    cannot show."""
    used = {r for (o, r) in report.usage.used if o.lower() == sobject.lower()}
    if not used:
        return ()
    needed = close_object_rights(used)
    kept = []
    for key in keys:
        right = ObjectRight.__members__.get(key.upper())
        if right is None or right not in OBSERVABLE or right in needed:
            kept.append(key)
    return tuple(kept)
