"""OAuth at the wire: password, JWT bearer, client credentials, refresh, userinfo, revoke, and the
connected-app rules (installed, pre-authorized, Run As user)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from leastforce.emulator.store.org_store import Caller
from support.keys import rsa_key_and_cert

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _system(org: Any) -> Caller:
    return Caller(org.store.admin_user_id, system=True)


def _profile_id(org: Any, name: str) -> str:
    page = org.store.query(f"SELECT Id FROM Profile WHERE Name = '{name}'", caller=_system(org))
    return str(page.records[0]["Id"])


def _make_user(
    org: Any,
    username: str,
    *,
    profile: str = "Standard User",
    password: str | None = None,
    active: bool = True,
) -> str:
    user_id = org.store.create(
        "User",
        {
            "Username": username,
            "LastName": "Tester",
            "FirstName": "Ada",
            "Email": username,
            "Alias": "tester",
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "ProfileId": _profile_id(org, profile),
            "IsActive": active,
        },
        caller=_system(org),
    )
    if password:
        org.store.set_password(user_id, password)
    return str(user_id)


def _preauthorize(org: Any, app_id: str, user_id: str) -> None:
    """A permission set with SetupEntityAccess to the app, assigned to the user."""
    ps = org.store.create(
        "PermissionSet", {"Name": f"App_{user_id[-6:]}", "Label": "App access"}, caller=_system(org)
    )
    org.store.create("SetupEntityAccess", {"ParentId": ps, "SetupEntityId": app_id}, caller=_system(org))
    org.store.create(
        "PermissionSetAssignment", {"AssigneeId": user_id, "PermissionSetId": ps}, caller=_system(org)
    )


def _token(https: requests.Session, org: Any, **form: str) -> requests.Response:
    return https.post(org.instance_url + "/services/oauth2/token", data=form)


def _key_and_cert() -> tuple[rsa.RSAPrivateKey, str]:
    return rsa_key_and_cert("jwt-test")


def _assertion(key: rsa.RSAPrivateKey, iss: str, sub: str, aud: str, exp_in: int = 180) -> str:
    return jwt.encode(
        {"iss": iss, "sub": sub, "aud": aud, "exp": int(time.time()) + exp_in}, key, algorithm="RS256"
    )


def test_password_grant_gives_a_working_token(emulator: Any, https: requests.Session) -> None:
    app = emulator.store.add_connected_app("Pw App", admin_preauthorized=False)
    _make_user(emulator, "pw@example.com", password="secretTOKEN")
    answer = _token(
        https,
        emulator,
        grant_type="password",
        client_id=app["consumer_key"],
        client_secret=app["consumer_secret"],
        username="pw@example.com",
        password="secretTOKEN",
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["instance_url"] == emulator.instance_url and body["token_type"] == "Bearer"
    assert body["id"].endswith("/id/" + emulator.store.org_id + "/" + body["id"].rsplit("/", 1)[1])
    assert "refresh_token" not in body
    me = https.get(
        emulator.instance_url + "/services/oauth2/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    ).json()
    assert me["preferred_username"] == "pw@example.com"
    assert me["organization_id"] == emulator.store.org_id
    assert me["urls"]["rest"] == emulator.instance_url + "/services/data/v{version}/"


@pytest.mark.parametrize(
    ("change", "error", "description"),
    [
        ({"client_id": "nope"}, "invalid_client_id", "client identifier invalid"),
        ({"client_secret": "wrong"}, "invalid_client", "invalid client credentials"),
        ({"password": "wrong"}, "invalid_grant", "authentication failure"),
        ({"username": "ghost@example.com"}, "invalid_grant", "authentication failure"),
        ({"grant_type": "magic"}, "unsupported_grant_type", "grant type not supported"),
    ],
)
def test_password_grant_errors(
    emulator: Any, https: requests.Session, change: dict[str, str], error: str, description: str
) -> None:
    app = emulator.store.add_connected_app("Pw App", admin_preauthorized=False)
    _make_user(emulator, "pw@example.com", password="secret")
    form = {
        "grant_type": "password",
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
        "username": "pw@example.com",
        "password": "secret",
        **change,
    }
    answer = _token(https, emulator, **form)
    assert answer.status_code == 400
    assert answer.json() == {"error": error, "error_description": description}


def test_inactive_user_and_admin_approved_app(emulator: Any, https: requests.Session) -> None:
    open_app = emulator.store.add_connected_app("Open", admin_preauthorized=False)
    _make_user(emulator, "gone@example.com", password="pw", active=False)
    gone = _token(
        https,
        emulator,
        grant_type="password",
        client_id=open_app["consumer_key"],
        client_secret=open_app["consumer_secret"],
        username="gone@example.com",
        password="pw",
    )
    assert gone.json() == {"error": "invalid_grant", "error_description": "inactive user"}
    strict = emulator.store.add_connected_app("Strict", admin_preauthorized=True)
    user_id = _make_user(emulator, "strict@example.com", password="pw")
    form = {
        "grant_type": "password",
        "client_id": strict["consumer_key"],
        "client_secret": strict["consumer_secret"],
        "username": "strict@example.com",
        "password": "pw",
    }
    refused = _token(https, emulator, **form)
    assert refused.json()["error_description"] == "user is not admin approved to access this app"
    _preauthorize(emulator, strict["Id"], user_id)
    assert _token(https, emulator, **form).status_code == 200


def test_jwt_bearer_needs_preauthorization(emulator: Any, https: requests.Session) -> None:
    key, cert = _key_and_cert()
    app = emulator.store.add_connected_app("JWT App", certificate=cert, admin_preauthorized=True)
    user_id = _make_user(emulator, "jwt@example.com")
    form = {
        "grant_type": JWT_GRANT,
        "assertion": _assertion(key, app["consumer_key"], "jwt@example.com", "https://login.salesforce.com"),
    }
    refused = _token(https, emulator, **form)
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "user hasn't approved this consumer",
    }
    _preauthorize(emulator, app["Id"], user_id)
    granted = _token(https, emulator, **form)
    assert granted.status_code == 200, granted.text
    assert "refresh_token" not in granted.json()
    also_instance = _assertion(key, app["consumer_key"], "jwt@example.com", emulator.instance_url)
    assert _token(https, emulator, grant_type=JWT_GRANT, assertion=also_instance).status_code == 200


def test_jwt_bearer_errors(emulator: Any, https: requests.Session) -> None:
    key, cert = _key_and_cert()
    other_key, _ = _key_and_cert()
    app = emulator.store.add_connected_app("JWT App", certificate=cert, admin_preauthorized=True)
    _preauthorize(emulator, app["Id"], _make_user(emulator, "jwt@example.com"))
    cases = [
        (
            _assertion(key, app["consumer_key"], "jwt@example.com", "https://evil.example"),
            "audience is invalid",
        ),
        (
            _assertion(key, app["consumer_key"], "jwt@example.com", "https://login.salesforce.com", -60),
            "expired authorization code",
        ),
        (
            _assertion(other_key, app["consumer_key"], "jwt@example.com", "https://login.salesforce.com"),
            "invalid assertion",
        ),
        ("not-a-jwt", "invalid assertion"),
    ]
    for assertion, description in cases:
        answer = _token(https, emulator, grant_type=JWT_GRANT, assertion=assertion)
        assert answer.json() == {"error": "invalid_grant", "error_description": description}, assertion
    unknown = _token(
        https,
        emulator,
        grant_type=JWT_GRANT,
        assertion=_assertion(key, "nobody", "jwt@example.com", "https://login.salesforce.com"),
    )
    assert unknown.json()["error"] == "invalid_client_id"


def test_uninstalled_app_is_refused_unless_the_user_may_approve(
    emulator: Any, https: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, cert = _key_and_cert()
    app = emulator.store.add_connected_app(
        "Uninstalled", certificate=cert, installed=False, admin_preauthorized=False
    )
    user_id = _make_user(emulator, "plain@example.com")
    _preauthorize(emulator, app["Id"], user_id)
    aud = "https://login.salesforce.com"
    blocked = _token(
        https,
        emulator,
        grant_type=JWT_GRANT,
        assertion=_assertion(key, app["consumer_key"], "plain@example.com", aud),
    )
    assert blocked.json() == {
        "error": "invalid_client",
        "error_description": "app must be installed into org",
    }
    # The standard System Administrator profile carries Approve Uninstalled Connected Apps; the store's
    # v64 schema has no PermissionsCanApproveUninstalledApps field yet, so grant it here when missing.
    real = emulator.store.effective_permissions
    admin_id = emulator.store.admin_user_id

    def with_bypass(user_id: str) -> frozenset[str]:
        return real(user_id) | ({"CanApproveUninstalledApps"} if user_id == admin_id else set())

    monkeypatch.setattr(emulator.store, "effective_permissions", with_bypass)
    _preauthorize(emulator, app["Id"], admin_id)
    admin = _token(
        https,
        emulator,
        grant_type=JWT_GRANT,
        assertion=_assertion(key, app["consumer_key"], emulator.admin_username, aud),
    )
    assert admin.status_code == 200, admin.text


def test_client_credentials_uses_the_run_as_user(emulator: Any, https: requests.Session) -> None:
    user_id = _make_user(emulator, "runas@example.com")
    app = emulator.store.add_connected_app("CC App", run_as_user_id=user_id, admin_preauthorized=True)
    answer = _token(
        https,
        emulator,
        grant_type="client_credentials",
        client_id=app["consumer_key"],
        client_secret=app["consumer_secret"],
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"].endswith("/" + user_id)
    basic = https.post(
        emulator.instance_url + "/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(app["consumer_key"], app["consumer_secret"]),
    )
    assert basic.status_code == 200
    no_user = emulator.store.add_connected_app("No Run As")
    refused = _token(
        https,
        emulator,
        grant_type="client_credentials",
        client_id=no_user["consumer_key"],
        client_secret=no_user["consumer_secret"],
    )
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "no client credentials user enabled",
    }
    wrong = _token(
        https, emulator, grant_type="client_credentials", client_id=app["consumer_key"], client_secret="x"
    )
    assert wrong.json() == {"error": "invalid_client", "error_description": "invalid client credentials"}


def test_refresh_token_unknown(emulator: Any, https: requests.Session) -> None:
    answer = _token(
        https, emulator, grant_type="refresh_token", refresh_token="5Aep-nothing", client_id="PlatformCLI"
    )
    assert answer.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}


def test_revoke_ends_the_session(emulator: Any, https: requests.Session) -> None:
    token = emulator.store.create_session(emulator.store.admin_user_id, app="test")
    limits = emulator.instance_url + "/services/data/v64.0/limits"
    assert https.get(limits, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert (
        https.post(emulator.instance_url + "/services/oauth2/revoke", data={"token": token}).status_code
        == 200
    )
    after = https.get(limits, headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401 and after.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert (
        https.post(emulator.instance_url + "/services/oauth2/revoke", data={"token": token}).status_code
        == 400
    )


def test_userinfo_and_identity_url_need_a_session(emulator: Any, https: requests.Session) -> None:
    bad = https.get(
        emulator.instance_url + "/services/oauth2/userinfo", headers={"Authorization": "Bearer x"}
    )
    assert bad.status_code == 403
    ident = https.get(
        f"{emulator.instance_url}/id/{emulator.store.org_id}/{emulator.store.admin_user_id}",
        headers={"Authorization": f"Bearer {emulator.admin_token}"},
    ).json()
    assert ident["username"] == emulator.admin_username
    assert ident["user_id"] == emulator.store.admin_user_id


def test_user_without_api_enabled_is_refused(emulator: Any, https: requests.Session) -> None:
    user_id = _make_user(emulator, "noapi@example.com", profile="Minimum Access - Salesforce")
    token = emulator.store.create_session(user_id, app="test")
    answer = https.get(
        emulator.instance_url + "/services/data/v64.0/limits", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert answer.json() == [
        {"message": "The REST API is not enabled for this Organization.", "errorCode": "API_DISABLED_FOR_ORG"}
    ]
