"""An admin-approved app end to end on the local org (examples/elements.yaml): installed and set as the
manifest's ``app:`` asks, apply then verify pass; take the pre-authorisation away and verify fails with the
exact Setup fix; set Permitted Users back to "All users may self-authorize" and verify names the policy."""

from __future__ import annotations

import json
from typing import Any

from leastforce.catalog import load_catalog
from leastforce.manifest import load_manifest
from support.cli import run_cli
from support.paths import ROOT
from support.plan import install_declared

USER = "integration@apps.example"
PATH = str(ROOT / "examples" / "elements.yaml")
APP = "Elements Sync"


def _verify(capsys: Any) -> tuple[int, dict[str, Any]]:
    code, out = run_cli(["verify", PATH, "--user", USER, "--json"], capsys)
    return code, json.loads(out)["result"]


def _applied(org_env: Any, capsys: Any) -> None:
    install_declared(org_env.store, load_manifest(PATH, load_catalog()).manifest)
    code, _ = run_cli(["apply", PATH, "--user", USER, "--yes"], capsys)
    assert code == 0


def test_apply_then_verify_pass_with_the_app_pre_authorised(org_env: Any, capsys: Any) -> None:
    _applied(org_env, capsys)
    code, result = _verify(capsys)
    assert code == 0, result
    policies = {p["kind"]: p["status"] for p in result["prerequisites"] if APP in p["prerequisite"]}
    # Permitted Users is read from ConnectedApplication; IP relaxation and the refresh token policy are not
    assert policies == {
        "app_permitted_users": "passed",
        "app_ip_relaxation": "not_checked",
        "app_refresh_token": "not_checked",
    }


def test_verify_fails_with_the_fix_when_the_pre_authorisation_is_removed(org_env: Any, capsys: Any) -> None:
    _applied(org_env, capsys)
    with org_env.store.system() as txn:
        (app,) = txn.find("ConnectedApplication", Name=APP)
        for row in txn.find("SetupEntityAccess", SetupEntityId=app["Id"]):
            txn.delete("SetupEntityAccess", row["Id"])
    code, result = _verify(capsys)
    assert code == 1
    failed = [r for f in result["features"] for r in f["requirements"] if not r["passed"]]
    assert [r["fix"] for r in failed] == [
        "In Setup > Permission Sets > System - Elements Sync > Assigned Connected Apps, click Edit, add"
        " Elements Sync and save."
    ]


def test_verify_names_the_permitted_users_policy_when_it_differs(org_env: Any, capsys: Any) -> None:
    _applied(org_env, capsys)
    org_env.store.set_app_admin_approved(APP, False)
    code, result = _verify(capsys)
    assert code == 1
    (policy,) = [p for p in result["prerequisites"] if p["status"] == "missing"]
    assert policy["kind"] == "app_permitted_users"
    assert policy["found"] == 'Permitted Users is "All users may self-authorize"'
    assert policy["fix"].startswith("Setup > App Manager > Elements Sync > Manage > Edit Policies")
