"""Redaction that follows the secret (values/secrets.py), TLS only, and the small findings of issue 14:
a FIFO manifest, SF_JWT_KEY_FILE=/dev/zero, a missing SF_CA_BUNDLE, a merge key without an alias."""

from __future__ import annotations

import base64
import json
import os
import secrets as pysecrets
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from leastforce import cli
from leastforce.cli import main
from leastforce.errors import AuthError, InputError
from leastforce.org import connect
from leastforce.org.connect import parse_org_spec, session_from_sf_cli, token_login
from leastforce.values import secrets
from leastforce.values.secrets import redact, redact_token_like, register


@pytest.fixture(autouse=True)
def empty_registry() -> Any:
    secrets.forget_all()
    yield
    secrets.forget_all()


def test_a_registered_secret_is_redacted_raw_url_encoded_and_base64() -> None:
    secret = "s3cr3t/" + pysecrets.token_urlsafe(20) + "+="
    register(secret)
    for form in (
        secret,
        quote(secret, safe=""),
        quote(secret, safe="").replace("%20", "+"),
        base64.b64encode(secret.encode()).decode(),
        base64.b64encode(b"client-id:" + secret.encode()).decode(),  # a Basic auth header
        base64.urlsafe_b64encode(b"xy" + secret.encode()).decode(),
    ):
        out = redact(f"echo: {form} end")
        assert "[REDACTED]" in out, form
        assert secret not in out and quote(secret, safe="") not in out
    assert redact("nothing secret here") == "nothing secret here"
    register("abc", None, "")  # too short or empty: ignored, ordinary text stays
    assert redact("abc abc") == "abc abc"


def test_doctor_error_hides_token_like_text_it_never_saw() -> None:
    session = "00D5g000004ABCD!AQ8AQJ3" + pysecrets.token_urlsafe(40)
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"
    text = f"INVALID_SESSION_ID: Session expired {session} Authorization: Bearer {jwt} password=hunter22xx"
    out = redact_token_like(text)
    assert "INVALID_SESSION_ID: Session expired" in out
    assert session[16:] not in out and jwt not in out and "hunter22xx" not in out


def test_doctor_does_not_echo_a_pasted_token(capsys: pytest.CaptureFixture[str]) -> None:
    session = "00D5g000004ABCD!AQ8AQJ3" + pysecrets.token_urlsafe(40)
    for extra in ([], ["--json"]):
        with pytest.raises(SystemExit):
            main(["doctor", "--error", f"INVALID_SESSION_ID: Session expired or invalid {session}", *extra])
        captured = capsys.readouterr()
        assert session[16:] not in captured.out + captured.err
        assert "INVALID_SESSION_ID" in captured.out + captured.err or extra


def test_json_error_data_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "Client-" + pysecrets.token_urlsafe(20)
    register(secret)
    exc = AuthError(f"invalid_client: {secret}", error_code=f"echo {secret}")
    with pytest.raises(SystemExit):
        cli._report(exc, "AuthError", str(exc), 3, True)
    out = capsys.readouterr().out
    body = json.loads(out)
    assert secret not in out and body["data"] == "echo [REDACTED]"


class Answer:
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status_code, self._body = status, body

    def json(self) -> dict[str, Any]:
        return self._body


def test_a_token_endpoint_answer_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    token, refresh = "00DLf0000000001!" + pysecrets.token_urlsafe(30), "5Aep" + pysecrets.token_urlsafe(30)
    body = {"access_token": token, "refresh_token": refresh, "instance_url": "https://acme.my.salesforce.com"}
    monkeypatch.setattr(requests, "post", lambda *a, **k: Answer(200, body))
    session = token_login("https://acme.my.salesforce.com/services/oauth2/token", {}, None)
    assert session.access_token == token
    assert redact(f"{token} {refresh}") == "[REDACTED] [REDACTED]"


def test_a_token_endpoint_sending_to_plain_http_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"access_token": "00DLf0000000001!abcdefghijk", "instance_url": "http://acme.my.salesforce.com"}
    monkeypatch.setattr(requests, "post", lambda *a, **k: Answer(200, body))
    with pytest.raises(InputError, match="https"):
        token_login("https://acme.my.salesforce.com/services/oauth2/token", {}, None)


def test_the_sf_cli_token_is_registered() -> None:
    token = "00Dx00000000001!" + pysecrets.token_urlsafe(30)

    def fake(args: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        result = {"instanceUrl": "https://x.my.salesforce.com", "accessToken": token}
        return subprocess.CompletedProcess(args, 0, json.dumps({"status": 0, "result": result}), "")

    session_from_sf_cli("alias", {}, runner=fake)
    assert token[16:] not in redact(f"the org said {token}")


@pytest.mark.parametrize("url", ["http://acme.my.salesforce.com", "HTTP://127.0.0.1:8443"])
def test_plain_http_org_urls_are_refused_before_any_request(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a request was sent")

    monkeypatch.setattr(requests, "post", no_network)
    monkeypatch.setattr(requests.Session, "request", no_network)
    monkeypatch.setenv("SF_CLIENT_ID", "id")
    monkeypatch.setenv("SF_CLIENT_SECRET", "the-client-secret")
    with pytest.raises(InputError, match="https"):
        parse_org_spec(url, {})
    with pytest.raises(SystemExit) as done:
        main(["explain", "--org", url, "--user", "a@b.c", "ApiEnabled"])
    assert done.value.code == 2
    assert "https://" in capsys.readouterr().err


def test_jwt_key_file_from_dev_zero_or_huge_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="SF_JWT_KEY_FILE /dev/zero is not a regular file"):
        connect.jwt_assertion("id", "u@x", "/dev/zero", {})
    huge = tmp_path / "huge.pem"
    with huge.open("wb") as handle:
        handle.truncate(1 << 30)  # sparse: 1 GiB of zeros, never read whole
    with pytest.raises(InputError, match="larger than 64 KiB"):
        connect.jwt_assertion("id", "u@x", str(huge), {})


def test_jwt_key_file_that_is_a_directory_or_binary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="SF_JWT_KEY_FILE"):
        connect.jwt_assertion("id", "u@x", str(tmp_path), {})
    binary = tmp_path / "k.der"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="not an RSA private key"):
        connect.jwt_assertion("id", "u@x", str(binary), {})


def test_a_key_file_is_registered_as_a_secret(tmp_path: Path) -> None:
    line = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ" + "A" * 14
    key = tmp_path / "k.pem"
    key.write_text(f"-----BEGIN PRIVATE KEY-----\n{line}\n-----END PRIVATE KEY-----\n")
    with pytest.raises(InputError):
        connect.jwt_assertion("id", "u@x", str(key), {})
    assert line not in redact(f"echo {line}")


def test_a_missing_ca_bundle_is_bad_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SF_ACCESS_TOKEN", "00Dx!abcdefghijkl")
    monkeypatch.setenv("SF_CA_BUNDLE", "/nonexistent")
    with pytest.raises(SystemExit) as done:
        main(["explain", "--org", "https://127.0.0.1:1", "--user", "a@b.c", "ApiEnabled"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "SF_CA_BUNDLE /nonexistent" in err and "internal error" not in err


def test_a_fifo_as_the_manifest_is_refused_not_waited_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SystemExit) as done:
        main(["validate", str(fifo)])
    assert done.value.code == 2 and "not a regular file" in capsys.readouterr().out


def test_a_merge_key_without_an_alias_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "manifest: 1\nintegration: Acme\nuser: {license: Salesforce}\nfeatures:\n  sync:\n    requires:\n"
        "      - <<: {permission: ModifyAllData}\n        why: x\n"
    )
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    out = capsys.readouterr().out
    assert done.value.code == 2 and "m.yaml:7:9: error: YAML merge keys" in out


def test_the_documented_manifest_limit_is_the_code_s() -> None:
    from leastforce.manifest.yamlread import MAX_BYTES
    from support.paths import DOCS

    assert f"{MAX_BYTES // 1024} KiB" in (DOCS / "security.md").read_text()
    assert "1 MiB" not in (DOCS / "security.md").read_text()
