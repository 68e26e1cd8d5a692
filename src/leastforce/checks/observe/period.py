"""Which log files to read: per day the Daily files when there are any, else that day's Hourly files,
so no call is counted twice (an org with Event Monitoring writes both for the same calls).
Interval 'Daily' / 'Hourly' and Sequence: EventLogFile, API 37.0 and later,
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile.htm
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from leastforce.checks.observe.report import Coverage

API_TOTAL_USAGE = "ApiTotalUsage"
UNIQUE_QUERY = "UniqueQuery"  # UNVERIFIED EventType value (the event type is "Unique Query")


@dataclass(frozen=True)
class LogFile:
    """One EventLogFile row (``log_date``: LogDate as Salesforce writes it)."""

    id: str
    event_type: str
    interval: str
    log_date: str
    length: int
    sequence: int = 0


def choose(files: tuple[LogFile, ...]) -> tuple[LogFile, ...]:
    """Per event type and day: the Daily files if any, else the Hourly ones."""
    by_day: dict[tuple[str, str], list[LogFile]] = defaultdict(list)
    for f in files:
        by_day[(f.event_type, f.log_date[:10])].append(f)
    out: list[LogFile] = []
    for _key, group in sorted(by_day.items()):
        daily = [f for f in group if f.interval.lower() == "daily"]
        out += daily or [f for f in group if f.interval.lower() != "daily"]
    return tuple(out)


def coverage(days: int, since: str, chosen: tuple[LogFile, ...]) -> Coverage:
    usage = [f for f in chosen if f.event_type == API_TOTAL_USAGE]
    return Coverage(
        days=days,
        since=since,
        files=len(chosen),
        daily_dates=tuple(sorted({f.log_date[:10] for f in usage if f.interval.lower() == "daily"})),
        hourly_dates=tuple(sorted({f.log_date[:10] for f in usage if f.interval.lower() != "daily"})),
        unique_query=any(f.event_type == UNIQUE_QUERY for f in chosen),
    )
