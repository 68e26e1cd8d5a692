"""Drift: permissions granted inside a managed set beyond the manifest are planned for removal and removed;
sets leastforce did not create are never changed, only reported; assignments are never taken away."""

from __future__ import annotations

from typing import Any

import pytest

from leastforce.errors import ConflictError
from leastforce.org.apply.run import ApplyError, apply
from leastforce.planning.changes import Action, FindingKind, Step
from support.plan import USERNAME, client_for, desired_for, org_state, plan_and_apply, plan_for


def _set_id(client: Any, name: str) -> str:
    return str(client.query(f"SELECT Id FROM PermissionSet WHERE Name = '{name}'")[0]["Id"])


def test_extra_grants_in_a_managed_set_are_planned_for_removal_and_removed(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    plan_and_apply(client, desired)
    set_id = _set_id(client, "Upflow_Permissions")
    client.request("PATCH", f"sobjects/PermissionSet/{set_id}", json={"PermissionsViewSetup": True})
    client.request(
        "POST",
        "sobjects/ObjectPermissions",
        json={"ParentId": set_id, "SobjectType": "Lead", "PermissionsRead": True},
    )
    account = client.query(
        f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{set_id}' AND SobjectType = 'Account'"
    )
    client.request(
        "PATCH", f"sobjects/ObjectPermissions/{account[0]['Id']}", json={"PermissionsCreate": True}
    )

    changes = plan_for(client, desired)

    summary = {(c.sobject, c.action, c.step) for c in changes.changes}
    assert summary == {
        ("PermissionSet", Action.UPDATE, Step.SET_UPDATE),
        ("ObjectPermissions", Action.DELETE, Step.ROWS_SHRINK),
        ("ObjectPermissions", Action.UPDATE, Step.ROWS_SHRINK),
    }
    texts = "\n".join(c.setup for c in changes.changes)
    assert "disable" in texts and "View Setup" in texts
    assert "Object Settings > Lead: remove Read (not in the manifest)" in texts
    assert "Object Settings > Account: remove Create (not in the manifest)" in texts
    update = next(c for c in changes.changes if c.sobject == "PermissionSet")
    assert dict(update.values) == {"PermissionsViewSetup": False}
    assert dict(update.before) == {"PermissionsViewSetup": True}

    apply(changes, client)

    assert plan_for(client, desired).in_sync
    row = client.request("GET", f"sobjects/PermissionSet/{set_id}")
    assert row["PermissionsViewSetup"] is False
    assert not client.query(
        f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{set_id}' AND SobjectType = 'Lead'"
    )


def test_a_set_leastforce_did_not_create_is_reported_and_never_changed(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("analytics-platform")
    # An admin made a set of that name by hand: no "Managed by leastforce" marker, an extra permission,
    # and Lead/Opportunity access missing.
    created = client.request(
        "POST",
        "sobjects/PermissionSet",
        json={
            "Name": "The_platform_Access_Custom",
            "Label": "Hand made",
            "Description": "made by an admin",
            "PermissionsApiEnabled": True,
            "PermissionsViewAllUsers": True,
            "PermissionsViewSetup": True,
        },
    )
    before = org_state(emulator.store)["PermissionSet"][("The_platform_Access_Custom",)]

    changes = plan_for(client, desired, USERNAME)

    assert not [c for c in changes.changes if c.sobject in ("PermissionSet", "ObjectPermissions")]
    unmanaged = [f for f in changes.findings if f.kind is FindingKind.UNMANAGED]
    assert len(unmanaged) == 1 and "not created by leastforce" in unmanaged[0].message
    assert "Account" in unmanaged[0].message
    apply(changes, client)
    state = org_state(emulator.store)
    assert state["PermissionSet"][("The_platform_Access_Custom",)] == before
    assert not [k for k in state["ObjectPermissions"] if k[0] == "The_platform_Access_Custom"]
    assert (USERNAME, "The_platform_Access_Custom") in state["PermissionSetAssignment"]
    assert created["success"]


def test_assignments_beyond_the_manifest_are_never_removed(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    plan_and_apply(client, desired)
    extra = client.request("POST", "sobjects/PermissionSet", json={"Name": "Other", "Label": "Other"})
    user_id = client.query(f"SELECT Id FROM User WHERE Username = '{USERNAME}'")[0]["Id"]
    client.request(
        "POST",
        "sobjects/PermissionSetAssignment",
        json={"AssigneeId": user_id, "PermissionSetId": extra["id"]},
    )

    assert plan_for(client, desired).in_sync


def _drift(client: Any, set_id: str) -> None:
    client.request("PATCH", f"sobjects/PermissionSet/{set_id}", json={"PermissionsViewSetup": True})
    client.request(
        "POST",
        "sobjects/ObjectPermissions",
        json={"ParentId": set_id, "SobjectType": "Lead", "PermissionsRead": True},
    )


def test_two_applies_of_one_plan_end_converged_and_the_late_one_reverts_nothing(emulator: Any) -> None:
    """Both plan from the same drifted org; the first applies; the second, with its stale plan, is refused
    at its first update (the row no longer holds what it read) and undoes only its own writes."""
    first, second = client_for(emulator), client_for(emulator)
    _, desired = desired_for("upflow")
    plan_and_apply(first, desired)
    set_id = _set_id(first, "Upflow_Permissions")
    _drift(first, set_id)
    early, late = plan_for(first, desired), plan_for(second, desired)
    assert early.changes == late.changes and not early.in_sync

    apply(early, first)
    converged = org_state(emulator.store)
    with pytest.raises(ApplyError) as caught:
        apply(late, second)

    assert isinstance(caught.value.cause, ConflictError)
    assert "changed in the org since plan read it" in str(caught.value) and caught.value.restored
    assert org_state(emulator.store) == converged  # nothing of the first apply was reverted
    assert plan_for(second, desired).in_sync


def test_an_update_between_plan_and_apply_stops_apply_and_is_kept(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    plan_and_apply(client, desired)
    set_id = _set_id(client, "Upflow_Permissions")
    _drift(client, set_id)
    changes = plan_for(client, desired)
    # an admin changes the set again after the plan was read
    client.request("PATCH", f"sobjects/PermissionSet/{set_id}", json={"Description": "edited by hand"})
    client.request("PATCH", f"sobjects/PermissionSet/{set_id}", json={"PermissionsViewSetup": False})
    client.request("PATCH", f"sobjects/PermissionSet/{set_id}", json={"PermissionsViewSetup": True})
    lead = client.query(
        f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{set_id}' AND SobjectType = 'Lead'"
    )
    client.request("PATCH", f"sobjects/ObjectPermissions/{lead[0]['Id']}", json={"PermissionsEdit": True})

    with pytest.raises(ApplyError) as caught:
        apply(changes, client)

    assert isinstance(caught.value.cause, ConflictError)
    row = client.query(f"SELECT PermissionsEdit FROM ObjectPermissions WHERE Id = '{lead[0]['Id']}'")
    assert row and row[0]["PermissionsEdit"] is True  # the admin's change is still there


def test_an_existing_managed_profile_keeps_its_extra_rights_through_plan_and_apply(emulator: Any) -> None:
    """A profile leastforce made gains what the manifest asks and keeps what else it holds (profiles are
    shared: remove_extra=False), so an apply on a drifted org never takes a right from its users."""
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    assert desired.profile is not None
    plan_and_apply(client, desired)
    profile = client.query(f"SELECT Id FROM Profile WHERE Name = '{desired.profile.name}'")[0]["Id"]
    owned = client.query(
        f"SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = true AND ProfileId = '{profile}'"
    )[0]["Id"]
    extra = {"ParentId": owned, "SobjectType": "Account", "Field": "Account.Rating", "PermissionsRead": True}
    client.request("POST", "sobjects/FieldPermissions", json=extra)  # a right beyond the manifest
    before = org_state(emulator.store)

    changes = plan_for(client, desired)

    assert changes.in_sync, [c.setup for c in changes.changes]
    apply(changes, client)
    assert org_state(emulator.store) == before
    assert client.query(
        f"SELECT Id FROM FieldPermissions WHERE ParentId = '{owned}' AND Field = 'Account.Rating'"
    )
