"""Each example manifest applied to a fresh emulated org: verify passes, the re-plan is empty, and a
second apply changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.verify.check import verify
from leastforce.org.apply.run import PlanBlocked, apply
from leastforce.org.read.one_user import read_user
from leastforce.org.read.scope import read_scope
from leastforce.planning.changes import FindingKind
from support.plan import (
    USERNAME,
    client_for,
    desired_for,
    install_packages,
    org_state,
    plan_and_apply,
    plan_for,
)


def _verify(client: Any, manifest: Any, desired: Any, **options: Any) -> Any:
    catalog = load_catalog()
    snapshot = read_user(client, USERNAME, read_scope(manifest, catalog))  # as verify reads it
    access = effective_access(snapshot, USERNAME, catalog=catalog, now=datetime.now(UTC))
    return verify(manifest, access, catalog, desired=desired, **options)


@pytest.mark.parametrize(
    "example", ["upflow", "analytics-platform", "elements", "eventspark-flock", "ticketing"]
)
def test_example_applies_verifies_and_replans_empty(emulator: Any, example: str) -> None:
    client = client_for(emulator)
    install_packages(emulator, example)
    manifest, desired = desired_for(example)
    result = plan_and_apply(client, desired)

    assert result.entries
    assert _verify(client, manifest, desired).passed
    assert plan_for(client, desired).in_sync
    before = org_state(emulator.store)
    again = plan_and_apply(client, desired)
    assert again.entries == ()
    assert org_state(emulator.store) == before


def test_upflow_with_optional_export_adds_edit_on_account(emulator: Any) -> None:
    client = client_for(emulator)
    manifest, desired = desired_for("upflow")
    plan_and_apply(client, desired)
    _, with_export = desired_for("upflow", with_optional=True)

    changes = plan_for(client, with_export)

    assert [(c.sobject, c.action.value) for c in changes.changes] == [("ObjectPermissions", "update")]
    assert "grant Edit" in changes.changes[0].setup
    apply(changes, client)
    assert _verify(client, manifest, with_export, with_optional=True).passed
    assert plan_for(client, with_export).in_sync


def test_a_missing_package_set_blocks_apply_and_nothing_changes(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("elements")  # its "Elements Admins" package is not installed here
    before = org_state(emulator.store)

    changes = plan_for(client, desired)

    # the package's connected app (examples/elements.yaml app:) is missing with it
    assert sorted(f.subject for f in changes.blockers) == ["Elements", "Elements Admins", "Elements Sync"]
    (package,) = [f for f in changes.blockers if f.subject == "Elements"]
    assert "install it from https://appexchange.salesforce.com/ first" in package.message
    assert all(f.kind is FindingKind.BLOCKER for f in changes.blockers)
    with pytest.raises(PlanBlocked, match="install its package first"):
        apply(changes, client)
    assert org_state(emulator.store) == before


def test_plan_reads_the_org_in_eight_calls(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    plan_for(client, desired)
    assert client.calls == 8


def test_upflow_apply_takes_one_call_per_step(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    result = plan_and_apply(client, desired)
    # profile (+ reading its own set), set, its two rows in one collection, user, license, assignment
    assert [e.change.sobject for e in result.entries] == [
        "Profile",
        "PermissionSet",
        "ObjectPermissions",
        "ObjectPermissions",
        "User",
        "PermissionSetLicenseAssign",
        "PermissionSetAssignment",
    ]
    assert result.calls == 7
