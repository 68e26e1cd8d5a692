"""audit --usage: read the Event Monitoring log files of the period once for every integration user and
add "granted, unused in N days" findings (checks/observe/audit_usage.py), or say usage is not known.

Usage is not known, and no right is called unused, when the org is a snapshot file (it keeps no log
files), when the connected user cannot read EventLogFile, or when there are no API Total Usage files for
the period. Reading needs View Event Log Files and API Enabled
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_eventlogfile.htm).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from leastforce.access.index import AccessIndex
from leastforce.access.resolve import effective_access
from leastforce.catalog.catalog import Catalog
from leastforce.checks.audit.model import AuditResult
from leastforce.checks.observe.audit_usage import usage_findings, usage_unknown, with_findings
from leastforce.checks.observe.period import API_TOTAL_USAGE, choose, coverage
from leastforce.errors import InputError, PermissionDenied
from leastforce.org.read.event_logs import list_log_files, read_usages
from leastforce.org.source import OrgSource
from leastforce.values.model import OrgSnapshot


def add_usage(
    source: OrgSource, result: AuditResult, snapshot: OrgSnapshot, days: int, catalog: Catalog, now: datetime
) -> tuple[AuditResult, str]:
    """(the result with the usage findings, one line saying what the usage rests on)."""
    if not result.users:
        return result, "usage: no integration users"
    since = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        source.require_live("a snapshot file has no Event Monitoring log files")
        client = source.client()
        files = choose(list_log_files(client, since))
    except (InputError, PermissionDenied) as exc:
        return _unknown(result, f"usage not known: {exc}")
    if not any(f.event_type == API_TOTAL_USAGE for f in files):
        return _unknown(result, f"usage not known: no API Total Usage log files since {since.date()}")
    ids = tuple(u.user.id for u in result.users)
    tallies = read_usages(client, files, ids)
    covered = coverage(days, since.isoformat(), files)
    index = AccessIndex.build(snapshot, catalog)
    added = {}
    for u in result.users:
        access = effective_access(snapshot, u.user.id, catalog=catalog, now=now, index=index)
        added[u.user.username] = usage_findings(access, tallies[u.user.id[:15]].freeze(), covered)
    note = f"usage: {covered.files} log file(s) since {since.date()} ({days} days)"
    return with_findings(result, added), note


def _unknown(result: AuditResult, why: str) -> tuple[AuditResult, str]:
    return with_findings(
        result, {u.user.username: (usage_unknown(u.user.username, why),) for u in result.users}
    ), why
