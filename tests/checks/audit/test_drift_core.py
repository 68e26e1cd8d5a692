"""drift() between two snapshots: permissions gained or lost, new assignments, objects, profile, new users."""

from __future__ import annotations

from datetime import timedelta

from leastforce.catalog import load_catalog
from leastforce.checks.audit.drift import drift
from leastforce.checks.audit.run import audit
from leastforce.render.text.audit import drift_lines, render
from support.factories import NOW, OrgBuilder


def _base() -> OrgBuilder:
    return (
        OrgBuilder()
        .profile("Integration API", perms=["ApiEnabled", "ApiUserOnly"])
        .profile("Other API", perms=["ApiEnabled"])
        .permission_set("Sync", perms=["ViewSetup"], objects={"Account": "read"})
        .permission_set("More", perms=["ViewAllData"], objects={"Contact": "read,edit"})
        .user("int@acme.com", profile="Integration API")
    )


def test_gains_losses_and_assignments():
    catalog = load_catalog()
    before = _base().assign("int@acme.com", "Sync").build()
    after = _base().assign("int@acme.com", "More").user("new@acme.com", profile="Integration API").build()
    changes = {
        d.username: d for d in drift(before, after, catalog, ["int@acme.com", "new@acme.com", "gone@x"])
    }
    assert set(changes) == {"int@acme.com", "new@acme.com"}
    item = changes["int@acme.com"]
    assert item.gained_permissions == ("ViewAllData",)
    assert item.lost_permissions == ("ViewSetup",)
    assert item.new_assignments == ("More",) and item.removed_assignments == ("Sync",)
    assert dict(item.gained_objects) == {"Contact": ("read", "edit")}
    assert dict(item.lost_objects) == {"Account": ("read",)}
    assert changes["new@acme.com"].is_new and changes["new@acme.com"].changed
    assert "+ permissions: ViewAllData" in drift_lines(item)


def test_no_change_and_profile_change_and_expiry():
    catalog = load_catalog()
    same = _base().assign("int@acme.com", "Sync").build()
    (item,) = drift(same, same, catalog, ["int@acme.com"])
    assert not item.changed
    moved = _base().assign("int@acme.com", "Sync", expires=NOW - timedelta(days=1)).build()
    (expired,) = drift(same, moved, catalog, ["int@acme.com"])
    assert expired.removed_assignments == ("Sync",) and expired.lost_permissions == ("ViewSetup",)
    other = (
        OrgBuilder()
        .profile("Integration API", perms=["ApiEnabled"])
        .profile("Other API", perms=["ApiEnabled"])
    )
    after = other.user("int@acme.com", profile="Other API").build()
    (changed,) = drift(same, after, catalog, ["int@acme.com"])
    assert changed.profile_change == ("Integration API", "Other API")


def test_audit_text_shows_drift():
    from dataclasses import replace

    catalog = load_catalog()
    before = _base().assign("int@acme.com", "Sync").build()
    after = _base().assign("int@acme.com", "Sync").assign("int@acme.com", "More").build()
    result = audit(after, catalog)
    result = replace(result, drift=drift(before, after, catalog, ["int@acme.com"]), since=before.taken_at)
    text = render(result)
    assert "Changes since 2026-11-24" in text
    assert "+ assigned: More" in text
