"""LoginHistory in the local org: which fields filter, GROUP BY answers in one batch, own rows only
without Manage Users, and how each kind of login is recorded (LoginType, Browser)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from leastforce.emulator.errors import ApiError
from leastforce.emulator.http.describe import describe_sobject
from leastforce.emulator.store.org_store import Caller, OrgStore
from leastforce.emulator.store.schema import load_schema

STAMP = "%Y-%m-%dT%H:%M:%S.000+0000"
PASSWORD = "Login-Hist0ry!"


@pytest.fixture
def store(tmp_path: Path):
    org = OrgStore.open(tmp_path / "org")
    yield org
    org.close()


def _system(store: OrgStore) -> Caller:
    return Caller(store.admin_user_id, system=True)


def _logins(store: OrgStore, user_id: str, count: int, **row: Any) -> None:
    now = datetime.now(UTC).strftime(STAMP)
    base = {"UserId": user_id, "LoginTime": now, "LoginType": "Application", "Status": "Success"}
    store.bulk_insert("LoginHistory", [base | row | {"Application": f"App {i}"} for i in range(count)])


def _user(store: OrgStore, username: str, *permissions: str) -> str:
    """A Standard User with a permission set granting ``permissions``, and a password."""
    system = _system(store)
    profile = store.query("SELECT Id FROM Profile WHERE Name = 'Standard User'", caller=system).records[0]
    user_id = store.create(
        "User",
        {
            "Username": username,
            "LastName": "Tester",
            "Email": username,
            "Alias": "tester",
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "ProfileId": profile["Id"],
        },
        caller=system,
    )
    if permissions:
        body = {"Name": f"Grants_{user_id[-6:]}", "Label": "Grants"} | {
            f"Permissions{p}": True for p in permissions
        }
        ps = store.create("PermissionSet", body, caller=system)
        store.create("PermissionSetAssignment", {"AssigneeId": user_id, "PermissionSetId": ps}, caller=system)
    store.set_password(str(user_id), PASSWORD)
    return str(user_id)


def test_status_cannot_be_filtered_but_login_time_and_user_can(store: OrgStore) -> None:
    """The object reference: "You can only filter on ... LoginTime, LoginType, ... UserId"."""
    admin = Caller(store.admin_user_id)
    with pytest.raises(ApiError) as refused:
        store.query("SELECT Id FROM LoginHistory WHERE Status = 'Success'", caller=admin)
    assert refused.value.error_code == "INVALID_FIELD"
    assert refused.value.message.endswith("field 'Status' can not be filtered in query call")
    _logins(store, store.admin_user_id, 2)
    grouped = store.query(
        "SELECT UserId, Status, COUNT(Id) n, MAX(LoginTime) latest FROM LoginHistory "
        f"WHERE LoginTime = LAST_N_DAYS:30 AND UserId = '{store.admin_user_id}' GROUP BY UserId, Status",
        caller=admin,
    ).records
    assert [(r["Status"], r["n"]) for r in grouped] == [("Success", 2)]
    fields = {f["name"]: f for f in describe_sobject(load_schema(), "LoginHistory")["fields"]}
    assert fields["Status"]["filterable"] is False and fields["Browser"]["filterable"] is False
    assert fields["LoginTime"]["filterable"] is True and fields["UserId"]["filterable"] is True


def test_grouped_results_past_one_batch_are_refused(store: OrgStore) -> None:
    """GROUP BY answers cannot be paged: past 2,000 groups the query is refused; LIMIT keeps it in one."""
    _logins(store, store.admin_user_id, 2001)
    admin = Caller(store.admin_user_id)
    text = "SELECT Application, COUNT(Id) FROM LoginHistory GROUP BY Application"
    with pytest.raises(ApiError) as refused:
        store.query(text, caller=admin)
    assert refused.value.message.startswith("Aggregate query does not support queryMore()")
    page = store.query(text + " LIMIT 2000", caller=admin)
    assert (len(page.records), page.done) == (2000, True)
    assert len(store.query("SELECT Id FROM LoginHistory", caller=admin).records) == 2000  # plain: paged


def test_without_manage_users_a_user_reads_only_its_own_logins(store: OrgStore) -> None:
    """ "only users with Manage Users permissions can access this object ... all users can retrieve their
    own login history records" (API 37.0 and later)."""
    reader = _user(store, "reader@example.com", "ViewSetup")
    _logins(store, store.admin_user_id, 3)
    _logins(store, reader, 1)
    text = "SELECT UserId FROM LoginHistory"
    assert {r["UserId"] for r in store.query(text, caller=Caller(reader)).records} == {reader}
    everyone = {r["UserId"] for r in store.query(text, caller=Caller(store.admin_user_id)).records}
    assert everyone == {reader, store.admin_user_id}
    monitor = _user(store, "monitor@example.com", "ViewSetup", "MonitorLoginHistory")
    assert {r["UserId"] for r in store.query(text, caller=Caller(monitor)).records} >= {
        reader,
        store.admin_user_id,
    }


def test_a_token_endpoint_login_is_headless_and_a_soap_login_an_api_login(
    emulator: Any, https: requests.Session
) -> None:
    store = emulator.store
    user_id = _user(store, "etl@example.com", "ApiEnabled", "UseAnyApiAuth")
    app = store.add_connected_app("Etl App", admin_preauthorized=False)
    form = {
        "grant_type": "password",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
        "username": "etl@example.com",
        "password": PASSWORD,
    }
    assert https.post(f"{emulator.instance_url}/services/oauth2/token", data=form).status_code == 200
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Body><urn:login>'
        f"<urn:username>etl@example.com</urn:username><urn:password>{PASSWORD}</urn:password>"
        "</urn:login></soapenv:Body></soapenv:Envelope>"
    )
    soap = https.post(
        f"{emulator.instance_url}/services/Soap/u/64.0",
        data=envelope,
        headers={"Content-Type": "text/xml", "SOAPAction": "login"},
    )
    assert soap.status_code == 200, soap.text
    rows = store.query(
        f"SELECT LoginType, Application, Browser, ApiType, Status FROM LoginHistory WHERE UserId = '{user_id}'",
        caller=_system(store),
    ).records
    seen = {(r["LoginType"], r["Application"], r["Browser"], r["ApiType"], r["Status"]) for r in rows}
    assert seen == {
        ("Remote Access 2.0", "Etl App", "Unknown", "REST", "Success"),
        ("Other Apex API", "SOAP login", "Unknown", "SOAP Partner", "Success"),
    }
