"""Setup entity access (Apex classes, custom permissions, connected apps) through plan, apply and verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leastforce.emulator.store.txn import Caller
from support.org_setup import Admin

MANIFEST = """\
manifest: 1
integration: Acme Connector
summary: Acme calls its Apex REST service through its connected app.
user:
  license: Salesforce
  profile: Minimum Access - Salesforce
permission_sets:
  - {name: Acme_Connector, label: Acme Connector}
features:
  sync:
    summary: Call Acme's Apex REST service
    requires:
      - permission: ApiEnabled
        why: Acme uses the REST API
      - apex_class: AcmeRestService
        why: the Apex REST endpoint Acme calls
      - custom_permission: Acme_Sync_Enabled
        why: Acme's Apex checks this custom permission before syncing
      - connected_app: Acme Connector
        why: pre-authorises the user for Acme's connected app (admin-approved users)
"""
USER = "acme-connector@acme.example"


@pytest.fixture
def org(org_env: Any) -> Any:
    """An org with Acme's package installed: the Apex classes, the custom permission, the connected app."""
    store, system = org_env.store, Caller(org_env.store.admin_user_id, system=True)
    for name in ("AcmeRestService", "AcmeHelper"):
        apex = {"Name": name, "ApiVersion": 64.0, "Status": "Active", "LengthWithoutComments": 100}
        store.create("ApexClass", apex, caller=system)
    # custom permissions are deployed metadata (no DML): the fixture writes the row directly
    store.bulk_insert(
        "CustomPermission", [{"DeveloperName": "Acme_Sync_Enabled", "MasterLabel": "Acme Sync Enabled"}]
    )
    store.add_connected_app("Acme Connector")
    return org_env


@pytest.fixture
def manifest(tmp_path: Path) -> str:
    path = tmp_path / "acme.yaml"
    path.write_text(MANIFEST)
    return str(path)


def test_apply_grants_setup_entity_access_and_verify_passes(org, cli_json, manifest):
    code, body = cli_json("plan", manifest, "--user", USER)
    creates = [c for c in body["result"]["changes"] if c["sobject"] == "SetupEntityAccess"]
    assert len(creates) == 3, body["result"]["changes"]
    code, body = cli_json("apply", manifest, "--user", USER, "--yes")
    assert code == 0, body
    code, body = cli_json("verify", manifest, "--user", USER)
    assert code == 0, body
    names = [r["satisfiedBy"][0]["name"] for r in body["result"]["features"][0]["requirements"]]
    assert names == ["Acme_Connector"] * 4
    code, body = cli_json("plan", manifest, "--user", USER, "--detailed-exitcode")
    assert code == 0, body


def test_drift_in_setup_entity_access_is_removed(org, cli_json, manifest):
    assert cli_json("apply", manifest, "--user", USER, "--yes")[0] == 0
    admin = Admin.of(org)
    set_id = admin.id_of("SELECT Id FROM PermissionSet WHERE Name = 'Acme_Connector'")
    helper = admin.id_of("SELECT Id FROM ApexClass WHERE Name = 'AcmeHelper'")
    admin.create("SetupEntityAccess", ParentId=set_id, SetupEntityId=helper)
    code, body = cli_json("plan", manifest, "--user", USER, "--detailed-exitcode")
    assert code == 2
    [removal] = [c for c in body["result"]["changes"] if c["sobject"] == "SetupEntityAccess"]
    assert removal["action"] == "delete"
    assert cli_json("apply", manifest, "--user", USER, "--yes")[0] == 0
    rows = admin.client.query(f"SELECT SetupEntityId FROM SetupEntityAccess WHERE ParentId = '{set_id}'")
    assert helper not in {r["SetupEntityId"] for r in rows}


def test_missing_apex_class_blocks_before_any_write(org_env, cli_json, manifest):
    before = org_env.request_count()
    code, body = cli_json("plan", manifest, "--user", USER, "--detailed-exitcode")
    assert code == 1
    assert "AcmeRestService" in str(body)
    assert org_env.request_count() - before < 15
