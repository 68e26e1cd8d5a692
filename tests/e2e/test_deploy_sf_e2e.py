"""build -> `sf project deploy start` -> assign -> verify, for every example, against the local org's
Metadata API; then `sf project retrieve start` gets the permission sets back. Skipped without `sf`
(with the reason; CI installs it, .ci/run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leastforce.catalog import load_catalog
from leastforce.desired import DesiredSetup, desired_setup
from leastforce.manifest import load_manifest
from leastforce.org.read.one_user import ENTITY_TABLES
from leastforce.render.sfdx import metadata_gaps
from support.cli import run_cli
from support.org_setup import Admin
from support.paths import ROOT
from support.plan import install_declared
from support.sf_cli import SfCli

pytestmark = pytest.mark.sfcli
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
USERNAME = "integration@acme.example"


def _package_sets(admin: Admin, setup: DesiredSetup) -> None:
    """The vendor's package sets the emulator did not install: made by hand, as the admin would have them."""
    for name in setup.package_permission_sets:
        if not admin.client.query(f"SELECT Id FROM PermissionSet WHERE Label = '{name}'"):
            set_id = admin.permission_set(name.replace(" ", "_"))
            admin.update("PermissionSet", set_id, Label=name)


def _assign(admin: Admin, setup: DesiredSetup) -> None:
    """The user on the deployed profile (or the one the manifest names), its licences and the sets."""
    profile = setup.profile.name if setup.profile else (setup.user.profile or "Minimum Access - Salesforce")
    user_id = admin.user(USERNAME, profile)
    for psl in setup.user.permission_set_licenses:
        admin.assign_psl(user_id, psl)
    for name in setup.assignments:
        set_id = admin.id_of(
            f"SELECT Id FROM PermissionSet WHERE Name = '{name.replace(' ', '_')}' OR Label = '{name}'"
        )
        admin.assign(user_id, set_id=set_id)


def _grant_by_hand(admin: Admin, setup: DesiredSetup) -> None:
    """What build's notes leave to the admin (connected app access: a PermissionSet file cannot carry it,
    and a packaged ConnectedApp cannot be redeployed by the customer): Setup > Assigned Connected Apps."""
    for set_name, entities in metadata_gaps(setup).items():
        set_id = admin.id_of(f"SELECT Id FROM PermissionSet WHERE Name = '{set_name.replace(' ', '_')}'")
        for entity in entities:
            kind, name = entity.split(" ", 1)
            table, field = ENTITY_TABLES[kind]
            entity_id = admin.id_of(f"SELECT Id FROM {table} WHERE {field} = '{name}'")
            admin.create("SetupEntityAccess", ParentId=set_id, SetupEntityId=entity_id)


def _verify(path: Path, capsys: Any) -> tuple[int, list[dict[str, Any]]]:
    code, out = run_cli(["verify", str(path), "--user", USERNAME, "--with-optional", "--json"], capsys)
    body = json.loads(out)
    failed = [r for f in body["result"]["features"] for r in f["requirements"] if not r["passed"]]
    failed += [r for r in body["result"]["userChecks"] if not r["passed"]]
    return code, failed


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_build_deploy_assign_verify(path: Path, org_env: Any, capsys: Any, tmp_path: Path) -> None:
    emulator = org_env
    catalog = load_catalog()
    manifest = load_manifest(path, catalog).manifest
    setup = desired_setup(manifest, catalog, with_optional=True)
    install_declared(emulator.store, manifest)
    admin = Admin.of(emulator)
    _package_sets(admin, setup)
    project = tmp_path / "project"
    code, out = run_cli(["build", str(path), "-o", str(project), "--with-optional", "--json"], capsys)
    assert code == 0
    gaps = metadata_gaps(setup)
    notes = json.loads(out)["result"]["notes"]
    for set_name, entities in gaps.items():  # build tells the admin what the deploy cannot do
        assert any(
            note.startswith(f"{set_name}: grant by hand") and all(e in note for e in entities)
            for note in notes
        )

    sf = SfCli(emulator, tmp_path / "sf-home")
    deployed = sf.run(
        "project", "deploy", "start", "--manifest", "manifest/package.xml", "--target-org", "emu", cwd=project
    )
    assert deployed["result"]["status"] == "Succeeded"
    states = {(f["type"], f["fullName"]): f["state"] for f in deployed["result"]["files"]}
    assert all(state == "Created" for state in states.values()), states
    deployed_sets = {name for kind, name in states if kind == "PermissionSet"}
    assert {ps.name for ps in setup.permission_sets} <= deployed_sets  # (+ sets of other roles)

    _assign(admin, setup)
    if gaps:  # deployed but the hand step not done: verify must not pass
        code, failed = _verify(path, capsys)
        assert code == 1
        assert {r["kind"] for r in failed} == {"setup_entity"}, failed
        _grant_by_hand(admin, setup)
    code, failed = _verify(path, capsys)
    assert code == 0, json.dumps(failed, indent=1)


def test_retrieve_gets_the_deployed_set_back(org_env: Any, capsys: Any, tmp_path: Path) -> None:
    project = tmp_path / "project"
    assert run_cli(["build", str(ROOT / "examples" / "upflow.yaml"), "-o", str(project)], capsys)[0] == 0
    sf = SfCli(org_env, tmp_path / "sf-home")
    sf.run(
        "project", "deploy", "start", "--manifest", "manifest/package.xml", "--target-org", "emu", cwd=project
    )
    built = next((project / "force-app/main/default/permissionsets").glob("*.permissionset-meta.xml"))
    original = built.read_text()
    built.unlink()
    name = built.name.removesuffix(".permissionset-meta.xml")
    got = sf.run(
        "project",
        "retrieve",
        "start",
        "--metadata",
        f"PermissionSet:{name}",
        "--target-org",
        "emu",
        cwd=project,
    )
    assert [f["state"] for f in got["result"]["files"]] == ["Created"] or got["result"]["files"]
    assert built.read_text() == original  # what build wrote is what the org gives back
