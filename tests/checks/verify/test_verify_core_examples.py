"""End to end on the bundled catalog and example manifests: an org set up exactly as desired_setup says
passes verify; taking one right away fails with a fix that names the set it belongs in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from leastforce.access.resolve import effective_access
from leastforce.catalog.loader import load_catalog
from leastforce.checks.explain.paths import explain
from leastforce.checks.verify.check import Status, verify
from leastforce.desired.setup import desired_setup
from leastforce.desired.types import DesiredSetup
from leastforce.manifest.loader import load_manifest
from leastforce.manifest.model import Manifest
from support.factories import MIN_ACCESS, OrgBuilder
from support.paths import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
USER = "integration@example.com"


def org_as_desired(desired: DesiredSetup) -> OrgBuilder:
    """An org where the integration user has exactly the desired setup."""
    catalog = load_catalog()
    license = desired.user.licenses[0] if desired.user.licenses else "Salesforce"
    builder = OrgBuilder()
    profile = MIN_ACCESS
    if desired.profile is not None:
        profile = desired.profile.name
        ps = desired.profile.permission_set
        builder.profile(profile, perms=ps.user_permissions, objects=ps.objects, license=license)
    elif desired.user.profile:
        profile = desired.user.profile
        std = catalog.find_profile(profile)
        builder.profile(
            profile,
            perms=std.user_permissions if std else (),
            objects=std.objects if std else None,
            license=license,
        )
    builder.user(USER, profile=profile, license=license)
    for name in desired.user.permission_set_licenses:
        builder.psl(USER, name)
    for ps in desired.permission_sets:
        builder.add_permission_set(ps).assign(USER, ps.name)
    for name in desired.package_permission_sets:
        builder.permission_set(name.replace(" ", "_"), label=name, namespace="pkg").assign(USER, name)
    return builder


def setup_of(path: Path) -> tuple[Manifest, DesiredSetup]:
    manifest = load_manifest(path, load_catalog()).manifest
    return manifest, desired_setup(manifest, load_catalog(), with_optional=True)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_org_set_up_as_desired_passes_verify(path: Path) -> None:
    manifest, desired = setup_of(path)
    access = effective_access(org_as_desired(desired).build(), USER, catalog=load_catalog())
    result = verify(manifest, access, load_catalog(), with_optional=True, desired=desired)
    failures = [r for f in result.features for r in f.requirements if not r.passed] + [
        r for r in result.user_checks if not r.passed
    ]
    assert result.passed, [r.fix for r in failures]
    assert all(r.status is Status.PASSED for r in result.user_checks)
    assert access.license_conflicts == ()


def test_upflow_without_view_all_fields_on_contact_fails_with_the_exact_fix() -> None:
    manifest, desired = setup_of(ROOT / "examples" / "upflow.yaml")
    [ps] = desired.permission_sets
    objects = dict(ps.objects)
    objects["Contact"] = objects["Contact"] - {
        next(r for r in objects["Contact"] if r.key == "view_all_fields")
    }
    desired = replace(desired, permission_sets=(ps.with_changes(objects=objects),))
    access = effective_access(org_as_desired(desired).build(), USER, catalog=load_catalog())
    result = verify(manifest, access, load_catalog())
    [sync] = [f for f in result.features if f.name == "sync"]
    [missing] = [r for r in sync.requirements if not r.passed]
    assert missing.fix == (
        "In Setup > Permission Sets > Upflow Permissions > Object Settings > Contacts, click Edit,"
        " check View All Fields, and save."
    )
    why = explain(access, "Contact.Email", load_catalog())
    assert not why.granted


def test_upflow_missing_psl_and_expired_assignment() -> None:
    from datetime import timedelta

    from support.factories import NOW

    manifest, desired = setup_of(ROOT / "examples" / "upflow.yaml")
    builder = org_as_desired(desired)
    builder._psls.clear()
    builder._assign = [(u, s, NOW - timedelta(days=1)) for u, s, _ in builder._assign]
    access = effective_access(builder.build(), USER, catalog=load_catalog())
    result = verify(manifest, access, load_catalog())
    assert not result.passed
    psl = next(r for r in result.user_checks if r.status is Status.MISSING)
    assert "Permission Set License Assignments" in psl.fix
    account = result.features[0].requirements[1]
    assert account.fix.endswith(
        " (permission set Upflow_Permissions would grant it, but its assignment expired on 2026-11-23:"
        " renew that assignment.)"
    )


@pytest.mark.parametrize("role", ["pusher", "first_authenticator"])
def test_eventspark_roles(role: str) -> None:
    catalog = load_catalog()
    manifest = load_manifest(
        ROOT / "examples" / "eventspark-flock.yaml", catalog
    ).manifest
    desired = desired_setup(manifest, catalog, role=role)
    builder = org_as_desired(desired)
    access = effective_access(builder.build(), USER, catalog=catalog)
    assert verify(manifest, access, catalog, role=role, desired=desired).passed
    # Without the role's own set: the fix names the set desired_setup creates for the role.
    bare = OrgBuilder().user(USER)
    access = effective_access(bare.build(), USER, catalog=catalog)
    result = verify(manifest, access, catalog, role=role, desired=desired)
    creds = next(r for r in result.role.requirements if r.requirement.why and "Credentials" in r.fix)
    label = desired.permission_sets[0].label
    assert creds.fix.startswith(
        f"In Setup > Permission Sets > {label} > System Permissions, click Edit, check"
    )
    assert creds.fix.endswith(
        f"Then assign the set: Setup > Permission Sets > {label} > Manage Assignments > Add Assignment, select {USER}."
    )
