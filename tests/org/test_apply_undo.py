"""What apply does when a step fails: undo to the state before, or say exactly what stays; then converge."""

from __future__ import annotations

from typing import Any

import pytest

from leastforce.errors import RequestLimitError, TransientOrgError, WriteError
from leastforce.org.apply.run import ApplyError, apply
from leastforce.org.client import RetryPolicy
from support.plan import USERNAME, client_for, desired_for, org_state, plan_and_apply, plan_for

NO_RETRY = RetryPolicy(attempts=1, base_delay_s=0, max_delay_s=0, timeout_s=10)


def test_a_failed_write_before_the_user_is_undone_and_the_org_is_as_before(emulator: Any) -> None:
    client = client_for(emulator, NO_RETRY)
    _, desired = desired_for("upflow")
    changes = plan_for(client, desired)
    before = org_state(emulator.store)
    emulator.set_faults({"fail_nth_write": 3})  # writes: profile, set, the set's rows <- fails

    with pytest.raises(ApplyError) as caught:
        apply(changes, client)

    assert caught.value.restored
    assert isinstance(caught.value.cause, TransientOrgError)
    assert "Object Settings > Account" in str(caught.value)
    assert "were undone: the org is as before" in str(caught.value)
    assert org_state(emulator.store) == before


def test_a_salesforce_error_is_reported_with_its_code_and_undone(emulator: Any) -> None:
    client = client_for(emulator)
    profile = client.query("SELECT Id FROM Profile WHERE Name = 'Minimum Access - API Only Integrations'")[0][
        "Id"
    ]
    for n in range(5):  # the org's 5 Salesforce Integration licenses are all taken
        client.request(
            "POST",
            "sobjects/User",
            json={
                "Username": f"seat{n}@example.com",
                "LastName": f"Seat {n}",
                "Email": f"seat{n}@example.com",
                "Alias": f"seat{n}",
                "TimeZoneSidKey": "GMT",
                "LocaleSidKey": "en_US",
                "EmailEncodingKey": "UTF-8",
                "LanguageLocaleKey": "en_US",
                "ProfileId": profile,
            },
        )
    _, desired = desired_for("upflow")
    changes = plan_for(client, desired)
    before = org_state(emulator.store)

    with pytest.raises(ApplyError) as caught:
        apply(changes, client)

    assert isinstance(caught.value.cause, WriteError)
    assert caught.value.error_code == "LICENSE_LIMIT_EXCEEDED"
    assert "New User" in str(caught.value) and "License Limit Exceeded" in str(caught.value)
    assert caught.value.restored
    assert org_state(emulator.store) == before


def test_after_the_user_is_created_nothing_is_undone_and_the_error_says_what_stays(emulator: Any) -> None:
    client = client_for(emulator, NO_RETRY)
    _, desired = desired_for("upflow")
    changes = plan_for(client, desired)
    emulator.set_faults({"fail_nth_write": 5})  # profile, set, rows, user, license <- fails

    with pytest.raises(ApplyError) as caught:
        apply(changes, client)

    error = caught.value
    assert not error.restored
    assert [e.change.sobject for e in error.done] == [
        "Profile",
        "PermissionSet",
        "ObjectPermissions",
        "ObjectPermissions",
        "User",
    ]
    assert "Salesforce cannot delete users" in str(error) and "re-run apply" in str(error)
    emulator.set_faults(None)
    rest = plan_for(client, desired)
    assert [c.sobject for c in rest.changes] == ["PermissionSetLicenseAssign", "PermissionSetAssignment"]
    apply(rest, client)
    assert plan_for(client, desired).in_sync


def test_request_limit_during_undo_leaves_exactly_what_the_error_lists(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    changes = plan_for(client, desired)
    before = org_state(emulator.store)
    emulator.set_faults({"rate_limit_after": 3})  # profile, its own set, the set: then the limit

    with pytest.raises(ApplyError) as caught:
        apply(changes, client)

    error = caught.value
    assert isinstance(error.cause, RequestLimitError)
    assert not error.restored and "undo was incomplete" in str(error)
    after = org_state(emulator.store)
    assert after != before
    left = {e.change.sobject for e in error.done}
    assert left == {"Profile", "PermissionSet"}
    assert ("Upflow API Profile",) in after["Profile"] and ("Upflow_Permissions",) in after["PermissionSet"]
    emulator.set_faults(None)
    plan_and_apply(client, desired)
    assert plan_for(client, desired).in_sync


def test_an_expired_session_is_renewed_once_and_apply_completes(emulator: Any) -> None:
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    emulator.set_faults({"expire_session_after": 10})

    result = plan_and_apply(client, desired)

    assert len(result.entries) == 7
    emulator.set_faults(None)
    assert plan_for(client, desired).in_sync
    assert client.query(f"SELECT Id FROM User WHERE Username = '{USERNAME}'")


def test_an_unexpected_exception_mid_apply_is_undone_too(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(emulator)
    _, desired = desired_for("upflow")
    changes = plan_for(client, desired)
    before = org_state(emulator.store)
    real = client.request
    posts = []

    def flaky(method: str, path: str, **kwargs: Any) -> Any:
        if method == "POST":
            posts.append(path)
            if len(posts) == 3:
                raise KeyboardInterrupt
        return real(method, path, **kwargs)

    monkeypatch.setattr(client, "request", flaky)

    with pytest.raises(ApplyError) as caught:
        apply(changes, client)

    assert caught.value.restored and "KeyboardInterrupt" in str(caught.value)
    assert org_state(emulator.store) == before
