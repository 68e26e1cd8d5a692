"""``observe --json``: per object right what was granted, declared, used and denied, over which files."""

from __future__ import annotations

from leastforce.checks.observe.report import ObservedRight, ObserveReport
from leastforce.checks.observe.usage import Seen
from leastforce.render.json.base import JsonModel
from leastforce.values.visible import json_safe


class SeenOutput(JsonModel):
    count: int
    lastSeen: str
    statuses: tuple[int, ...]
    fields: tuple[str, ...]


class RightOutput(JsonModel):
    """``verdict``: used, used-undeclared, unused, denied; ``declared`` is null without a manifest."""

    object: str
    right: str
    verdict: str
    granted: bool
    declared: bool | None
    used: SeenOutput | None
    denied: SeenOutput | None


class CoverageOutput(JsonModel):
    days: int
    since: str
    files: int
    dailyDates: tuple[str, ...]
    hourlyDates: tuple[str, ...]
    uniqueQuery: bool


class ObserveOutput(JsonModel):
    user: str
    userId: str
    manifest: str | None
    calls: int
    unattributedCalls: int
    connectedApps: tuple[str, ...]
    coverage: CoverageOutput
    rights: tuple[RightOutput, ...]
    limits: tuple[str, ...]
    proposedRemovals: tuple[str, ...]
    html: str | None = None


def _seen(seen: Seen | None) -> SeenOutput | None:
    if seen is None:
        return None
    fields = tuple(json_safe(f) for f in seen.fields)
    return SeenOutput(count=seen.count, lastSeen=json_safe(seen.last), statuses=seen.statuses, fields=fields)


def _right(row: ObservedRight) -> RightOutput:
    return RightOutput(
        object=json_safe(row.sobject),
        right=row.right.key,
        verdict=row.verdict.value,
        granted=row.granted,
        declared=row.declared,
        used=_seen(row.used),
        denied=_seen(row.denied),
    )


def observe_output(
    report: ObserveReport, removals: tuple[str, ...] = (), html: str | None = None
) -> ObserveOutput:
    c = report.coverage
    return ObserveOutput(
        user=json_safe(report.username),
        userId=report.user_id,
        manifest=report.manifest,
        calls=report.usage.calls,
        unattributedCalls=report.usage.unattributed,
        connectedApps=tuple(json_safe(a) for a in report.usage.apps),
        coverage=CoverageOutput(
            days=c.days,
            since=c.since,
            files=c.files,
            dailyDates=c.daily_dates,
            hourlyDates=c.hourly_dates,
            uniqueQuery=c.unique_query,
        ),
        rights=tuple(_right(r) for r in report.rights),
        limits=report.limits,
        proposedRemovals=removals,
        html=html,
    )
