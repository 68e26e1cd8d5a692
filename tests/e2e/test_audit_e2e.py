"""audit end to end: an org built through REST on the emulator with known problems, the CLI reading it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leastforce.emulator.store.txn import Caller
from support.cli import run_cli
from support.org_setup import Admin
from support.paths import ROOT

UPFLOW = str(ROOT / "examples" / "upflow.yaml")
EVIL = "<script>alert(1)</script>"


@pytest.fixture
def run(cli_json: Any) -> Any:
    return cli_json


def token(org: Any, user_id: str, app: str, *, age_days: int = 1, unused_days: int = 0) -> None:
    """An OauthToken row, as if the user had authorised ``app`` ``age_days`` ago (fixture-only: OauthToken
    is not createable through the API)."""
    org.store.touch_token(user_id, app)
    stamp = "%Y-%m-%dT%H:%M:%S.000+0000"
    now = datetime.now(UTC)
    with org.store._tx(Caller(org.store.admin_user_id, system=True)) as txn:
        row = txn.find("OauthToken", UserId=user_id, AppName=app)[0]
        values = {
            "CreatedDate": (now - timedelta(days=age_days)).strftime(stamp),
            "LastUsedDate": (now - timedelta(days=unused_days)).strftime(stamp),
        }
        txn.update("OauthToken", row["Id"], values)


def upflow_user(admin: Admin, org: Any) -> str:
    """The Upflow integration user exactly as examples/upflow.yaml asks (Approve Uninstalled Connected
    Apps is left out: the emulator's describe predates it)."""
    lic = admin.id_of("SELECT Id FROM UserLicense WHERE Name = 'Salesforce Integration'")
    profile = admin.create("Profile", Name="Upflow API Profile", UserLicenseId=lic)
    admin.update("Profile", profile, PermissionsApiEnabled=True, PermissionsApiUserOnly=True)
    user = admin.user("upflow@acme.example", "Upflow API Profile")
    admin.assign_psl(user)
    ps = admin.permission_set(
        "Upflow_Permissions",
        permissions=["ApiEnabled"],
        objects={
            "Account": "read,edit,view_all_records,view_all_fields",
            "Contact": "read,view_all_records,view_all_fields",
        },
        license_id=admin.psl_id(),
    )
    admin.assign(user, set_id=ps)
    token(org, user, "Upflow")
    return user


@pytest.fixture
def problem_org(emulator: Any) -> Admin:
    """Known problems, one per user (see each test)."""
    admin = Admin.of(emulator)
    upflow = upflow_user(admin, emulator)
    extra = admin.permission_set(
        "Upflow_Extra", objects={"Opportunity": "read"}, fields={"Lead.Email": "read"}
    )
    admin.assign(upflow, set_id=extra)
    legacy = admin.user("legacy@acme.example", "System Administrator")
    token(emulator, legacy, "Old ETL", age_days=400, unused_days=120)
    gone = admin.user("gone@acme.example", "Standard User")
    token(emulator, gone, "Zapier")
    admin.update("User", gone, IsActive=False)
    danger = admin.permission_set("Danger_Set", permissions=["ManageUsers"])
    admin.update("PermissionSet", danger, Label=EVIL)
    bot = admin.user("bot@acme.example", "Standard User")
    admin.update("User", bot, LastName="<img src=x onerror=alert(2)>")
    admin.assign(bot, group_id=admin.group("Ops_Group", [danger]))
    admin.assign(legacy, set_id=danger)
    token(emulator, bot, "Ops Bot")
    tools = admin.permission_set(
        "Upflow_Tools", permissions=["ViewSetup"], description="Managed by leastforce (Upflow)."
    )
    alice = admin.user("alice@acme.example", "Standard User")
    admin.assign(alice, set_id=tools)
    return admin


def findings(body: dict[str, Any], username: str) -> set[tuple[str, str]]:
    user = next(u for u in body["result"]["users"] if u["username"] == username)
    return {(f["rule"], f["item"]) for f in user["findings"]}


def test_clean_upflow_org_has_no_findings_above_low(emulator, run):
    upflow_user(Admin.of(emulator), emulator)
    code, body = run("audit", "--manifest", UPFLOW, "--user", "upflow@acme.example", "--fail-on", "medium")
    assert code == 0 and body["status"] == 0, body
    users = {u["username"]: u for u in body["result"]["users"]}
    assert "upflow@acme.example" in users
    upflow = users["upflow@acme.example"]
    assert all(f["severity"] in ("low", "info") for f in upflow["findings"]), upflow["findings"]
    assert upflow["excess"] == 0 and upflow["integration"] == "Upflow"
    assert "Salesforce Integration license" in upflow["reasons"]


def test_problem_org_findings_json_and_exit_code(problem_org, run, tmp_path):
    html = tmp_path / "report.html"
    code, body = run(
        "audit",
        "--manifest",
        UPFLOW,
        "--user",
        "upflow@acme.example",
        "--fail-on",
        "high",
        "--html",
        str(html),
    )
    assert code == 1 and body["status"] == 1
    result = body["result"]
    assert result["summary"]["worst"] == "critical"
    assert {
        ("undeclared-object-access", "Opportunity: read"),
        ("undeclared-field-access", "Lead.Email: read"),
    } <= findings(body, "upflow@acme.example")
    legacy = findings(body, "legacy@acme.example")
    assert {
        ("system-administrator-profile", "System Administrator"),
        ("critical-permission", "ModifyAllData"),
    } <= legacy
    assert ("stale-token", "Old ETL") in legacy
    assert ("inactive-user-with-tokens", "Zapier") in findings(body, "gone@acme.example")
    bot = next(u for u in result["users"] if u["username"] == "bot@acme.example")
    apex = next(f for f in bot["findings"] if f["item"] == "ManageUsers")
    assert apex["severity"] == "critical"
    assert apex["evidence"] == ["permission set group Ops_Group (via permission set Danger_Set)"]
    assert [(f["rule"], f["subject"]) for f in result["humanFindings"]] == [
        ("integration-set-on-human", "alice@acme.example")
    ]
    mad = next(o for o in result["orgWide"] if o["permission"] == "ModifyAllData")
    holders = {h["username"] for h in mad["holders"]}
    assert {"legacy@acme.example", "admin@leastforce.emulator"} <= holders
    authors = next(o for o in result["orgWide"] if o["permission"] == "ManageUsers")
    assert "bot@acme.example" in {h["username"] for h in authors["holders"]}
    page = html.read_text()
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_fail_on_not_reached_exits_zero_and_text_output(problem_org, emulator, monkeypatch, capsys):
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    code, out = run_cli(["audit", "--org", emulator.instance_url], capsys)
    assert code == 0
    assert (
        "legacy@acme.example" in out
        and "[critical] Integration user on the System Administrator profile" in out
    )
    assert "- permission set group Ops_Group (via permission set Danger_Set)" in out


def test_since_shows_what_changed(emulator, run, tmp_path):
    admin = Admin.of(emulator)
    user = upflow_user(admin, emulator)
    saved = tmp_path / "before.sqlite"
    code, _ = run("snapshot", "-o", str(saved))
    assert code == 0
    admin.assign(
        user, set_id=admin.permission_set("Later", permissions=["ViewSetup"], objects={"Case": "read"})
    )
    code, body = run("audit", "--manifest", UPFLOW, "--user", "upflow@acme.example", "--since", str(saved))
    assert code == 0
    (change,) = [d for d in body["result"]["drift"] if d["username"] == "upflow@acme.example"]
    assert change["newAssignments"] == ["Later"]
    assert "ViewSetup" in change["gainedPermissions"]
    assert change["gainedObjects"] == [{"object": "Case", "rights": ["read"]}]
    assert change["lostPermissions"] == []


def test_offline_snapshot_and_bad_input(emulator, run, tmp_path):
    upflow_user(Admin.of(emulator), emulator)
    saved = tmp_path / "org.sqlite"
    assert run("snapshot", "-o", str(saved))[0] == 0
    code, body = run("audit", "--org", f"snapshot:{saved}")
    assert code == 0 and body["result"]["summary"]["integrationUsers"] >= 1
    code, body = run("audit", "--org", f"snapshot:{saved}", "--manifest", UPFLOW)
    assert code == 2 and "--user" in body["message"]
    code, body = run("audit", "--org", f"snapshot:{saved}", "--manifest", UPFLOW, "--user", "nobody@x.y")
    assert code == 2


def test_sarif_log_is_valid_and_keeps_the_exit_code(problem_org, org_env, capsys, monkeypatch, tmp_path):
    from support.sarif import assert_valid_sarif

    monkeypatch.chdir(ROOT)  # the manifest's URI is relative to the working directory
    args = [
        "audit",
        "--manifest",
        "examples/upflow.yaml",
        "--user",
        "upflow@acme.example",
        "--fail-on",
        "high",
    ]
    code, out = run_cli([*args, "--format", "sarif"], capsys)
    assert code == 1
    assert out.isascii()  # every non-ASCII character of org text is escaped in the JSON
    log = json.loads(out)
    assert_valid_sarif(log)
    (run,) = log["runs"]
    results = {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r
        for r in run["results"]
    }
    legacy = results[("system-administrator-profile", "legacy@acme.example")]
    assert legacy["level"] == "error"
    assert legacy["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": org_env.instance_url}
    upflow = results[("undeclared-object-access", "upflow@acme.example")]
    assert upflow["level"] == "warning" and "Opportunity: read" in upflow["message"]["text"]
    assert upflow["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "examples/upflow.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert ("integration-set-on-human", "alice@acme.example") in results
    bot = results[("critical-permission", "bot@acme.example")]
    assert bot["message"]["text"] == (
        "bot@acme.example: Holds a critical permission the integration does not declare: ManageUsers "
        "(granted by permission set group Ops_Group (via permission set Danger_Set))"
    )
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["critical-permission"]["properties"]["security-severity"] == "9.0"

    target = tmp_path / "audit.sarif"
    code, out = run_cli([*args, "--format", "sarif", "-o", str(target)], capsys)
    assert code == 1 and "[critical]" in out and f"SARIF log: {target}" in out
    assert_valid_sarif(json.loads(target.read_text(encoding="utf-8")))


def test_mfa_evidence_says_how_the_user_logged_in_live_and_from_a_snapshot(emulator, run, tmp_path, capsys):
    """LoginHistory read live, saved in the snapshot file, and the same evidence offline; org text in it
    (an application name) goes through the sanitiser."""
    admin = Admin.of(emulator)
    legacy = admin.user("legacy@acme.example", "System Administrator")
    token(emulator, legacy, "Old ETL")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    base = {"UserId": legacy, "LoginTime": now, "Status": "Success"}
    emulator.store.bulk_insert(
        "LoginHistory",
        [
            base | {"LoginType": "Remote Access 2.0", "Application": "Old ETL\x1b[31m", "Browser": "Unknown"},
            base | {"LoginType": "Application", "Application": "Browser", "Browser": "Firefox 127"},
            base | {"LoginType": "Application", "Application": "Browser", "Browser": "Firefox 127"},
            base | {"LoginType": "Application", "Status": "Invalid Password", "Browser": "Firefox 127"},
        ],
    )
    code, body = run("audit")
    assert code == 0
    (live,) = [f for f in _user(body, "legacy@acme.example")["findings"] if f["rule"] == "mfa-blocked"]
    line = "logins in the last 30 days: 2 UI (Application), 1 OAuth (Old ETL\x1b[31m, headless)"
    assert line in live["evidence"]
    saved = tmp_path / "org.sqlite"
    assert run("snapshot", "-o", str(saved))[0] == 0
    code, body = run("audit", "--org", f"snapshot:{saved}")
    (offline,) = [f for f in _user(body, "legacy@acme.example")["findings"] if f["rule"] == "mfa-blocked"]
    assert offline["evidence"] == live["evidence"]
    code, out = run_cli(["audit", "--org", f"snapshot:{saved}"], capsys)
    assert "2 UI (Application), 1 OAuth (Old ETL" in out and "\x1b" not in out


def _user(body: dict[str, Any], username: str) -> dict[str, Any]:
    return next(u for u in body["result"]["users"] if u["username"] == username)


def test_audit_csv_on_stdout_redacts_registered_secrets(
    org_env: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`audit --format csv` without -o prints the holders: a registered secret in an org's name (here a
    permission set named like the password in SF_PASSWORD) is redacted there, as in the file -o writes."""
    secret = "Leaky_" + "k3y" * 6
    monkeypatch.setenv("SF_PASSWORD", secret)
    admin = Admin.of(org_env)
    user = admin.user("holder@acme.example", "Standard User")
    admin.assign(user, set_id=admin.permission_set(secret, permissions=["ModifyAllData"]))
    code, out = run_cli(["audit", "--format", "csv"], capsys)
    assert code in (0, 1)
    assert out.startswith("username,right,tier,active,path")
    assert secret not in out
    assert any(
        line.startswith("holder@acme.example,ModifyAllData,") and "[REDACTED]" in line
        for line in out.splitlines()
    )
