"""doctor knows 2025-2026: each error reproduced at the wire by the local org (break the org, connect, get
the error), then diagnosed by `leastforce doctor` against the same org."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from leastforce.cli import main
from leastforce.emulator.store import auth
from leastforce.emulator.store.txn import Caller
from support.org_setup import Admin

PASSWORD = "Integr4tion-Pass!"


@pytest.fixture
def doctor(emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any):
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    monkeypatch.delenv("LEASTFORCE_ORG", raising=False)

    def invoke(*args: str) -> tuple[int, dict[str, Any]]:
        with pytest.raises(SystemExit) as done:
            main(["doctor", *args, "--org", emulator.instance_url, "--json"])
        return int(done.value.code or 0), json.loads(capsys.readouterr().out)

    return invoke


def verdicts(body: dict[str, Any]) -> dict[str, str]:
    return {d["id"]: d["verdict"] for d in body["result"]["diagnoses"]}


def user(org: Any, username: str, *perms: str, profile: str = "Minimum Access - Salesforce") -> str:
    admin = Admin.of(org)
    user_id = admin.user(username, profile)
    set_id = admin.permission_set(f"Perms_{user_id[-6:]}", permissions=["ApiEnabled", *perms])
    admin.assign(user_id, set_id=set_id)
    with org.store._tx(Caller(org.store.admin_user_id, system=True)) as txn:
        auth.set_password(txn, user_id, PASSWORD)
    return user_id


def admin_call(org: Any, https: requests.Session, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = https.post(
        f"{org.instance_url}/_emulator/{path}",
        json=body,
        headers={"Authorization": f"Bearer {org.control_key}"},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def token(org: Any, https: requests.Session, form: dict[str, str], status: int = 400) -> dict[str, Any]:
    answer = https.post(f"{org.instance_url}/services/oauth2/token", data=form)
    assert answer.status_code == status, answer.text
    return dict(answer.json())


def password_form(app: dict[str, Any], username: str) -> dict[str, str]:
    return {
        "grant_type": "password",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
        "username": username,
        "password": PASSWORD,
    }


def as_text(answer: dict[str, Any]) -> str:
    return f"{answer['error']}: {answer['error_description']}"


def test_blocked_app(emulator, https, doctor):
    user(emulator, "blocked@acme.example")
    app = emulator.store.add_connected_app("Upflow", admin_preauthorized=False)
    assert admin_call(emulator, https, "apps", {"name": "Upflow", "blocked": True})["blocked"] is True
    answer = token(emulator, https, password_form(app, "blocked@acme.example"))
    assert answer == {"error": "OAUTH_APP_BLOCKED", "error_description": "this app is blocked by admin"}
    code, body = doctor("--user", "blocked@acme.example", "--error", as_text(answer), "--app", "Upflow")
    assert code == 1 and verdicts(body)["app-blocked"] == "likely"
    assert "Unblock" in body["result"]["diagnoses"][0]["fix"]


def test_external_client_app_not_installed(emulator, https, doctor):
    run_as = user(emulator, "eca@acme.example", "ApiUserOnly")
    app = emulator.store.add_connected_app("Flock ECA", run_as_user_id=run_as, admin_preauthorized=False)
    admin_call(
        emulator, https, "apps", {"name": "Flock ECA", "kind": "external_client_app", "installed": False}
    )
    form = {
        "grant_type": "client_credentials",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
    }
    answer = token(emulator, https, form)
    assert answer == {
        "error": "invalid_client",
        "error_description": "External client app is not installed in this org",
    }
    code, body = doctor("--user", "eca@acme.example", "--error", as_text(answer))
    assert code == 1 and verdicts(body)["eca-not-installed"] == "likely"
    # the web server flow meets it after the login: OAUTH_EC_APP_NOT_FOUND on the error page
    login = https.post(
        f"{emulator.instance_url}/services/oauth2/authorize",
        data={
            "response_type": "code",
            "client_id": app["consumer_key"],
            "username": "eca@acme.example",
            "password": PASSWORD,
        },
        allow_redirects=False,
    )
    assert login.status_code == 302
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    assert query["error"] == ["OAUTH_EC_APP_NOT_FOUND"]
    _, body = doctor("--user", "eca@acme.example", "--error", login.headers["Location"])
    assert verdicts(body)["eca-not-installed"] == "likely"


def test_device_flow_blocked_even_for_a_bypass_holder(emulator, https, doctor):
    user(emulator, "device@acme.example", "CanApproveUninstalledApps")
    app = emulator.store.add_connected_app("Loader", installed=False, admin_preauthorized=False)
    # the same user and app through the password flow: the bypass permission admits it
    token(emulator, https, password_form(app, "device@acme.example"), status=200)
    answer = token(emulator, https, {"response_type": "device_code", "client_id": app["consumer_key"]})
    assert answer == {"error": "invalid_client", "error_description": "app must be installed into org"}
    with emulator.store._tx(Caller(emulator.store.admin_user_id, system=True)) as txn:
        txn.delete("ConnectedApplication", app["Id"])  # real orgs list no row for an uninstalled app
    code, body = doctor("--user", "device@acme.example", "--error", as_text(answer), "--app", "Loader")
    found = verdicts(body)
    assert code == 1 and found["device-flow-blocked"] == "confirmed"
    assert found["cannot-approve-uninstalled"] == "ruled_out"  # the user holds the bypass


def test_frozen_after_traffic_from_a_high_risk_ip(emulator, https, doctor):
    user_id = user(emulator, "vpn@acme.example")
    app = emulator.store.add_connected_app("Sync", admin_preauthorized=False)
    token(emulator, https, password_form(app, "vpn@acme.example"), status=200)
    emulator.store.touch_token(user_id, "Sync")
    admin_call(emulator, https, "high_risk_ips", {"ips": ["127.0.0.1"]})
    answer = token(emulator, https, password_form(app, "vpn@acme.example"))
    assert answer == {"error": "invalid_grant", "error_description": "authentication failure"}
    admin_call(emulator, https, "high_risk_ips", {"ips": []})
    # frozen for good: the next connection from a clean address fails the same way, the tokens are gone
    assert token(emulator, https, password_form(app, "vpn@acme.example")) == answer
    with emulator.store._tx(Caller(emulator.store.admin_user_id, system=True)) as txn:
        assert txn.find("OauthToken", UserId=user_id) == []
    code, body = doctor("--user", "vpn@acme.example", "--error", as_text(answer))
    assert code == 1 and verdicts(body)["authentication-failure"] == "confirmed"
    assert "high-risk IP" in body["result"]["diagnoses"][0]["fix"]
    # the integration's refresh token was revoked with the freeze: what it logs next
    refresh = token(emulator, https, {"grant_type": "refresh_token", "refresh_token": "5Aep861-revoked"})
    assert refresh == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    code, body = doctor("--user", "vpn@acme.example", "--error", as_text(refresh))
    assert code == 1 and verdicts(body)["frozen-high-risk-ip"] == "confirmed"


def _soap_login(org: Any, https: requests.Session, username: str) -> requests.Response:
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Body><urn:login>'
        f"<urn:username>{username}</urn:username><urn:password>{PASSWORD}</urn:password>"
        "</urn:login></soapenv:Body></soapenv:Envelope>"
    )
    return https.post(
        f"{org.instance_url}/services/Soap/u/64.0",
        data=envelope,
        headers={"Content-Type": "text/xml", "SOAPAction": "login"},
    )


def test_soap_login_without_use_any_api_auth(emulator, https, doctor):
    user(emulator, "soap@acme.example")
    user(emulator, "soapok@acme.example", "UseAnyApiAuth")
    refused = _soap_login(emulator, https, "soap@acme.example")
    assert refused.status_code == 500 and "<faultcode>sf:INSUFFICIENT_ACCESS</faultcode>" in refused.text
    granted = _soap_login(emulator, https, "soapok@acme.example")
    assert granted.status_code == 200 and "<sessionId>" in granted.text
    code, body = doctor("--user", "soap@acme.example", "--error", refused.text)
    assert code == 1 and verdicts(body)["soap-login-use-any-api-auth"] == "confirmed"
    _, body = doctor("--user", "soapok@acme.example", "--error", refused.text)
    assert verdicts(body)["soap-login-use-any-api-auth"] == "ruled_out"


def test_client_credentials_run_as_user_without_api_only(emulator, https, doctor):
    run_as = user(emulator, "runas@acme.example")
    app = emulator.store.add_connected_app("Backup", run_as_user_id=run_as, admin_preauthorized=False)
    form = {
        "grant_type": "client_credentials",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
    }
    assert "access_token" in token(emulator, https, form, status=200)  # Salesforce does not refuse it
    code, body = doctor("--user", "runas@acme.example", "--flow", "client_credentials")
    hygiene = {d["id"]: d for d in body["result"]["hygiene"]}
    assert code == 1 and "cc-run-as-not-api-only" in hygiene
    api_only = user(emulator, "runas2@acme.example", "ApiUserOnly")
    assert api_only
    _, body = doctor("--user", "runas2@acme.example", "--flow", "client_credentials")
    assert "cc-run-as-not-api-only" not in {d["id"] for d in body["result"]["hygiene"]}


def test_admin_integration_user_meets_phishing_resistant_mfa(emulator, https, doctor):
    user(emulator, "adminint@acme.example", "ModifyAllData", "ViewAllData")
    app = emulator.store.add_connected_app("Vendor", admin_preauthorized=False)
    login = https.post(
        f"{emulator.instance_url}/services/oauth2/authorize",
        data={
            "response_type": "code",
            "client_id": app["consumer_key"],
            "username": "adminint@acme.example",
            "password": PASSWORD,
        },
        allow_redirects=False,
    )
    assert login.status_code == 302
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    assert query["error"] == ["mfa_required"]
    error = f"{query['error'][0]}: {query['error_description'][0]}"
    code, body = doctor("--user", "adminint@acme.example", "--error", error)
    found = {d["id"]: d for d in body["result"]["diagnoses"]}
    assert code == 1 and found["mfa-privileged-integration-user"]["verdict"] == "confirmed"
    assert "Salesforce Integration license" in found["mfa-privileged-integration-user"]["fix"]
    # the way out: an API-only integration user is not asked (and is ruled out by doctor)
    user(emulator, "apionly@acme.example", "ApiUserOnly", "ViewAllData")
    _, body = doctor("--user", "apionly@acme.example", "--error", error)
    assert verdicts(body)["mfa-privileged-integration-user"] == "ruled_out"
