"""Reading LoginHistory (org/read/logins.py): against the local org for the MFA rule's evidence, as a
caller without Manage Users, past one GROUP BY batch; and every refusal left as data, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from leastforce.catalog import load_catalog
from leastforce.checks.audit.model import Finding
from leastforce.checks.audit.run import audit
from leastforce.errors import AuthError, OrgError, PermissionDenied, TransientOrgError
from leastforce.org.client import Session, SimpleSalesforceClient
from leastforce.org.read.logins import LOGIN_GROUPS, NO_MANAGE_USERS, read_logins
from leastforce.org.source import open_org
from leastforce.values.model import OrgSnapshot
from support.org_setup import Admin

PASSWORD = "Integr4tion-Pass!"
MIN_ACCESS = "Minimum Access - Salesforce"
STAMP = "%Y-%m-%dT%H:%M:%S.000+0000"


def _user(org: Any, username: str, *permissions: str) -> str:
    admin = Admin.of(org)
    user = admin.user(username, MIN_ACCESS)
    sets = admin.permission_set(f"Grants_{user[-6:]}", permissions=["ApiEnabled", *permissions])
    admin.assign(user, set_id=sets)
    org.store.set_password(user, PASSWORD)
    return user


def _oauth_login(org: Any, https: requests.Session, username: str, app: str) -> str:
    """The username-password flow at the token endpoint (a headless client): the access token."""
    found = org.store.add_connected_app(app, admin_preauthorized=False)
    form = {
        "grant_type": "password",
        "client_id": found["consumer_key"],
        "client_secret": found["consumer_secret"],
        "username": username,
        "password": PASSWORD,
    }
    answer = https.post(f"{org.instance_url}/services/oauth2/token", data=form)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _ui_logins(org: Any, user_id: str, count: int) -> None:
    """UI logins at the login page (the local org has none: rows as Salesforce records them)."""
    row = {
        "UserId": user_id,
        "LoginTime": datetime.now(UTC).strftime(STAMP),
        "LoginType": "Application",
        "Application": "Browser",
        "Browser": "Chrome 126",
        "Status": "Success",
    }
    org.store.bulk_insert("LoginHistory", [row] * count)


def _snapshot(org: Any, token: str) -> OrgSnapshot:
    env = {"SF_ACCESS_TOKEN": token, "SF_CA_BUNDLE": org.ca_bundle, "LEASTFORCE_ORG": org.instance_url}
    snapshot, _ = open_org(None, env).org_snapshot()
    return snapshot


def _mfa(snapshot: OrgSnapshot, username: str) -> Finding:
    user = next(u for u in audit(snapshot, load_catalog()).users if u.user.username == username)
    return next(f for f in user.findings if f.rule_id.startswith("mfa-"))


@pytest.fixture
def two_integrations(emulator: Any, https: requests.Session) -> Any:
    """etl: API only with Modify All Data, logs in through the token endpoint only. desk: Modify All Data,
    not API only, an OAuth token and three UI logins."""
    _user(emulator, "etl@acme.example", "ApiUserOnly", "ModifyAllData")
    _oauth_login(emulator, https, "etl@acme.example", "Etl Sync")
    _oauth_login(emulator, https, "etl@acme.example", "Etl Sync 2")
    desk = _user(emulator, "desk@acme.example", "ModifyAllData")
    emulator.store.touch_token(desk, "Desk App")
    _ui_logins(emulator, desk, 3)
    return emulator


def test_headless_oauth_logins_keep_an_api_only_user_out_of_the_blocked_rule(two_integrations: Any) -> None:
    snapshot = _snapshot(two_integrations, two_integrations.admin_token)
    assert snapshot.logins_unread == ""
    found = _mfa(snapshot, "etl@acme.example")
    assert found.rule_id == "mfa-in-scope-api-only"
    assert "logins in the last 30 days: 2 OAuth (Etl Sync, Etl Sync 2, headless)" in found.evidence
    assert found.evidence[-1] == "way out: none needed for this rule (API only; OAuth without a browser)"


def test_ui_logins_are_named_in_the_blocked_finding(two_integrations: Any) -> None:
    found = _mfa(_snapshot(two_integrations, two_integrations.admin_token), "desk@acme.example")
    assert found.rule_id == "mfa-blocked" and found.item == "ModifyAllData, ViewAllData"
    assert "logins in the last 30 days: 3 UI (Application)" in found.evidence


def test_failed_logins_are_not_counted(two_integrations: Any, https: requests.Session) -> None:
    app = two_integrations.store.add_connected_app("Wrong Password App", admin_preauthorized=False)
    form = {
        "grant_type": "password",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
    }
    wrong = form | {"username": "etl@acme.example", "password": "nope"}
    assert https.post(f"{two_integrations.instance_url}/services/oauth2/token", data=wrong).status_code == 400
    found = _mfa(_snapshot(two_integrations, two_integrations.admin_token), "etl@acme.example")
    assert "logins in the last 30 days: 2 OAuth (Etl Sync, Etl Sync 2, headless)" in found.evidence


def test_a_caller_without_manage_users_reads_no_login_history(
    two_integrations: Any, https: requests.Session
) -> None:
    """The org would answer its own rows only: leastforce asks first and says the history was not read."""
    _user(two_integrations, "auditor@acme.example", "ApiUserOnly", "ViewSetup")
    token = _oauth_login(two_integrations, https, "auditor@acme.example", "Audit Tool")
    snapshot = _snapshot(two_integrations, token)
    assert snapshot.logins == () and snapshot.logins_unread == NO_MANAGE_USERS
    found = _mfa(snapshot, "etl@acme.example")
    assert f"no OAuth token on record; no login history read ({NO_MANAGE_USERS})" in found.evidence
    assert not any("logins in the last" in e or "password" in e for e in found.evidence[:-1])


def test_more_groups_than_one_batch_are_read_user_by_user(emulator: Any) -> None:
    """2,001 groups: the whole-org query fills its batch, so the users are read in chunks, halved until
    each answer fits."""
    users = [_user(emulator, f"many{i}@acme.example") for i in range(3)]
    now = datetime.now(UTC).strftime(STAMP)
    rows = [
        {
            "UserId": u,
            "LoginTime": now,
            "LoginType": "Remote Access 2.0",
            "Status": "Success",
            "Browser": "Unknown",
        }
        | {"Application": f"App {i}"}
        for u in users
        for i in range(667)
    ]
    emulator.store.bulk_insert("LoginHistory", rows)
    client = SimpleSalesforceClient(Session(emulator.instance_url, emulator.admin_token, emulator.ca_bundle))
    every_user = [r["Id"] for r in client.query("SELECT Id FROM User")]
    read = read_logins(client, every_user)
    assert read.unread == ""
    mine = [s for s in read.summaries if s.user_id in users]
    assert len(mine) == 2001 > LOGIN_GROUPS
    assert {u: sum(1 for s in mine if s.user_id == u) for u in users} == dict.fromkeys(users, 667)


class _Client:
    """The permission check answers ``manage_users``; the LoginHistory query raises ``error``."""

    instance_url = "https://example.invalid"
    calls = 0

    def __init__(self, error: Exception | None, manage_users: bool = True, monitor: bool = False) -> None:
        self.error, self.manage_users, self.monitor, self.asked = error, manage_users, monitor, 0

    def query(self, soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
        assert (
            soql == "SELECT PermissionsManageUsers, PermissionsMonitorLoginHistory FROM UserPermissionAccess"
        )
        return [{"PermissionsManageUsers": self.manage_users, "PermissionsMonitorLoginHistory": self.monitor}]

    def request(self, method: str, path: str, **kw: Any) -> Any:
        self.asked += 1
        if self.error is not None:
            raise self.error
        return {"done": True, "records": []}


HIDDEN = "sObject type 'LoginHistory' is not supported. If you are attempting to use a custom object ..."


@pytest.mark.parametrize(
    "error",
    [
        OrgError(HIDDEN, error_code="INVALID_TYPE", status=400),
        PermissionDenied("insufficient access rights on object id", error_code="INSUFFICIENT_ACCESS"),
        OrgError("field 'Browser' can not be grouped in a query call", error_code="MALFORMED_QUERY"),
    ],
)
def test_a_refused_query_leaves_the_logins_unread_with_the_reason(error: OrgError) -> None:
    read = read_logins(_Client(error), ["005A"])  # type: ignore[arg-type]
    assert read.summaries == ()
    assert read.unread == f"the org refused the LoginHistory query ({error.error_code}: {error.message})"


def test_without_manage_users_nothing_is_asked_of_login_history() -> None:
    client = _Client(None, manage_users=False)
    assert read_logins(client, ["005A"]).unread == NO_MANAGE_USERS  # type: ignore[arg-type]
    assert client.asked == 0


def test_monitor_login_history_is_enough_to_read_everyones_logins() -> None:
    client = _Client(None, manage_users=False, monitor=True)
    assert read_logins(client, ["005A"]).unread == ""  # type: ignore[arg-type]
    assert client.asked == 1


@pytest.mark.parametrize(
    "error",
    [TransientOrgError("timeout", status=0), AuthError("expired", error_code="INVALID_SESSION_ID")],
)
def test_connection_errors_stop_the_read_as_for_every_table(error: OrgError) -> None:
    with pytest.raises(type(error)):
        read_logins(_Client(error), ["005A"])  # type: ignore[arg-type]


def test_an_empty_history_is_read_as_no_logins() -> None:
    read = read_logins(_Client(None), ["005A"])  # type: ignore[arg-type]
    assert read.summaries == () and read.unread == ""
