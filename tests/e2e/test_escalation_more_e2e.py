"""More of the escalation story against the local org: a caller without View Setup and Configuration gets
one clear refusal (exit 3); change-own-profile is taken as that user, and the org refuses what the graph
says a user cannot do (a profile change without Manage Users, a PermissionSet deploy with Modify Metadata
alone)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from lxml import etree
from test_escalation_e2e import holds, login, user_with

from leastforce.cli import main
from support.mdapi import MetadataClient, doc, make_zip, messages, text
from support.org_setup import Admin, with_dependencies


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


@pytest.fixture
def run(emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any):
    def invoke(*args: str) -> tuple[int, Any]:
        return _run_as(emulator, monkeypatch, capsys, emulator.admin_token, *args)

    return invoke


def _holds(run: Any, username: str, permission: str) -> bool:
    code, body = run("explain", permission, "--user", username)
    return bool(code == 0 and body["result"]["paths"])


def _first_edges(run: Any, username: str) -> list[str]:
    code, body = run("explain", "--escalation", "--user", username)
    assert code == 1, body
    return [s["edge"] for s in body["result"]["paths"][0]["steps"]]


def test_change_own_profile_edge_is_taken_against_the_org(emulator, https, run):
    """Manage Internal Users: the user changes its own profile to System Administrator (our UNVERIFIED
    reading: the docs do not forbid it; the local org allows it)."""
    user_id = user_with(emulator, "hr@acme.example", "ManageInternalUsers", "ApiUserOnly")
    assert _first_edges(run, "hr@acme.example") == ["change-own-profile"]
    admin_profile = Admin.of(emulator).profile_id("System Administrator")
    rest = login(emulator, https, "hr@acme.example")
    changed = rest("PATCH", f"sobjects/User/{user_id}", json={"ProfileId": admin_profile})
    assert changed.status_code == 204, changed.text
    assert _holds(run, "hr@acme.example", "ModifyAllData")


def test_without_manage_users_the_org_refuses_the_profile_change(emulator, https):
    user_id = user_with(emulator, "nohr@acme.example", "ApiUserOnly")
    admin_profile = Admin.of(emulator).profile_id("System Administrator")
    rest = login(emulator, https, "nohr@acme.example")
    refused = rest("PATCH", f"sobjects/User/{user_id}", json={"ProfileId": admin_profile})
    assert refused.status_code == 400 and "INSUFFICIENT_ACCESS" in refused.text


def _deploy_set(emulator: Any, https: requests.Session, name: str, permissions: list[str]) -> Any:
    body = "".join(
        f"    <userPermissions>\n        <enabled>true</enabled>\n        <name>{p}</name>\n    </userPermissions>\n"
        for p in sorted(with_dependencies(permissions))
    )
    xml = doc("PermissionSet", f"    <label>{name}</label>\n{body}")
    client = MetadataClient(https, emulator.instance_url, _token(https))
    return client.deploy(make_zip({("PermissionSet", name): xml}))


def _all_edges(run: Any, username: str) -> list[list[str]]:
    code, body = run("explain", "--escalation", "--user", username)
    assert code == 1, body
    return [[s["edge"] for s in p["steps"]] for p in body["result"]["paths"]]


def test_modify_metadata_alone_has_no_path_and_the_org_refuses_the_set_deploy(emulator, https, run):
    """The graph and the local org agree: Modify Metadata without the PermissionSet type's permission
    deploys no permission set (the reading in escalation.yaml)."""
    user_id = user_with(emulator, "metaonly@acme.example", "ModifyMetadata", "ApiUserOnly")
    code, body = run("explain", "--escalation", "--user", "metaonly@acme.example")
    assert code == 0 and body["result"]["paths"] == []
    login(emulator, https, "metaonly@acme.example")
    result = _deploy_set(
        emulator, https, f"Grants_{user_id[-6:]}", ["ApiEnabled", "ModifyMetadata", "ModifyAllData"]
    )
    assert text(result, "status") == "Failed"
    assert "insufficient access" in messages(result, "componentFailures")[0]["problem"]


def test_without_modify_metadata_the_org_refuses_the_deploy(emulator, https):
    user_id = user_with(emulator, "nometa@acme.example", "ApiUserOnly")
    login(emulator, https, "nometa@acme.example")
    client = MetadataClient(https, emulator.instance_url, _token(https))
    status, root = client.call("describeMetadata", "<asOfVersion>64.0</asOfVersion>")
    assert status == 500 and b"INSUFFICIENT_ACCESS" in etree.tostring(root), user_id


def test_deploy_permission_set_edge_is_taken_against_the_org(emulator, https, run):
    """Modify Metadata with Manage Profiles and Permission Sets: the graph offers deploying the held set
    with Modify All Data through the Metadata API, and the local org lets that user do it."""
    user_id = user_with(
        emulator, "deployer@acme.example", "ModifyMetadata", "ManageProfilesPermissionsets", "ApiUserOnly"
    )
    assert ["deploy-permission-set"] in _all_edges(run, "deployer@acme.example")
    assert not holds(run, "deployer@acme.example", "ModifyAllData")
    login(emulator, https, "deployer@acme.example")
    held = f"Grants_{user_id[-6:]}"
    perms = ["ApiEnabled", "ApiUserOnly", "ModifyMetadata", "ManageProfilesPermissionsets", "ModifyAllData"]
    result = _deploy_set(emulator, https, held, perms)
    assert text(result, "status") == "Succeeded", [m.get("problem") for m in messages(result, "componentFailures")]
    assert holds(run, "deployer@acme.example", "ModifyAllData")
