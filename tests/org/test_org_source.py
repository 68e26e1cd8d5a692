"""One OrgSource protocol: a live org and a snapshot file answer the same reads; commands never ask which."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.errors import InputError
from leastforce.org.live import LiveOrg
from leastforce.org.read.one_user import ReadScope
from leastforce.org.snapshot_file import save_snapshot
from leastforce.org.snapshot_source import SnapshotFile
from leastforce.org.source import open_org
from support.org_setup import Admin
from support.paths import ROOT

USER = "integration@acme.example"


def test_open_org_picks_the_source_from_the_org_value(tmp_path: Path) -> None:
    assert isinstance(open_org(f"snapshot:{tmp_path / 'org.db'}", {}), SnapshotFile)
    assert isinstance(open_org("https://acme.my.salesforce.com", {}), LiveOrg)
    assert isinstance(open_org(None, {"LEASTFORCE_ORG": "my-alias"}), LiveOrg)


def test_a_snapshot_file_refuses_what_needs_a_live_org(tmp_path: Path) -> None:
    source = open_org(f"snapshot:{tmp_path / 'org.db'}", {})
    with pytest.raises(InputError, match="plan and apply need a live org, not a snapshot"):
        source.client()
    with pytest.raises(InputError, match=r"^snapshot needs"):
        source.require_live("snapshot needs a live org, not another snapshot")


def test_commands_never_ask_which_source_they_have() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "src" / "leastforce" / "commands").glob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if any(word in line for word in ("is_snapshot", "OrgKind", "SnapshotFile", "LiveOrg"))
    ]
    assert offenders == []


def _integration_user(org: Any) -> str:
    admin = Admin.of(org)
    user = admin.user(USER, "Minimum Access - Salesforce")
    admin.assign(
        user,
        set_id=admin.permission_set("Acme_Sync", permissions=["ApiEnabled"], objects={"Account": "read"}),
    )
    org.store.touch_token(user, "Acme Sync")
    return user


def test_live_login_state_takes_four_calls(org_env: Any) -> None:
    user_id = _integration_user(org_env)
    source = open_org(None, os.environ)
    snapshot, _ = source.user_snapshot(USER, ReadScope(rows=False))
    user = snapshot.user_by_username(USER)
    assert user is not None and user.id == user_id
    before = org_env.request_count()
    state = source.login_state(user)
    assert org_env.request_count() - before == 4
    assert state.frozen is False
    assert [t.app_name for t in state.tokens] == ["Acme Sync"]
    assert state.connected_apps is not None
    assert state.api_usage is not None and state.api_usage[1] > 0


def test_a_snapshot_file_answers_as_the_live_org_did(org_env: Any, tmp_path: Path) -> None:
    _integration_user(org_env)
    live = open_org(None, os.environ)
    whole, calls = live.org_snapshot()
    assert calls > 0
    save_snapshot(whole, tmp_path / "org.db")
    offline = open_org(f"snapshot:{tmp_path / 'org.db'}", {})
    catalog, now = load_catalog(), datetime.now(UTC)
    (online_view, online_calls), (offline_view, offline_calls) = (
        live.user_snapshot(USER),
        offline.user_snapshot(USER),
    )
    assert online_calls > 0 and offline_calls == 0
    online_access = effective_access(online_view, USER, catalog=catalog, now=now)
    offline_access = effective_access(offline_view, USER, catalog=catalog, now=now)
    assert set(online_access.permissions) == set(offline_access.permissions)
    assert online_access.object_rights("Account") == offline_access.object_rights("Account")
    user = offline_view.user_by_username(USER)
    assert user is not None
    online_state, offline_state = live.login_state(user), offline.login_state(user)
    assert offline_state.frozen == online_state.frozen
    assert offline_state.tokens == online_state.tokens
    assert offline_state.connected_apps is None and offline_state.api_usage is None
