"""Audit reads field rows only for its integration users' sets (at 1.5 million field rows that table is
most of a whole read), and says so on the snapshot: the audit is the same as over a whole read."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from leastforce.catalog import load_catalog
from leastforce.checks.audit.find import integration_sets
from leastforce.checks.audit.run import AuditOptions, audit
from leastforce.checks.explain.who_has import who_has
from leastforce.org.snapshot_file import save_snapshot
from leastforce.org.source import open_org
from leastforce.render.json.audit import audit_output
from support.org_setup import Admin

SYNC = "sync@acme.example"
HUMAN = "alice@acme.example"


def _org(org: Any) -> tuple[str, str]:
    admin = Admin.of(org)
    sync = admin.user(SYNC, "Minimum Access - Salesforce")
    sync_set = admin.permission_set(
        "Acme_Sync",
        permissions=["ApiEnabled"],
        objects={"Account": "read,edit"},
        fields={"Account.Industry": "edit"},
    )
    admin.assign(sync, set_id=sync_set)
    org.store.touch_token(sync, "Acme Sync")  # an OAuth token: an integration user
    human = admin.user(HUMAN, "Standard User")
    human_set = admin.permission_set(
        "Sales_Extra", objects={"Account": "read"}, fields={"Account.Rating": "read"}
    )
    admin.assign(human, set_id=human_set)
    return sync_set, human_set


def test_audit_over_the_field_scope_equals_audit_over_a_whole_read(org_env: Any, tmp_path: Path) -> None:
    sync_set, human_set = _org(org_env)
    catalog = load_catalog()
    source = open_org(None, os.environ)
    whole, _ = source.org_snapshot()
    scoped, _ = source.org_snapshot(fields_of=lambda s: integration_sets(s))

    assert scoped.field_rows_of is not None and sync_set in scoped.field_rows_of
    assert human_set not in scoped.field_rows_of, "a human's set's field rows are not read"
    assert scoped.permission_sets[sync_set].fields == whole.permission_sets[sync_set].fields
    assert scoped.permission_sets[sync_set].fields, "the integration set's field rows were read"
    assert not scoped.permission_sets[human_set].fields and whole.permission_sets[human_set].fields

    at = replace(whole, taken_at=scoped.taken_at)
    options = AuditOptions(now=scoped.taken_at)
    one = audit_output(audit(scoped, catalog, options), api_calls=0, html=None).dump()
    two = audit_output(audit(at, catalog, options), api_calls=0, html=None).dump()
    assert one == two
    assert SYNC in [u["username"] for u in one["users"]], "the token holder is audited"

    with pytest.raises(ValueError, match="some sets only"):  # a file stands for the whole org
        save_snapshot(scoped, tmp_path / "org.db")
    with pytest.raises(ValueError, match="every set's field rows"):
        who_has(scoped, "Account.Rating", catalog)
    assert who_has(whole, "Account.Rating", catalog), "the whole read answers it"


def test_an_integration_user_is_found_without_field_rows(org_env: Any) -> None:
    sync_set, _ = _org(org_env)
    scoped, _ = open_org(None, os.environ).org_snapshot(fields_of=lambda s: ())
    assert scoped.field_rows_of == frozenset()
    assert sync_set in integration_sets(scoped), "token holder's sets are picked"
    human = scoped.user_by_username(HUMAN)
    assert human is not None
    named = integration_sets(scoped, [HUMAN])
    assert len(named) > len(integration_sets(scoped)), "--user names a user in"
