"""The pure mapping of logged calls to rights, the SOQL field parse, the choice of files."""

from __future__ import annotations

from leastforce.checks.observe.calls import LoggedCall, Need, need_of, select_fields
from leastforce.checks.observe.period import LogFile, choose
from leastforce.checks.observe.usage import Tally
from leastforce.values.model import ObjectRight


def call(method: str, resource: str, entity: str = "", status: int = 200) -> LoggedCall:
    return LoggedCall("2026-01-01T00:00:00.000Z", method, resource, entity, "REST", status)


def test_methods_and_resources_map_to_rights() -> None:
    assert need_of(call("GET", "/v64.0/query", "Account")) == Need("Account", ObjectRight.READ)
    assert need_of(call("POST", "/v64.0/sobjects/Contact")) == Need("Contact", ObjectRight.CREATE)
    assert need_of(call("PATCH", "/v64.0/sobjects/Contact/003x")) == Need("Contact", ObjectRight.EDIT)
    assert need_of(call("DELETE", "/v64.0/sobjects/Lead/00Qx")) == Need("Lead", ObjectRight.DELETE)
    assert need_of(call("GET", "/v64.0/sobjects/Account/describe")) is None
    assert need_of(call("POST", "/v64.0/composite")) is None
    assert need_of(call("GET", "/v64.0/query"), "SELECT Id FROM Case") == Need(
        "Case", ObjectRight.READ, ("Id",)
    )


def test_select_fields_is_lenient() -> None:
    assert select_fields(
        "SELECT Id, Name, Owner.Name, COUNT(Id), (SELECT Id FROM Contacts) FROM Account"
    ) == (
        "Id",
        "Name",
    )
    assert select_fields("select id from account") == ("id",)
    assert select_fields("not soql at all") == ()
    assert select_fields("SELECT Id, Name") == ()


def test_denied_and_other_failures_are_told_apart() -> None:
    tally = Tally()
    tally.add(call("GET", "/v64.0/query", "Account"))
    tally.add(call("GET", "/v64.0/query", "Opportunity", status=400))
    tally.add(call("GET", "/v64.0/query", "Account", status=500))
    usage = tally.freeze()
    assert usage.used[("Account", ObjectRight.READ)].count == 1
    assert usage.denied[("Opportunity", ObjectRight.READ)].statuses == (400,)
    assert usage.calls == 3 and usage.unattributed == 1


def test_daily_files_win_over_hourly_ones_of_the_same_day() -> None:
    daily = LogFile("d", "ApiTotalUsage", "Daily", "2026-01-01T00:00:00.000+0000", 10)
    hourly = LogFile("h", "ApiTotalUsage", "Hourly", "2026-01-01T05:00:00.000+0000", 10)
    today = LogFile("t", "ApiTotalUsage", "Hourly", "2026-01-02T05:00:00.000+0000", 10)
    assert [f.id for f in choose((hourly, daily, today))] == ["d", "t"]
