"""Each example in examples/vendors/ (written from a public vendor's Salesforce setup guide) goes through
the whole CLI as a user runs it: validate, build, guide, apply to the emulated org, verify (exit 0); then
one right of a required feature is taken away through REST, as an admin might, and verify must exit 1
with the exact fix."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from leastforce.catalog import load_catalog
from leastforce.desired import desired_setup
from leastforce.manifest import load_manifest
from support.cli import run_cli
from support.org_setup import Admin
from support.paths import ROOT

VENDORS = ROOT / "examples" / "vendors"
USERNAME = "vendor-integration@acme.example"


@dataclass(frozen=True)
class TakeAway:
    """One right to remove from a managed permission set: a user permission (``field`` =
    ``Permissions<name>``) or one object flag (``sobject`` + ``field`` = ``PermissionsViewAllRecords`` ...);
    ``fix`` is the exact text verify must print for it."""

    permission_set: str
    field: str
    fix: str
    sobject: str = ""
    profile: str = ""  # a right the vendor needs on the profile (``from: profile``): taken from that profile


def _in(label: str, rest: str) -> str:
    return f"In Setup > Permission Sets > {label} > {rest}"


def _perm(label: str, perm_label: str, name: str) -> str:
    return _in(label, f'System Permissions, click Edit, check "{perm_label}" ({name}) and save.')


# One right per example, from a required feature, and the fix verify gives for it.
TAKE_AWAY: dict[str, TakeAway] = {
    "6sense-conversational-email": TakeAway(
        "Sixsense_CE_Integration",
        "PermissionsViewPublicReports",
        _perm("6sense CE Integration", "View Reports in Public Folders", "ViewPublicReports"),
    ),
    "airbyte": TakeAway(
        "Airbyte_Read_Access",
        "PermissionsRead",
        _in("Airbyte Read Access", "Object Settings > Opportunities, click Edit, check Read, and save."),
        sobject="Opportunity",
    ),
    "amazon-connect": TakeAway(
        "Amazon_Connect_Integration",
        "PermissionsDelete",
        _in("Amazon Connect Integration", "Object Settings > Cases, click Edit, check Delete, and save."),
        sobject="Case",
    ),
    "docusign-admin": TakeAway(
        "",
        "PermissionsManageUsers",
        'In Setup > Profiles > DocuSign Package Administrator > System Permissions, click Edit, check "Manage Users"'
        " (ManageUsers) and save.",
        profile="DocuSign Package Administrator",
    ),
    "dropbox-sign": TakeAway(
        "Dropbox_Sign_Connected_User",
        "PermissionsApexRestServices",
        _perm("Dropbox Sign Connected User", "Apex REST Services", "ApexRestServices"),
    ),
    "fivetran": TakeAway(
        "Fivetran_Read",
        "PermissionsCanApproveUninstalledApps",
        _perm("Fivetran Read", "Approve Uninstalled Connected Apps", "CanApproveUninstalledApps"),
    ),
    "gong": TakeAway(
        "Gong_Integration",
        "PermissionsViewAllRecords",
        _in(
            "Gong Integration",
            "Object Settings > Opportunities, click Edit, check View All Records, and save.",
        ),
        sobject="Opportunity",
    ),
    "hubspot": TakeAway(
        "HubSpot_Sync",
        "PermissionsModifyAllRecords",
        _in("HubSpot Sync", "Object Settings > Contacts, click Edit, check Modify All Records, and save."),
        sobject="Contact",
    ),
    "unify": TakeAway(
        "Unify_Integration", "PermissionsEditTask", _perm("Unify Integration", "Edit Tasks", "EditTask")
    ),
    "zendesk": TakeAway(
        "Zendesk_Integration",
        "PermissionsModifyMetadata",
        _perm("Zendesk Integration", "Modify Metadata Through Metadata API Functions", "ModifyMetadata"),
    ),
}


def _cli(capsys: Any, *args: str) -> tuple[int, str]:
    return run_cli(list(args), capsys)


def _verify(path: Path, capsys: Any) -> tuple[int, list[dict[str, Any]]]:
    code, out = _cli(capsys, "verify", str(path), "--user", USERNAME, "--with-optional", "--json")
    body = json.loads(out)["result"]
    failed = [r for f in body["features"] for r in f["requirements"] if not r["passed"]]
    failed += [r for r in body["userChecks"] if not r["passed"]]
    return code, failed


def _add_package_sets(admin: Admin, path: Path) -> None:
    """A package install would have created the vendor's own permission sets: create them empty."""
    catalog = load_catalog()
    setup = desired_setup(load_manifest(path, catalog).manifest, catalog, with_optional=True)
    for label in setup.package_permission_sets:
        admin.create("PermissionSet", Name=label.replace(" ", "_"), Label=label)


def _take_away(admin: Admin, right: TakeAway) -> None:
    if right.profile:
        profile_id = admin.id_of(f"SELECT Id FROM Profile WHERE Name = '{right.profile}'")
        admin.update("Profile", profile_id, **{right.field: False})
        return
    set_id = admin.id_of(f"SELECT Id FROM PermissionSet WHERE Name = '{right.permission_set}'")
    if not right.sobject:
        admin.update("PermissionSet", set_id, **{right.field: False})
        return
    row = admin.id_of(
        f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{set_id}' AND SobjectType = '{right.sobject}'"
    )
    admin.update("ObjectPermissions", row, **{right.field: False})


def test_every_vendor_example_has_a_right_to_take_away() -> None:
    assert sorted(p.stem for p in VENDORS.glob("*.yaml")) == sorted(TAKE_AWAY)


@pytest.mark.parametrize("name", sorted(TAKE_AWAY))
def test_vendor_example_end_to_end(name: str, org_env: Any, capsys: Any, tmp_path: Path) -> None:
    path = VENDORS / f"{name}.yaml"
    assert _cli(capsys, "validate", str(path))[0] == 0
    code, out = _cli(capsys, "build", str(path), "-o", str(tmp_path / "build"), "--with-optional")
    assert code == 0, out
    assert list((tmp_path / "build").rglob("*.permissionset-meta.xml"))
    code, guide = _cli(capsys, "guide", str(path))
    assert code == 0 and "## " in guide
    admin = Admin.of(org_env)
    _add_package_sets(admin, path)

    code, out = _cli(capsys, "apply", str(path), "--user", USERNAME, "--with-optional", "--yes", "--json")
    assert code == 0, out
    code, failed = _verify(path, capsys)
    assert code == 0, json.dumps(failed, indent=1)

    right = TAKE_AWAY[name]
    _take_away(admin, right)
    code, failed = _verify(path, capsys)
    assert code == 1
    assert [r["fix"] for r in failed] == [right.fix]
