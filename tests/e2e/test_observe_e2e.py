"""observe end to end: apply upflow, run a workload as the upflow user, write the log files, observe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from support.cli import run_cli
from support.paths import ROOT

UPFLOW = str(ROOT / "examples" / "upflow.yaml")
USER = "integration@example.com"


def _admin_post(https: requests.Session, org: Any, path: str, body: Any = None) -> Any:
    response = https.post(
        f"{org.instance_url}/_emulator/{path}",
        json=body,
        headers={"Authorization": f"Bearer {org.control_key}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _run(args: list[str], capsys: Any) -> tuple[int, str]:
    """(exit code, stdout + stderr): run_cli keeps stdout only."""
    from leastforce.cli import main

    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out + captured.err


def _query(https: requests.Session, org: Any, token: str, soql: str) -> int:
    response = https.get(
        f"{org.instance_url}/services/data/v64.0/query",
        params={"q": soql},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code


@pytest.fixture
def observed(org_env: Any, https: requests.Session, capsys: Any) -> Any:
    """upflow applied; the user queried Account three times and tried Opportunity once; logs written."""
    code, _ = run_cli(["apply", UPFLOW, "--user", USER, "--yes"], capsys)
    assert code == 0
    token = _admin_post(https, org_env, "sessions", {"username": USER})["accessToken"]
    assert _query(https, org_env, token, "SELECT Id, Name FROM Account") == 200
    assert _query(https, org_env, token, "SELECT Id, Name, Industry FROM Account WHERE Name != null") == 200
    assert _query(https, org_env, token, "SELECT COUNT() FROM Account") == 200
    assert _query(https, org_env, token, "SELECT Id FROM Opportunity") == 400
    assert _admin_post(https, org_env, "eventlogs")["written"]
    return org_env


def test_observe_reports_used_unused_and_denied(observed: Any, cli_json: Any) -> None:
    code, body = cli_json("observe", "--user", USER, "--days", "1", "--manifest", UPFLOW)
    assert code == 0, body
    rights = {(r["object"], r["right"]): r for r in body["result"]["rights"]}
    account = rights[("Account", "read")]
    assert account["verdict"] == "used" and account["used"]["count"] == 3
    assert set(account["used"]["fields"]) == {"Id", "Name", "Industry"}
    assert rights[("Contact", "read")]["verdict"] == "unused"
    assert rights[("Contact", "read")]["granted"] and rights[("Contact", "read")]["declared"]
    assert rights[("Opportunity", "read")]["verdict"] == "denied"
    assert rights[("Opportunity", "read")]["denied"]["statuses"] == [400]
    assert body["result"]["coverage"]["uniqueQuery"] is True
    assert body["result"]["calls"] == 4


def test_observe_writes_a_manifest_without_contact_that_verifies(
    observed: Any, capsys: Any, tmp_path: Path
) -> None:
    out = tmp_path / "trimmed.yaml"
    code, text = run_cli(
        ["observe", "--user", USER, "--days", "1", "--manifest", UPFLOW, "--write", str(out)], capsys
    )
    assert code == 0
    assert "Contact read: granted, declared, 0 calls" in text
    assert "Opportunity read: 1 refused (HTTP 400)" in text
    trimmed = out.read_text()
    assert "object: Contact" not in trimmed
    assert "observe: removed Contact read, view_all_records, view_all_fields from sync" in trimmed
    assert "object: Account" in trimmed
    code, _ = run_cli(["validate", str(out)], capsys)
    assert code == 0
    code, verified = run_cli(["verify", str(out), "--user", USER], capsys)
    assert code == 0, verified


def test_observe_without_log_files_says_so_and_exits_3(org_env: Any, capsys: Any) -> None:
    code, _ = run_cli(["apply", UPFLOW, "--user", USER, "--yes"], capsys)
    code, text = _run(["observe", "--user", USER], capsys)
    assert code == 3
    assert "no API Total Usage log files" in text


def _grant_view_setup(https: requests.Session, org: Any, username: str) -> None:
    """Give ``username`` View Setup and Configuration (to read the setup objects), nothing about logs."""
    rest = f"{org.instance_url}/services/data/v64.0"
    admin = {"Authorization": f"Bearer {org.admin_token}"}
    created = https.post(
        f"{rest}/sobjects/PermissionSet",
        json={"Name": "Setup_Reader", "Label": "Setup Reader", "PermissionsViewSetup": True},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    users = https.get(
        f"{rest}/query", params={"q": f"SELECT Id FROM User WHERE Username = '{username}'"}, headers=admin
    ).json()["records"]
    assigned = https.post(
        f"{rest}/sobjects/PermissionSetAssignment",
        json={"AssigneeId": users[0]["Id"], "PermissionSetId": created.json()["id"]},
        headers=admin,
    )
    assert assigned.status_code == 201, assigned.text


def test_observe_needs_view_event_log_files(observed: Any, https: Any, capsys: Any, monkeypatch: Any) -> None:
    # The user may read the setup objects (View Setup) but not the log files.
    _grant_view_setup(https, observed, USER)
    token = _admin_post(https, observed, "sessions", {"username": USER})["accessToken"]
    monkeypatch.setenv("SF_ACCESS_TOKEN", token)
    code, text = _run(["observe", "--user", USER], capsys)
    assert code == 3
    assert "View Event Log Files" in text


def test_observe_unknown_user_and_write_without_manifest(observed: Any, capsys: Any, tmp_path: Path) -> None:
    code, text = _run(["observe", "--user", "nobody@x.example"], capsys)
    assert code in (2, 3)
    assert "nobody@x.example" in text
    code, text = _run(["observe", "--user", USER, "--write", str(tmp_path / "x.yaml")], capsys)
    assert code == 2 and "--write needs --manifest" in text


def test_observe_html_report_is_private_and_complete(observed: Any, cli_json: Any, tmp_path: Path) -> None:
    page = tmp_path / "observe.html"
    page.write_text("old")
    page.chmod(0o644)
    code, body = cli_json("observe", "--user", USER, "--days", "1", "--manifest", UPFLOW, "--html", str(page))
    assert code == 0 and body["result"]["html"] == str(page)
    assert page.stat().st_mode & 0o777 == 0o600
    text = page.read_text()
    assert '<tr data-verdict="denied">' in text and "<td>Opportunity</td>" in text
    assert '<tr data-verdict="unused">' in text and "<td>Contact</td>" in text


def _user_findings(body: Any, rule: str) -> dict[str, list[dict[str, Any]]]:
    return {u["username"]: [f for f in u["findings"] if f["rule"] == rule] for u in body["result"]["users"]}


def test_audit_usage_adds_granted_unused_findings(observed: Any, cli_json: Any) -> None:
    code, body = cli_json("audit", "--usage", "--usage-days", "1")
    assert code == 0, body
    unused = _user_findings(body, "unused-object-access")[USER]
    items = {f["item"] for f in unused}
    assert "Contact read" in items and "Account read" not in items
    assert all(f["severity"] == "low" for f in unused)
    evidence = " ".join(unused[0]["evidence"])
    assert "granted, unused in 1 days" in evidence and "limits:" in evidence
    assert body["result"]["usage"].startswith("usage: ")


def test_audit_usage_without_log_files_says_usage_is_not_known(
    org_env: Any, cli_json: Any, tmp_path: Path
) -> None:
    assert cli_json("apply", UPFLOW, "--user", USER, "--yes")[0] == 0
    code, body = cli_json("audit", "--usage")
    assert code == 0, body
    assert "no API Total Usage log files" in body["result"]["usage"]
    assert _user_findings(body, "unused-object-access")[USER] == []
    [unknown] = _user_findings(body, "usage-unknown")[USER]
    assert unknown["severity"] == "info" and "usage not known" in unknown["evidence"][0]
    snapshot = tmp_path / "org.snapshot"
    assert cli_json("snapshot", "-o", str(snapshot))[0] == 0
    code, body = cli_json("audit", "--org", f"snapshot:{snapshot}", "--usage")
    assert code == 0 and "a snapshot file has no Event Monitoring log files" in body["result"]["usage"]
