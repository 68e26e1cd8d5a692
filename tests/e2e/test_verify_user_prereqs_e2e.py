"""Issue 12 items 3 and 4 end to end: tri-state user keys and org prerequisites, on orgs built through REST."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from support.cli import run_cli
from support.org_setup import Admin

USER = "oauth@vendor.example"


def _manifest(tmp_path: Path, user: str, prerequisites: str = "") -> str:
    text = textwrap.dedent(
        """\
        manifest: 1
        integration: Vendor OAuth
        summary: The vendor logs in interactively through OAuth.
        user:
        {user}
        features:
          sync:
            summary: Read accounts
            requires:
              - permission: ApiEnabled
                why: all access is through the REST API
        {prerequisites}
        """
    ).format(user=textwrap.indent(user, "  "), prerequisites=prerequisites)
    path = tmp_path / "vendor.yaml"
    path.write_text(text)
    return str(path)


@pytest.fixture
def admin(emulator: Any) -> Admin:
    return Admin.of(emulator)


def _user_with(admin: Admin, permissions: list[str]) -> str:
    user = admin.user(USER, "Minimum Access - Salesforce")
    admin.assign(user, set_id=admin.permission_set("Vendor_Set", permissions=permissions))
    return user


def _check(body: dict[str, Any], text: str) -> dict[str, Any]:
    return next(c for c in body["result"]["userChecks"] if text in c["requirement"])


def test_api_only_false_fails_when_a_permission_set_makes_the_user_api_only(admin, cli_json, tmp_path):
    manifest = _manifest(tmp_path, "api_only: false")
    _user_with(admin, ["ApiEnabled", "ApiUserOnly"])
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 1
    check = _check(body, "must not have permission ApiUserOnly")
    assert check["status"] == "missing"
    assert check["fix"].startswith(
        "In Setup > Permission Sets > Vendor_Set > System Permissions, click Edit, clear"
    )


def test_api_only_false_passes_without_api_only_user(admin, cli_json, tmp_path):
    manifest = _manifest(tmp_path, "api_only: false")
    _user_with(admin, ["ApiEnabled"])
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 0, body


def test_password_never_expires_true_is_verified(admin, cli_json, tmp_path):
    manifest = _manifest(tmp_path, "password_never_expires: true")
    _user_with(admin, ["ApiEnabled"])
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 1
    assert "(PasswordNeverExpires)" in _check(body, "PasswordNeverExpires")["fix"]


def test_password_never_expires_true_passes_with_it(admin, cli_json, tmp_path):
    manifest = _manifest(tmp_path, "password_never_expires: true")
    _user_with(admin, ["ApiEnabled", "PasswordNeverExpires"])
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 0, body


@pytest.mark.parametrize(
    ("editions", "code"), [("[Unlimited, Performance]", 1), ("[Enterprise, Unlimited]", 0)]
)
def test_edition_prerequisite_is_read_from_the_org(admin, cli_json, tmp_path, editions, code):
    prereq = f"prerequisites:\n  - edition: {editions}\n    why: API access needs Enterprise or above\n"
    manifest = _manifest(tmp_path, "api_only: false", prereq)
    _user_with(admin, ["ApiEnabled"])
    got, body = cli_json("verify", manifest, "--user", USER)
    assert got == code, body
    [item] = body["result"]["prerequisites"]
    assert item["found"] == "the org's edition is Enterprise Edition"
    assert item["status"] == ("missing" if code else "passed")


def test_api_capacity_prerequisite_is_read_from_limits(admin, cli_json, tmp_path):
    prereq = "prerequisites:\n  - api_capacity: {min_daily_requests: 999999999}\n    why: full syncs\n"
    manifest = _manifest(tmp_path, "api_only: false", prereq)
    _user_with(admin, ["ApiEnabled"])
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 1
    assert "Buy more API capacity" in body["result"]["prerequisites"][0]["fix"]


def test_manual_prerequisite_is_not_checked_never_passed(admin, cli_json, capsys, tmp_path):
    prereq = textwrap.dedent(
        """\
        prerequisites:
          - org_setting: {name: Lock sessions to the IP address from which they originated, value: false,
                          setup: Setup > Session Settings}
            why: the vendor calls from several IP addresses
        """
    )
    manifest = _manifest(tmp_path, "api_only: false", prereq)
    _user_with(admin, ["ApiEnabled"])
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 0
    [item] = body["result"]["notChecked"]
    assert item["item"].startswith('org setting "Lock sessions to the IP address')
    assert item["steps"].startswith("In Setup > Session Settings, set")
    assert body["result"]["prerequisites"][0]["status"] == "not_checked"
    code, text = run_cli(["verify", manifest, "--user", USER], capsys)
    assert "Not checked (check these by hand; they do not count as passed)" in text
    assert "? org setting" in text
