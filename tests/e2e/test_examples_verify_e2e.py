"""Each example manifest verifies against an org set up by hand through REST (as an admin following the
guide would, not through leastforce's apply), and fails with the right fix when one permission is taken away."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leastforce.catalog import load_catalog
from leastforce.desired import DesiredSetup, desired_setup
from leastforce.manifest import Manifest, load_manifest
from leastforce.values.model import PermissionSet
from leastforce.values.requirements import PermissionReq, walk
from support.cli import run_cli
from support.org_setup import Admin
from support.paths import ROOT
from support.plan import install_declared

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
USERNAME = "integration@acme.example"


def set_up_by_hand(admin: Admin, setup: DesiredSetup) -> str:
    """Profile (clone), package sets, managed sets with their rows, the user, PSLs, then assignments."""
    profile = setup.user.profile or "Minimum Access - Salesforce"
    if setup.profile is not None:
        base = admin.client.query(
            f"SELECT Id, UserLicenseId FROM Profile WHERE Name = '{setup.profile.based_on}'"
        )[0]
        perms = {f"Permissions{p}": True for p in setup.profile.permission_set.user_permissions}
        admin.create("Profile", Name=setup.profile.name, UserLicenseId=base["UserLicenseId"], **perms)
        profile = setup.profile.name
    for name in setup.package_permission_sets:
        if admin.client.query(f"SELECT Id FROM PermissionSet WHERE Label = '{name}'"):
            continue  # installed with its managed package
        admin.permission_set(name.replace(" ", "_"), description="from the vendor's managed package")
        admin.update(
            "PermissionSet",
            admin.id_of(f"SELECT Id FROM PermissionSet WHERE Name = '{name.replace(' ', '_')}'"),
            Label=name,
        )
    set_ids = {ps.name: _create_set(admin, ps) for ps in setup.permission_sets}
    user_id = admin.user(USERNAME, profile)
    for psl in setup.user.permission_set_licenses:
        admin.assign_psl(user_id, psl)
    for name in setup.assignments:
        set_id = set_ids.get(name) or admin.id_of(
            f"SELECT Id FROM PermissionSet WHERE Name = '{name.replace(' ', '_')}' OR Label = '{name}'"
        )
        admin.assign(user_id, set_id=set_id)
    return user_id


def _create_set(admin: Admin, ps: PermissionSet) -> str:
    license_id = admin.psl_id(ps.license) if ps.license else None
    set_id = admin.permission_set(ps.name, license_id=license_id)
    admin.grant_objects(set_id, {obj: ",".join(r.key for r in rights) for obj, rights in ps.objects.items()})
    admin.grant_fields(
        set_id, {field: ",".join(r.key for r in rights) for field, rights in ps.fields.items()}
    )
    # object rows first: some permissions depend on object access (Edit Case Comments needs Edit on Case)
    admin.update(
        "PermissionSet",
        set_id,
        Label=ps.label or ps.name,
        **{f"Permissions{p}": True for p in ps.user_permissions},
    )
    for entity in ps.setup_entities:  # Assigned Connected Apps (and the other setup entities), by name
        entity_id = admin.id_of(f"SELECT Id FROM {entity.type.value} WHERE Name = '{entity.name}'")
        admin.create("SetupEntityAccess", ParentId=set_id, SetupEntityId=entity_id)
    return set_id


def verify_json(manifest: Path, capsys: Any) -> tuple[int, dict[str, Any]]:
    code, out = run_cli(["verify", str(manifest), "--user", USERNAME, "--with-optional", "--json"], capsys)
    return code, json.loads(out)


def _take_one_away(admin: Admin, manifest: Manifest, setup: DesiredSetup) -> str:
    """Remove one right the manifest asks for by name: a user permission nothing else in its set depends
    on, else an object's row (and its field rows). Returns the API name of what was taken away."""
    catalog = load_catalog()
    asked = {a.name for f in manifest.features for a in walk(f.requires) if isinstance(a, PermissionReq)}
    if setup.profile is not None:  # a right the profile also grants would survive: take another
        asked -= set(setup.profile.permission_set.user_permissions)
    for ps in setup.permission_sets:
        set_id = admin.id_of(f"SELECT Id FROM PermissionSet WHERE Name = '{ps.name}'")
        needed = {d for p in ps.user_permissions for d in catalog.required_permissions(p)}
        for perm in sorted((ps.user_permissions & asked) - needed):
            admin.update("PermissionSet", set_id, **{f"Permissions{perm}": False})
            return perm
        for obj in sorted(ps.objects):
            for row in admin.client.query(
                f"SELECT Id FROM FieldPermissions WHERE ParentId = '{set_id}' AND SobjectType = '{obj}'"
            ):
                admin.delete("FieldPermissions", row["Id"])
            admin.delete(
                "ObjectPermissions",
                admin.id_of(
                    f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{set_id}' AND SobjectType = '{obj}'"
                ),
            )
            return obj
    raise AssertionError("nothing to take away")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_set_up_by_hand_verifies_then_fails_with_the_fix(path, org_env, capsys):
    emulator = org_env
    catalog = load_catalog()
    manifest = load_manifest(path, catalog).manifest
    setup = desired_setup(manifest, catalog, with_optional=True)
    admin = Admin.of(emulator)
    install_declared(emulator.store, manifest)  # the admin installs the vendor's package first
    set_up_by_hand(admin, setup)

    code, body = verify_json(path, capsys)
    failed = [r for f in body["result"]["features"] for r in f["requirements"] if not r["passed"]]
    failed += [r for r in body["result"]["userChecks"] if not r["passed"]]
    assert code == 0, json.dumps(failed, indent=1)
    assert body["result"]["apiCalls"] <= 6 + (1 if manifest.packages else 0)  # + InstalledSubscriberPackage

    taken = _take_one_away(admin, manifest, setup)
    code, body = verify_json(path, capsys)
    assert code == 1
    missing = [r for f in body["result"]["features"] for r in f["requirements"] if not r["passed"]]
    assert missing, body
    assert any(taken in json.dumps(r) for r in missing), (taken, missing)
    assert all(r["fix"] for r in missing)
