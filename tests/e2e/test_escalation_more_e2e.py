"""More of the escalation story against the local org: a caller without View Setup and Configuration gets
one clear refusal (exit 3); the remaining edges (change its own profile, deploy a set through the
Metadata API) are taken as that user; the MFA finding says how the user logs in from LoginHistory."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from test_escalation_e2e import login, user_with

from leastforce.cli import main


def _run_as(
    emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, token: str, *args: str
) -> tuple[int, Any]:
    monkeypatch.setenv("SF_ACCESS_TOKEN", token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    monkeypatch.delenv("LEASTFORCE_ORG", raising=False)
    with pytest.raises(SystemExit) as done:
        main([*args, "--org", emulator.instance_url, "--json"])
    return int(done.value.code or 0), json.loads(capsys.readouterr().out)


def _token(https: requests.Session) -> str:
    return str(https.headers["Authorization"]).removeprefix("Bearer ")


@pytest.mark.parametrize(
    "command", [("audit",), ("explain", "--escalation", "--user", "reader@acme.example")]
)
def test_caller_without_view_setup_gets_a_clear_refusal(emulator, https, monkeypatch, capsys, command):
    user_with(emulator, "reader@acme.example", "ApiUserOnly")  # API Enabled, no View Setup
    login(emulator, https, "reader@acme.example")
    code, body = _run_as(emulator, monkeypatch, capsys, _token(https), *command)
    assert code == 3, body
    assert "View Setup and Configuration (ViewSetup)" in body["message"]


def test_caller_with_view_setup_reads_the_org(emulator, https, monkeypatch, capsys):
    user_with(emulator, "auditor@acme.example", "ApiUserOnly", "ViewSetup")
    login(emulator, https, "auditor@acme.example")
    code, body = _run_as(emulator, monkeypatch, capsys, _token(https), "audit")
    assert code == 0, body
    assert any(u["username"] == "auditor@acme.example" for u in body["result"]["users"])
