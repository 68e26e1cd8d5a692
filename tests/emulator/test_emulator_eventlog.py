"""The emulated org logs its API calls and serves them as Event Monitoring log files (EventLogFile)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import requests

from support.org_setup import Admin


def _session(https: requests.Session, org: Any, username: str, app: str | None = None) -> str:
    response = https.post(
        f"{org.instance_url}/_emulator/sessions",
        json={"username": username, "app": app},
        headers={"Authorization": f"Bearer {org.control_key}"},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["accessToken"])


def _close(https: requests.Session, org: Any) -> list[dict[str, Any]]:
    response = https.post(
        f"{org.instance_url}/_emulator/eventlogs", headers={"Authorization": f"Bearer {org.control_key}"}
    )
    assert response.status_code == 200, response.text
    return list(response.json()["written"])


def _get(https: requests.Session, org: Any, token: str, path: str, **params: str) -> requests.Response:
    return https.get(
        f"{org.instance_url}/services/data/v64.0/{path}",
        params=params,
        headers={"Authorization": f"Bearer {token}", "Sforce-Call-Options": "client=upflow-sync"},
    )


@pytest.fixture
def reader(emulator: Any) -> str:
    """A user with API access to Account only."""
    admin = Admin.of(emulator)
    user = admin.user("reader@acme.example", "Minimum Access - Salesforce")
    ps = admin.permission_set("Reader", permissions=["ApiEnabled"], objects={"Account": "read"})
    admin.assign(user, set_id=ps)
    return user


def test_calls_become_api_total_usage_and_unique_query_files(emulator: Any, https: Any, reader: str) -> None:
    token = _session(https, emulator, "reader@acme.example")
    assert _get(https, emulator, token, "query", q="SELECT Id, Name FROM Account").status_code == 200
    assert _get(https, emulator, token, "query", q="SELECT Id FROM Contact").status_code == 400

    written = _close(https, emulator)

    kinds = sorted((f["eventType"], f["interval"]) for f in written)
    assert kinds == [
        ("ApiTotalUsage", "Daily"),
        ("ApiTotalUsage", "Hourly"),
        ("UniqueQuery", "Daily"),
        ("UniqueQuery", "Hourly"),
    ]
    admin_token = emulator.admin_token
    rows = _get(
        https,
        emulator,
        admin_token,
        "query",
        q="SELECT Id, EventType, Interval, LogDate, LogFileLength, LogFileFieldNames, Sequence, LogFile "
        "FROM EventLogFile WHERE EventType = 'ApiTotalUsage' AND Interval = 'Daily'",
    ).json()["records"]
    assert len(rows) == 1 and rows[0]["Sequence"] == 1
    body = _get(https, emulator, admin_token, f"sobjects/EventLogFile/{rows[0]['Id']}/LogFile")
    assert body.status_code == 200
    assert len(body.content) == rows[0]["LogFileLength"]
    assert body.text.splitlines()[0] == ",".join(f'"{n}"' for n in rows[0]["LogFileFieldNames"].split(","))
    mine = [r for r in csv.DictReader(io.StringIO(body.text)) if r["USER_ID_DERIVED"] == reader]
    assert [(r["HTTP_METHOD"], r["ENTITY_NAME"], r["STATUS_CODE"]) for r in mine] == [
        ("GET", "Account", "200"),
        ("GET", "Contact", "400"),
    ]
    first = mine[0]
    assert first["USER_ID"] == reader[:15]
    assert first["API_RESOURCE"] == "/v64.0/query"
    assert first["API_FAMILY"] == "REST" and first["API_VERSION"] == "64.0"
    assert first["CLIENT_NAME"] == "upflow-sync"
    assert first["EVENT_TYPE"] == "ApiTotalUsage"
    assert len(first["TIMESTAMP"]) == 18 and first["TIMESTAMP_DERIVED"].endswith("Z")


def test_a_second_close_writes_only_new_calls(emulator: Any, https: Any, reader: str) -> None:
    token = _session(https, emulator, "reader@acme.example")
    _get(https, emulator, token, "sobjects/Account/describe")
    _close(https, emulator)
    assert _close(https, emulator) == []
    _get(https, emulator, token, "sobjects/Account/describe")
    again = _close(https, emulator)
    assert {f["rows"] for f in again} == {1}


def test_log_files_need_view_event_log_files(emulator: Any, https: Any, reader: str) -> None:
    _get(https, emulator, emulator.admin_token, "limits")
    file_id = _close(https, emulator)[0]["id"]
    token = _session(https, emulator, "reader@acme.example")

    listed = _get(https, emulator, token, "query", q="SELECT Id FROM EventLogFile")
    body = _get(https, emulator, token, f"sobjects/EventLogFile/{file_id}/LogFile")

    assert listed.status_code == 400 and listed.json()[0]["errorCode"] == "INVALID_TYPE"
    assert body.status_code == 404


def test_sessions_endpoint_refuses_unknown_users_and_callers(emulator: Any, https: Any) -> None:
    url = f"{emulator.instance_url}/_emulator/sessions"
    key = {"Authorization": f"Bearer {emulator.control_key}"}
    assert https.post(url, json={"username": "nobody@x.example"}, headers=key).status_code == 404
    assert https.post(url, json={"user": 1}, headers=key).status_code == 400
    assert https.post(url, json={"username": emulator.store.admin_username}).status_code == 401
