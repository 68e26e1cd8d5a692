"""doctor end to end: real error answers from the emulator, diagnosed by the CLI against the same org."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from leastforce.cli import main
from leastforce.emulator.store import auth
from leastforce.emulator.store.txn import Caller
from support.org_setup import Admin
from support.paths import ROOT

PASSWORD = "Integr4tion-Pass!"


@pytest.fixture
def run(emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any):
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    monkeypatch.delenv("LEASTFORCE_ORG", raising=False)

    def invoke(*args: str, org: bool = True) -> tuple[int, Any]:
        extra = ["--org", emulator.instance_url] if org else []
        with pytest.raises(SystemExit) as done:
            main([*args, *extra, "--json"])
        return int(done.value.code or 0), json.loads(capsys.readouterr().out)

    return invoke


def _system(org: Any):
    return org.store._tx(Caller(org.store.admin_user_id, system=True))


def integration_user(org: Any, username: str, *, api: bool = True) -> str:
    admin = Admin.of(org)
    user = admin.user(username, "Minimum Access - Salesforce")
    if api:
        admin.assign(user, set_id=admin.permission_set(f"Api_{user[-6:]}", permissions=["ApiEnabled"]))
    with _system(org) as txn:
        auth.set_password(txn, user, PASSWORD)
    return user


def password_login(org: Any, https: requests.Session, app: dict[str, Any], username: str) -> str:
    """The token endpoint's answer as text (what the integration would log)."""
    form = {
        "grant_type": "password",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
        "username": username,
        "password": PASSWORD,
    }
    answer = https.post(f"{org.instance_url}/services/oauth2/token", data=form)
    assert answer.status_code == 400, answer.text
    return answer.text


def by_id(body: dict[str, Any]) -> dict[str, str]:
    return {d["id"]: d["verdict"] for d in body["result"]["diagnoses"]}


def test_uninstalled_app_confirmed_against_the_org(emulator, https, run):
    integration_user(emulator, "upflow@acme.example")
    app = emulator.store.add_connected_app("Upflow", installed=False, admin_preauthorized=False)
    error = password_login(emulator, https, app, "upflow@acme.example")
    assert "app must be installed into org" in error
    # Real orgs list only apps created or installed in the org as ConnectedApplication rows (the Connected
    # Apps page; an uninstalled app shows under OAuth Usage only; UNVERIFIED for the API object). The
    # emulator keeps a row for its uninstalled app, so drop it after the login attempt.
    with _system(emulator) as txn:
        txn.delete("ConnectedApplication", app["Id"])
    code, body = run("doctor", "--user", "upflow@acme.example", "--error", error, "--app", "Upflow")
    assert code == 1 and body["status"] == 1
    found = by_id(body)
    assert found["uninstalled-app"] == "confirmed"
    assert found["cannot-approve-uninstalled"] == "confirmed"
    checks = {c["name"]: c for d in body["result"]["diagnoses"] for c in d["checks"]}
    assert checks["lacks_uninstalled_bypass"]["holds"] is True


def test_inactive_user_confirmed(emulator, https, run):
    user = integration_user(emulator, "gone@acme.example")
    app = emulator.store.add_connected_app("Sync", installed=True, admin_preauthorized=False)
    Admin.of(emulator).update("User", user, IsActive=False)
    error = password_login(emulator, https, app, "gone@acme.example")
    code, body = run("doctor", "--user", "gone@acme.example", "--error", error)
    assert code == 1
    assert by_id(body)["inactive-user"] == "confirmed"
    assert "user-inactive" in {d["id"] for d in body["result"]["hygiene"]}


def test_api_disabled_confirmed_and_ruled_out(emulator, https, run):
    integration_user(emulator, "noapi@acme.example", api=False)
    integration_user(emulator, "api@acme.example")
    app = emulator.store.add_connected_app("Sync", installed=True, admin_preauthorized=False)
    form = {
        "grant_type": "password",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
        "username": "noapi@acme.example",
        "password": PASSWORD,
    }
    token = https.post(f"{emulator.instance_url}/services/oauth2/token", data=form).json()["access_token"]
    answer = https.get(
        f"{emulator.instance_url}/services/data/v64.0/limits", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    code, body = run("doctor", "--user", "noapi@acme.example", "--error", answer.text)
    assert code == 1 and by_id(body)["api-disabled"] == "confirmed"
    _, body = run("doctor", "--user", "api@acme.example", "--error", answer.text)
    assert by_id(body)["api-disabled"] == "ruled_out"


def test_token_lifetime_and_hygiene_without_an_error(emulator, run):
    user = integration_user(emulator, "flock@acme.example")
    emulator.store.touch_token(user, "Flock")
    created = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    with _system(emulator) as txn:
        row = txn.find("OauthToken", UserId=user)[0]
        txn.update("OauthToken", row["Id"], {"CreatedDate": created})
    manifest = str(ROOT / "examples" / "eventspark-flock.yaml")
    code, body = run("doctor", "--user", "flock@acme.example", "--manifest", manifest)
    assert code == 1
    hygiene = {d["id"]: d for d in body["result"]["hygiene"]}
    assert "31 days old (lifetime 30 days): expired" in hygiene["token-lifetime"]["checks"][0]["detail"]
    assert "password-expires" in hygiene


def test_offline_diagnosis_and_bad_input(run):
    code, body = run("doctor", "--error", "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.", org=False)
    assert code == 1 and body["result"]["orgChecked"] is False
    assert by_id(body) == {"request-limit": "likely"}
    assert body["result"]["diagnoses"][0]["source"].startswith("https://")
    code, body = run("doctor", org=False)
    assert code == 2 and body["status"] == 2


def test_request_limit_confirmed_when_the_org_refuses_every_call(emulator, run):
    integration_user(emulator, "busy@acme.example")
    emulator.set_faults({"rate_limit_after": 0})
    code, body = run("doctor", "--user", "busy@acme.example", "--error", "REQUEST_LIMIT_EXCEEDED")
    assert code == 1 and by_id(body) == {"request-limit": "confirmed"}
