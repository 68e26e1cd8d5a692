"""verify and explain end to end: orgs built through REST on the emulator, the CLI reading them over HTTPS."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from support.cli import run_cli
from support.org_setup import Admin

MANIFEST = textwrap.dedent(
    """\
    manifest: 1
    integration: Acme Sync
    summary: Acme reads accounts to sync them.
    user:
      license: Salesforce
    permission_sets:
      - {name: Acme_Sync, label: Acme Sync}
    features:
      sync:
        summary: Read accounts
        requires:
          - permission: ApiEnabled
            why: all access is through the REST API
          - object: Account
            access: [read]
            why: Acme imports accounts
          - field: Account.Industry
            access: [read]
            why: Acme segments by industry
      reports:
        summary: Opportunity reporting
        optional: true
        requires:
          - any:
              - permission: ViewAllData
                why: org-wide read
              - object: Opportunity
                access: [read, view_all_records]
                why: scoped read
            why: Acme reports on every opportunity
    """
)
USER = "sync@acme.example"


@pytest.fixture
def manifest(tmp_path: Path) -> str:
    path = tmp_path / "acme.yaml"
    path.write_text(MANIFEST)
    return str(path)


@pytest.fixture
def admin(emulator: Any) -> Admin:
    return Admin.of(emulator)


@pytest.fixture
def run(cli_json: Any) -> Any:
    return cli_json


def _base_user(admin: Admin, profile: str = "Minimum Access - Salesforce") -> str:
    return admin.user(USER, profile)


def _feature(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in body["result"]["features"] if f["name"] == name)


def _good_set(admin: Admin, **overrides: Any) -> str:
    args = {
        "permissions": ["ApiEnabled"],
        "objects": {"Account": "read"},
        "fields": {"Account.Industry": "read"},
    } | overrides
    return admin.permission_set("Acme_Sync", **args)


def test_passes_when_a_permission_set_grants_everything(admin, run, manifest, emulator):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin))
    before = emulator.request_count()
    code, body = run("verify", manifest, "--user", USER)
    assert code == 0, body
    assert body["status"] == 0 and body["result"]["passed"] is True
    assert body["result"]["apiCalls"] <= 6
    assert emulator.request_count() - before <= 6
    req = _feature(body, "sync")["requirements"][1]
    assert req["satisfiedBy"][0]["name"] == "Acme_Sync"


def test_missing_field_names_the_exact_fix(admin, run, manifest):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin, fields={}))
    code, body = run("verify", manifest, "--user", USER)
    assert code == 1 and body["status"] == 1
    failed = [r for r in _feature(body, "sync")["requirements"] if not r["passed"]]
    assert [r["requirement"] for r in failed] == [failed[0]["requirement"]]
    assert "Account.Industry" in failed[0]["requirement"] or "Industry" in failed[0]["fix"]
    assert "Acme Sync" in failed[0]["fix"] or "Acme_Sync" in failed[0]["fix"]


def test_expired_assignment_grants_nothing(admin, run, manifest):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin), expires="2020-01-01T00:00:00.000+0000")
    code, body = run("verify", manifest, "--user", USER)
    assert code == 1
    assert not _feature(body, "sync")["passed"]


def test_future_expiry_still_grants(admin, run, manifest):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin), expires="2099-01-01T00:00:00.000+0000")
    assert run("verify", manifest, "--user", USER)[0] == 0


def test_muting_inside_a_group_removes_the_right(admin, run, manifest):
    user = _base_user(admin)
    group = admin.group("Acme_Group", [_good_set(admin)], muted=["ApiEnabled"])
    admin.assign(user, group_id=group)
    code, body = run("verify", manifest, "--user", USER)
    assert code == 1
    api = _feature(body, "sync")["requirements"][0]
    assert api["passed"] is False and "mut" in (api["fix"] + " ".join(api["missing"])).lower()


def test_muting_never_reaches_outside_its_group(admin, run, manifest):
    user = _base_user(admin)
    group = admin.group("Acme_Group", [_good_set(admin)], muted=["ApiEnabled"])
    admin.assign(user, group_id=group)
    admin.assign(user, set_id=admin.permission_set("Api_Only", permissions=["ApiEnabled"]))
    code, body = run("verify", manifest, "--user", USER)
    assert code == 0, body
    grants = _feature(body, "sync")["requirements"][0]["satisfiedBy"]
    assert [g["name"] for g in grants] == ["Api_Only"]


def test_view_all_data_implies_read_but_not_field_security(admin, run, manifest):
    user = _base_user(admin)
    admin.assign(user, set_id=admin.permission_set("Wide", permissions=["ApiEnabled", "ViewAllData"]))
    code, body = run("verify", manifest, "--user", USER)
    reqs = _feature(body, "sync")["requirements"]
    assert reqs[1]["passed"] is True  # Read on Account through View All Data
    assert reqs[1]["satisfiedBy"][0]["via"] == "ViewAllData"
    assert reqs[2]["passed"] is False  # field permissions are still needed
    assert code == 1


def test_view_all_fields_makes_the_field_readable(admin, run, manifest):
    user = _base_user(admin)
    set_id = _good_set(admin, objects={"Account": "read,view_all_fields"}, fields={})
    admin.assign(user, set_id=set_id)
    code, body = run("verify", manifest, "--user", USER)
    assert code == 0, body


def test_wrong_license_fails_the_user_check(admin, run, manifest):
    admin.user(USER, "Minimum Access - API Only Integrations")
    code, body = run("verify", manifest, "--user", USER)
    assert code == 1
    license_check = next(r for r in body["result"]["userChecks"] if r["kind"] == "license")
    assert license_check["passed"] is False


def test_inactive_user_fails(admin, run, manifest):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin))
    admin.update("User", user, IsActive=False)
    code, body = run("verify", manifest, "--user", USER)
    assert code == 1
    assert any(not r["passed"] for r in body["result"]["userChecks"])


@pytest.mark.parametrize(
    ("grant", "passes"),
    [
        ({"permissions": ["ViewAllData"]}, True),
        ({"objects": {"Opportunity": "read,view_all_records"}}, True),
        ({"objects": {"Opportunity": "read"}}, False),
    ],
)
def test_any_alternatives_each_way(admin, run, manifest, grant, passes):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin))
    admin.assign(user, set_id=admin.permission_set("Reports", **grant))
    code, body = run("verify", manifest, "--user", USER, "--feature", "reports")
    assert _feature(body, "reports")["passed"] is passes
    assert code == (0 if passes else 1)


def test_optional_feature_is_not_checked_unless_asked(admin, run, manifest):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin))
    code, body = run("verify", manifest, "--user", USER)
    assert code == 0
    assert [f["name"] for f in body["result"]["features"]] == ["sync"]


def test_unknown_user_is_bad_input(run, manifest):
    code, body = run("verify", manifest, "--user", "nobody@acme.example")
    assert code == 2 and "nobody@acme.example" in body["message"]


def test_bad_token_is_an_org_error(run, manifest, monkeypatch, capsys):
    monkeypatch.setenv("SF_ACCESS_TOKEN", "00Dbad!token")
    code, out = run_cli(["verify", manifest, "--user", USER, "--json"], capsys)
    assert code == 3
    assert json.loads(out)["data"] == "INVALID_SESSION_ID"
    assert "00Dbad!token" not in out


def test_explain_lists_every_path(admin, run):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin))
    admin.assign(user, set_id=admin.permission_set("Wide", permissions=["ViewAllData"]))
    code, body = run("explain", "Account:read", "--user", USER)
    assert code == 0
    names = {p["source"] if "source" in p else json.dumps(p) for p in body["result"]["paths"]}
    assert any("Acme_Sync" in n for n in names) and any("Wide" in n for n in names)


def test_explain_says_what_would_grant_a_missing_permission(admin, run):
    _base_user(admin)
    code, body = run("explain", "Manage Flow", "--user", USER)
    assert code == 1
    assert body["result"]["granted"] is False
    assert "ManageInteraction" in json.dumps(body["result"])


def test_verify_from_an_offline_snapshot(admin, run, manifest, emulator, tmp_path):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin))
    snap = tmp_path / "org.snapshot"
    code, body = run("snapshot", "-o", str(snap))
    assert code == 0 and body["result"]["users"] >= 2
    before = emulator.request_count()
    code, body = run("verify", manifest, "--user", USER, "--org", f"snapshot:{snap}")
    assert code == 0, body
    assert emulator.request_count() == before  # offline: no API call


APEX_MANIFEST = """\
manifest: 1
integration: Acme Apex
summary: Acme calls its own Apex REST class.
features:
  callout:
    summary: Call the Acme REST class
    requires:
      - apex_class: AcmeRestService
        why: Acme's sync calls this Apex REST endpoint
"""


def test_apex_class_access_is_checked_by_name(admin, run, emulator, tmp_path):
    from leastforce.emulator.store.txn import Caller

    manifest = tmp_path / "apex.yaml"
    manifest.write_text(APEX_MANIFEST)
    user = _base_user(admin)
    # Apex classes are deployed, not created through REST: put one in the org directly.
    class_id = emulator.store.create(
        "ApexClass",
        {"Name": "AcmeRestService", "ApiVersion": 64.0, "Status": "Active", "LengthWithoutComments": 120},
        caller=Caller(emulator.store.admin_user_id, system=True),
    )
    set_id = admin.permission_set("Acme_Apex")
    admin.assign(user, set_id=set_id)
    code, body = run("verify", str(manifest), "--user", USER)
    assert code == 1
    assert "AcmeRestService" in body["result"]["features"][0]["requirements"][0]["fix"]

    admin.create("SetupEntityAccess", ParentId=set_id, SetupEntityId=class_id)  # the type follows the Id
    code, body = run("verify", str(manifest), "--user", USER)
    assert code == 0, body
    assert body["result"]["features"][0]["requirements"][0]["satisfiedBy"][0]["name"] == "Acme_Apex"


def test_profile_only_grants(admin, run, manifest):
    """A custom profile carrying everything: the grants name the profile, no permission set needed."""
    license_id = admin.id_of("SELECT Id FROM UserLicense WHERE Name = 'Salesforce'")
    profile_id = admin.create(
        "Profile", Name="Acme Sync Profile", UserLicenseId=license_id, PermissionsApiEnabled=True
    )
    owned = admin.id_of(
        f"SELECT Id FROM PermissionSet WHERE ProfileId = '{profile_id}' AND IsOwnedByProfile = true"
    )
    admin.grant_objects(owned, {"Account": "read"})
    admin.create(
        "FieldPermissions",
        ParentId=owned,
        SobjectType="Account",
        Field="Account.Industry",
        PermissionsRead=True,
    )
    admin.user(USER, "Acme Sync Profile")
    code, body = run("verify", manifest, "--user", USER)
    assert code == 0, body
    grants = _feature(body, "sync")["requirements"][1]["satisfiedBy"]
    assert [(g["kind"], g["name"]) for g in grants] == [("profile", "Acme Sync Profile")]


MODIFY_ALL = MANIFEST.replace(
    "  - object: Account\n        access: [read]\n",
    "  - object: Account\n        access: [modify_all_records]\n",
)
assert MODIFY_ALL != MANIFEST


def test_modify_all_requires_its_closure(admin, run, tmp_path):
    path = tmp_path / "modify.yaml"
    path.write_text(MODIFY_ALL)
    user = _base_user(admin)
    # Salesforce refuses Modify All without Read, Edit, Delete and View All: the org holds the closure
    admin.assign(
        user,
        set_id=_good_set(admin, objects={"Account": "read,edit,delete,view_all_records,modify_all_records"}),
    )
    code, body = run("verify", str(path), "--user", USER)
    assert code == 0, body
    req = _feature(body, "sync")["requirements"][1]
    assert "Modify All" in req["requirement"]


def test_modify_all_missing_names_every_missing_right(admin, run, tmp_path):
    path = tmp_path / "modify.yaml"
    path.write_text(MODIFY_ALL)
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin, objects={"Account": "read,edit"}))
    code, body = run("verify", str(path), "--user", USER)
    assert code == 1
    req = _feature(body, "sync")["requirements"][1]
    assert not req["passed"]
    assert {"Delete", "View All Records", "Modify All Records"} <= set(
        " ".join(req["missing"]).replace(", ", ",").split(",")
    ) or all(word in req["fix"] for word in ("Delete", "View All", "Modify All"))


PSL_MANIFEST = """\
manifest: 1
integration: Acme API
summary: Acme's API-only integration user.
user:
  license: Salesforce Integration
  permission_set_licenses: [Salesforce API Integration]
features:
  sync:
    summary: API access
    requires:
      - permission: ApiEnabled
        why: all access is through the REST API
"""


def test_missing_permission_set_license_fails_the_user_check(admin, run, tmp_path):
    path = tmp_path / "psl.yaml"
    path.write_text(PSL_MANIFEST)
    admin.user(USER, "Minimum Access - API Only Integrations")
    code, body = run("verify", str(path), "--user", USER)
    assert code == 1
    psl = next(r for r in body["result"]["userChecks"] if r["kind"] == "permission_set_license")
    assert psl["passed"] is False and "Salesforce API Integration" in psl["fix"]


def test_permission_set_license_assigned_passes(admin, run, tmp_path):
    path = tmp_path / "psl.yaml"
    path.write_text(PSL_MANIFEST)
    user = admin.user(USER, "Minimum Access - API Only Integrations")
    admin.assign_psl(user)
    code, body = run("verify", str(path), "--user", USER)
    assert code == 0, body


def test_frozen_user_fails(admin, run, manifest):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin))
    login = admin.id_of(f"SELECT Id FROM UserLogin WHERE UserId = '{user}'")
    admin.update("UserLogin", login, IsFrozen=True)  # Setup > Users > Freeze does this
    code, body = run("verify", manifest, "--user", USER)
    assert code == 1
    frozen = [r for r in body["result"]["userChecks"] if not r["passed"]]
    assert len(frozen) == 1 and "frozen" in frozen[0]["requirement"].lower()


def test_group_without_muting_grants_through_its_set(admin, run, manifest):
    user = _base_user(admin)
    admin.assign(user, group_id=admin.group("Acme_Group", [_good_set(admin)]))
    code, body = run("verify", manifest, "--user", USER)
    assert code == 0, body
    grant = _feature(body, "sync")["requirements"][1]["satisfiedBy"][0]
    assert grant["kind"] == "group" and grant["via"] == "Acme_Sync"


def test_explain_field_names_the_field_permission(admin, run):
    user = _base_user(admin)
    admin.assign(user, set_id=_good_set(admin))
    code, body = run("explain", "Account.Industry", "--user", USER)
    assert code == 0
    assert "Acme_Sync" in json.dumps(body["result"]["paths"])
    code, body = run("explain", "Account.AnnualRevenue", "--user", USER)
    assert code == 1
