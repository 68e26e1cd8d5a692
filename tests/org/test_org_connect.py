"""--org parsing, credential selection and the sf CLI token dance, without a network."""

from __future__ import annotations

import json
import subprocess

import pytest

from leastforce.errors import (
    AuthError,
    InputError,
    OrgError,
    PermissionDenied,
    RequestLimitError,
    TransientOrgError,
)
from leastforce.org.client import error_from_response
from leastforce.org.connect import OrgKind, parse_org_spec, session_from_sf_cli


def test_org_spec_kinds():
    assert parse_org_spec("https://acme.my.salesforce.com/", {}).kind is OrgKind.URL
    assert parse_org_spec("https://acme.my.salesforce.com/", {}).value == "https://acme.my.salesforce.com"
    assert parse_org_spec("snapshot:/tmp/x.db", {}).value == "/tmp/x.db"
    assert parse_org_spec("my-alias", {}).kind is OrgKind.SF_CLI
    assert parse_org_spec(None, {"LEASTFORCE_ORG": "admin@acme.com"}).kind is OrgKind.SF_CLI
    with pytest.raises(InputError, match="LEASTFORCE_ORG"):
        parse_org_spec(None, {})


class FakeSf:
    """Answers `sf ... --json` like the CLI does; records the commands it ran."""

    def __init__(self, answers):
        self.answers = answers
        self.ran = []

    def __call__(self, args, **kwargs):
        key = " ".join(args[1:3])
        self.ran.append(key)
        assert kwargs["env"]["NO_COLOR"] == "1"
        code, body = self.answers[key]
        return subprocess.CompletedProcess(args, code, json.dumps(body), "")


def test_newer_cli_redacts_display_so_token_comes_from_show_access_token():
    fake = FakeSf(
        {
            "org display": (
                0,
                {
                    "status": 0,
                    "result": {
                        "instanceUrl": "https://x.my.salesforce.com",
                        "accessToken": "[REDACTED] use show-access-token",
                    },
                },
            ),
            "org auth": (0, {"status": 0, "result": {"accessToken": "00Dx!secret"}}),
        }
    )
    session = session_from_sf_cli("emu", {}, runner=fake)
    assert session.access_token == "00Dx!secret"
    assert session.instance_url == "https://x.my.salesforce.com"
    assert "secret" not in repr(session)


def test_older_cli_without_show_access_token_falls_back_to_display():
    fake = FakeSf(
        {
            "org display": (
                0,
                {"status": 0, "result": {"instanceUrl": "https://x", "accessToken": "00Dx!tok"}},
            ),
            "org auth": (2, {"status": 2, "name": "CommandNotFound", "message": "not a sf command"}),
        }
    )
    assert session_from_sf_cli("emu", {}, runner=fake).access_token == "00Dx!tok"


def test_unknown_alias_is_an_auth_error_with_the_cli_message():
    fake = FakeSf(
        {
            "org display": (
                1,
                {
                    "status": 1,
                    "name": "NoAuthInfoFound",
                    "message": "No authorization information found for nope.",
                },
            )
        }
    )
    with pytest.raises(AuthError, match="No authorization information"):
        session_from_sf_cli("nope", {}, runner=fake)


def test_missing_cli_is_reported():
    def missing(*args, **kwargs):
        raise FileNotFoundError("sf")

    with pytest.raises(OrgError, match="not installed"):
        session_from_sf_cli("emu", {"LEASTFORCE_SF_BIN": "/nope/sf"}, runner=missing)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (
            401,
            [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
            AuthError,
            "INVALID_SESSION_ID",
        ),
        (
            403,
            [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
            RequestLimitError,
            "REQUEST_LIMIT_EXCEEDED",
        ),
        (
            403,
            [
                {
                    "message": "The REST API is not enabled for this Organization.",
                    "errorCode": "API_DISABLED_FOR_ORG",
                }
            ],
            PermissionDenied,
            "API_DISABLED_FOR_ORG",
        ),
        (503, "Service Unavailable", TransientOrgError, ""),
        (
            400,
            [{"message": "unexpected token: FROM", "errorCode": "MALFORMED_QUERY"}],
            OrgError,
            "MALFORMED_QUERY",
        ),
    ],
)
def test_errors_are_classified_by_status_and_code(status, body, cls, code):
    error = error_from_response(status, body)
    assert type(error) is cls
    assert error.error_code == code


def test_client_speaks_the_newest_version_both_sides_know(emulator):
    from leastforce.org.client import Session, SimpleSalesforceClient, negotiate_version

    session = Session(emulator.instance_url, emulator.admin_token, emulator.ca_bundle)
    assert negotiate_version(session) == "67.0"  # CanApproveUninstalledApps is a field from 67.0 on
    client = SimpleSalesforceClient(session)
    client.query("SELECT Id FROM User LIMIT 1")
    assert any("/services/data/v67.0/query" in line for line in emulator.requests_log())


def test_version_falls_back_when_the_org_cannot_list_versions():
    from leastforce.org.client import API_VERSION, Session, negotiate_version

    assert negotiate_version(Session("https://127.0.0.1:9", "x"), timeout_s=2) == API_VERSION
