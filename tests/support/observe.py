"""An ObserveReport built from values (no org, no log files): for the renderers' tests."""

from __future__ import annotations

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.observe.calls import LoggedCall
from leastforce.checks.observe.report import Coverage, ObserveReport, observe_report
from leastforce.checks.observe.usage import Tally
from support.factories import NOW, OrgBuilder

USERNAME = "upflow@acme.com"


def observe_sample(label: str = "Account") -> ObserveReport:
    """Account read used (Contact read granted, unused), Opportunity read denied; ``label`` is the name of
    the used object as the log holds it (a hostile string in the hostile tests)."""
    snap = (
        OrgBuilder()
        .profile("Upflow API Profile", perms=["ApiEnabled"], license="Salesforce Integration")
        .permission_set("Upflow", objects={"Account": "read", "Contact": "read,edit"})
        .user(USERNAME, profile="Upflow API Profile")
        .assign(USERNAME, "Upflow")
        .build()
    )
    access = effective_access(snap, USERNAME, catalog=load_catalog(), now=NOW)
    tally = Tally()
    for status, sobject in ((200, label), (200, label), (400, "Opportunity")):
        tally.add(
            LoggedCall("2026-01-02T10:00:00.000Z", "GET", "/v64.0/query", sobject, "REST", status),
            f"SELECT Id, Name FROM {sobject}",
        )
    coverage = Coverage(1, "2026-01-02T00:00:00+00:00", 2, ("2026-01-02",), (), True)
    return observe_report(USERNAME, access, tally.freeze(), coverage)
