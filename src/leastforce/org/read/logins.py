"""How each user logged in: LoginHistory's successful logins of the last 30 days, one row per user, login
type, application and browser (audit's MFA rule reads them).

Only Manage Users reads every row: "With one exception, only users with Manage Users permissions can access
this object. The exception is that, in API version 37.0 and later, all users can retrieve their own login
history records."
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm
(as stored: https://developer.salesforce.com/docs/atlas.en-us.234.0.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm).
A caller without it is not refused but answered with its own rows, which would read as "no logins" for
everyone else: so the caller's own permission is asked first (UserPermissionAccess), and LoginHistory is
read only when it holds Manage Users. A refused query leaves the logins unread, with the reason: never a
crash, never "no logins".

The query: Status cannot be filtered ("You can only filter on the following fields: AuthenticationServiceId,
CipherSuite, CountryIso, Id, LoginTime, LoginType, LoginUrl, NetworkId, TlsProtocol, UserId", same page,
v210.0), so it is grouped and failed logins are dropped here. A GROUP BY answer is one batch ("In REST
API, queries that include a GROUP BY clause can't use the query locator to get more results",
https://developer.salesforce.com/docs/atlas.en-us.262.0.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_group_by_considerations.htm),
so the query asks for at most LOGIN_GROUPS groups; a full answer is read again per chunk of users, a full
chunk halved until it fits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from leastforce.errors import OrgError, PermissionDenied
from leastforce.org import records as rec
from leastforce.org.client import OrgClient
from leastforce.org.soql import chunks, soql
from leastforce.values.model import LOGIN_DAYS, LOGINS_NOT_READ, LoginSummary

# The caller's own permissions, one row (see org/read/setup_access.py for the object's sources).
# LoginHistory: "only users with Manage Users or Monitor Login History permissions can access this object"
# (all users their own rows): https://developer.salesforce.com/docs/atlas.en-us.264.0.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm
READ_ALL_PERMISSIONS = ("ManageUsers", "MonitorLoginHistory")
CAN_READ_ALL = (
    f"SELECT {', '.join('Permissions' + p for p in READ_ALL_PERMISSIONS)} FROM UserPermissionAccess"
)
LOGIN_GROUPS = 2000  # one batch
_GROUPED = "UserId, LoginType, Application, Browser, Status"
_SELECT = (
    f"SELECT {_GROUPED}, COUNT(Id) n, MAX(LoginTime) latest FROM LoginHistory "
    f"WHERE LoginTime = LAST_N_DAYS:{LOGIN_DAYS}"
)
_GROUP = f" GROUP BY {_GROUPED} LIMIT {LOGIN_GROUPS}"
LOGINS_SOQL = _SELECT + _GROUP
# What an org answers when it will not run the query as asked (a hidden object or field, a grouping it
# refuses): the logins stay unread. Session, limit and network errors stop the read as for every table.
_REFUSED = frozenset({"INVALID_TYPE", "INVALID_FIELD", "MALFORMED_QUERY"})
NO_MANAGE_USERS = "the connecting user lacks Manage Users and Monitor Login History: LoginHistory shows it only its own logins"


@dataclass(frozen=True)
class LoginRead:
    """The summaries read, or why none were (``unread``: "" when LoginHistory was read)."""

    summaries: tuple[LoginSummary, ...] = ()
    unread: str = LOGINS_NOT_READ


NOT_READ = LoginRead()


class _TooManyGroups(Exception):
    """One user's logins fill a whole batch: they cannot be summarised completely."""


def read_logins(client: OrgClient, user_ids: Iterable[str]) -> LoginRead:
    """Successful logins of the last LOGIN_DAYS days, grouped; ``user_ids`` (every user of the org)
    chunk the read when the whole org's groups do not fit one batch."""
    try:
        rows = client.query(CAN_READ_ALL)
    except OrgError as exc:
        return LoginRead(unread=f"could not check the connecting user's Manage Users ({_refusal(exc)})")
    if not (rows and any(rows[0].get("Permissions" + p) is True for p in READ_ALL_PERMISSIONS)):
        return LoginRead(unread=NO_MANAGE_USERS)
    try:
        records = _groups(client, sorted(set(user_ids)))
    except _TooManyGroups as exc:
        return LoginRead(unread=str(exc))
    except OrgError as exc:
        return LoginRead(unread=f"the org refused the LoginHistory query ({_refusal(exc)})")
    found = (rec.login_summary_from(r) for r in records if r.get("Status") == "Success")
    return LoginRead(tuple(found), unread="")


def _refusal(exc: OrgError) -> str:
    """The refusal as "CODE: message"; any other error (session, limits, network) is raised again."""
    if not (isinstance(exc, PermissionDenied) or exc.error_code in _REFUSED):
        raise exc
    return f"{exc.error_code}: {exc.message}"


def _groups(client: OrgClient, user_ids: list[str]) -> list[dict[str, Any]]:
    """The whole org's groups in one query when they fit a batch, else chunk by chunk of users."""
    records, full = _batch(client, LOGINS_SOQL)
    if not full:
        return records
    return [r for chunk in chunks(user_ids) for r in _groups_of(client, chunk)]


def _groups_of(client: OrgClient, user_ids: list[str]) -> list[dict[str, Any]]:
    records, full = _batch(client, soql(_SELECT + " AND UserId IN {ids}" + _GROUP, ids=user_ids))
    if not full:
        return records
    if len(user_ids) == 1:
        raise _TooManyGroups(
            f"user {user_ids[0]} has {LOGIN_GROUPS:,} or more login groups in {LOGIN_DAYS} days"
        )
    half = len(user_ids) // 2
    return _groups_of(client, user_ids[:half]) + _groups_of(client, user_ids[half:])


def _batch(client: OrgClient, query: str) -> tuple[list[dict[str, Any]], bool]:
    """The answer's records and whether the batch is full (more groups may exist)."""
    page = client.request("GET", "query/", params={"q": query}) or {}
    records = list(page.get("records", []))
    return records, len(records) >= LOGIN_GROUPS or not page.get("done", True)
