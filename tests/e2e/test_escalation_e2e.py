"""Escalation paths end to end: audit finds the integration user's path to admin on the local org, then
the test takes each edge as that user (OAuth password grant), and the org's caller-rights rules agree."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from leastforce.cli import main
from leastforce.emulator.store import auth
from leastforce.emulator.store.txn import Caller
from support.org_setup import Admin

PASSWORD = "Integr4tion-Pass!"
MIN_ACCESS = "Minimum Access - Salesforce"


@pytest.fixture
def run(emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any):
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    monkeypatch.delenv("LEASTFORCE_ORG", raising=False)

    def invoke(*args: str) -> tuple[int, Any]:
        with pytest.raises(SystemExit) as done:
            main([*args, "--org", emulator.instance_url, "--json"])
        return int(done.value.code or 0), json.loads(capsys.readouterr().out)

    return invoke


def user_with(org: Any, username: str, *permissions: str) -> str:
    admin = Admin.of(org)
    user = admin.user(username, MIN_ACCESS)
    perms = ["ApiEnabled", *permissions]
    admin.assign(user, set_id=admin.permission_set(f"Grants_{user[-6:]}", permissions=perms))
    with org.store._tx(Caller(org.store.admin_user_id, system=True)) as txn:
        auth.set_password(txn, user, PASSWORD)
    return user


def login(org: Any, https: requests.Session, username: str) -> Any:
    """A REST session as ``username`` through the OAuth username-password flow."""
    app = org.store.add_connected_app(f"Vendor {username[:6]}", admin_preauthorized=False)
    form = {
        "grant_type": "password",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
        "username": username,
        "password": PASSWORD,
    }
    answer = https.post(f"{org.instance_url}/services/oauth2/token", data=form)
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    https.headers["Authorization"] = f"Bearer {token}"
    return lambda method, path, **kw: https.request(
        method, f"{org.instance_url}/services/data/v64.0/{path}", **kw
    )


def holds(run: Any, username: str, permission: str) -> bool:
    code, body = run("explain", permission, "--user", username)
    return bool(code == 0 and body["result"]["paths"])


def test_audit_path_through_assign_permission_sets_is_taken_against_the_org(emulator, https, run):
    admin = Admin.of(emulator)
    powers = admin.permission_set("Admin_Powers", permissions=["ModifyAllData"])
    user_with(emulator, "vendor@acme.example", "AssignPermissionSets", "ApiUserOnly")
    code, body = run("audit")
    assert code == 0
    user = next(u for u in body["result"]["users"] if u["username"] == "vendor@acme.example")
    steps = user["escalation"]["steps"]
    assert [s["edge"] for s in steps] == ["assign-permission-set"]
    assert "Admin_Powers" in steps[0]["action"] and user["escalation"]["target"] == "ModifyAllData"
    assert any(f["rule"] == "escalation-path" for f in user["findings"])
    assert not holds(run, "vendor@acme.example", "ModifyAllData")

    rest = login(emulator, https, "vendor@acme.example")
    me = rest("GET", "query", params={"q": "SELECT Id FROM User WHERE Username = 'vendor@acme.example'"})
    user_id = me.json()["records"][0]["Id"]
    taken = rest(
        "POST", "sobjects/PermissionSetAssignment", json={"AssigneeId": user_id, "PermissionSetId": powers}
    )
    assert taken.status_code == 201, taken.text
    assert holds(run, "vendor@acme.example", "ModifyAllData")


def test_without_the_edge_the_org_refuses_the_step(emulator, https, run):
    admin = Admin.of(emulator)
    powers = admin.permission_set("Admin_Powers", permissions=["ModifyAllData"])
    user_id = user_with(emulator, "plain@acme.example", "ApiUserOnly")
    code, body = run("explain", "--escalation", "--user", "plain@acme.example")
    assert code == 0 and body["result"]["paths"] == []
    rest = login(emulator, https, "plain@acme.example")
    refused = rest(
        "POST", "sobjects/PermissionSetAssignment", json={"AssigneeId": user_id, "PermissionSetId": powers}
    )
    assert refused.status_code == 400 and "INSUFFICIENT_ACCESS" in refused.text


def test_edit_held_set_edge_is_taken_against_the_org(emulator, https, run):
    user_id = user_with(emulator, "editor@acme.example", "ManageProfilesPermissionsets", "ApiUserOnly")
    code, body = run("explain", "--escalation", "--user", "editor@acme.example")
    assert code == 1
    first = body["result"]["paths"][0]["steps"]
    assert [s["edge"] for s in first] == ["edit-held-set"]
    rest = login(emulator, https, "editor@acme.example")
    sets = Admin.of(emulator).client.query(
        f"SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '{user_id}'"
    )
    target = next(
        r["PermissionSetId"] for r in sets if "Grants_" in _set_name(emulator, r["PermissionSetId"])
    )
    body_flags = {"PermissionsCustomizeApplication": True, "PermissionsViewSetup": True}
    changed = rest("PATCH", f"sobjects/PermissionSet/{target}", json=body_flags)
    assert changed.status_code == 204, changed.text
    assert holds(run, "editor@acme.example", "CustomizeApplication")


def _set_name(org: Any, set_id: str) -> str:
    rows = Admin.of(org).client.query(f"SELECT Name FROM PermissionSet WHERE Id = '{set_id}'")
    return str(rows[0]["Name"])


def test_unknown_user_gets_a_clear_error(emulator, run):
    code, body = run("explain", "--escalation", "--user", "nobody@acme.example")
    assert code == 2 and "nobody@acme.example" in body["message"]
