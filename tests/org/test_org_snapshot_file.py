"""Snapshot files: exact round trip, mode 0600, clear errors on foreign files."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from leastforce.errors import InputError
from leastforce.org.snapshot_file import LOGINS_NOT_IN_FILE, load_snapshot, save_snapshot
from leastforce.values.model import (
    Assignment,
    FieldRight,
    LicenseAssignment,
    LoginSummary,
    MutingPermissionSet,
    OAuthToken,
    ObjectRight,
    OrgSnapshot,
    PermissionSet,
    PermissionSetGroup,
    Profile,
    SetupEntity,
    SetupEntityType,
    User,
    frozen_map,
)

WHEN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def sample_snapshot() -> OrgSnapshot:
    ps = PermissionSet(
        name="Upflow_Permissions",
        label="Upflow <Permissions>",
        id="0PS000000000001AAA",
        license="Salesforce API Integration",
        user_permissions=frozenset({"ApiEnabled", "CanApproveUninstalledApps"}),
        objects=frozen_map({"Account": frozenset({ObjectRight.READ, ObjectRight.VIEW_ALL_RECORDS})}),
        fields=frozen_map({"Account.Industry": frozenset({FieldRight.READ})}),
        setup_entities=frozenset({SetupEntity(SetupEntityType.APEX_CLASS, "ns__Sync")}),
    )
    muting = MutingPermissionSet(
        name="Mute", id="0QM000000000001AAA", user_permissions=frozenset({"ApiEnabled"})
    )
    return OrgSnapshot(
        taken_at=WHEN,
        instance_url="https://acme.my.salesforce.com",
        org_id="00D000000000001AAA",
        users=frozen_map(
            {
                "005A": User(
                    username="int@acme.com", id="005A", last_login=WHEN, profile_name="P", is_frozen=True
                )
            }
        ),
        profiles=frozen_map(
            {"00eA": Profile(name="P", id="00eA", login_ip_ranges=(("1.1.1.1", "1.1.1.9"),))}
        ),
        permission_sets=frozen_map({ps.id: ps}),
        groups=frozen_map(
            {"0PGA": PermissionSetGroup(name="G", id="0PGA", permission_set_ids=(ps.id,), muting=muting)}
        ),
        assignments=(Assignment(user_id="005A", permission_set_id=ps.id, id="0PaA", expires=WHEN),),
        license_assignments=(
            LicenseAssignment(user_id="005A", license_name="Salesforce API Integration", id="2LAA"),
        ),
        oauth_tokens=(OAuthToken(user_id="005A", app_name="Upflow", id="0CQA", created=WHEN, use_count=3),),
        logins=(
            LoginSummary("005A", "Remote Access 2.0", "Upflow", "Unknown", 412, WHEN),
            LoginSummary("005A", "Application", "Browser", "Chrome 126", 3, None),
        ),
        logins_unread="",
        available_permissions=frozenset({"ApiEnabled"}),
    )


def test_round_trip_is_exact(tmp_path):
    path = tmp_path / "org.snapshot"
    snapshot = sample_snapshot()
    save_snapshot(snapshot, path)
    assert load_snapshot(path) == snapshot


def test_file_is_private(tmp_path):
    path = tmp_path / "org.snapshot"
    save_snapshot(sample_snapshot(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_overwrite_replaces_atomically(tmp_path):
    path = tmp_path / "org.snapshot"
    save_snapshot(sample_snapshot(), path)
    save_snapshot(OrgSnapshot(taken_at=WHEN), path)
    assert load_snapshot(path).users == {}


@pytest.mark.parametrize("content", [b"", b"not sqlite at all", b"SQLite format 3\x00garbage"])
def test_foreign_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.snapshot"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"bad\.snapshot"):
        load_snapshot(path)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_snapshot(tmp_path / "nope.db")


def _write_format_1(snapshot: OrgSnapshot, path) -> None:
    """A file as format 1 wrote it: every body plain to_jsonable JSON ({name: [right, ...]} maps)."""
    import sqlite3

    from leastforce.values.jsonable import to_jsonable

    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        meta = {"format": "1", "taken_at": snapshot.taken_at.isoformat(), "instance_url": "", "org_id": ""}
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        rows = {
            "users": snapshot.users.items(),
            "profiles": snapshot.profiles.items(),
            "permission_sets": snapshot.permission_sets.items(),
            "groups": snapshot.groups.items(),
            "assignments": [(a.id, a) for a in snapshot.assignments],
            "license_assignments": [(a.id, a) for a in snapshot.license_assignments],
            "oauth_tokens": [(t.id, t) for t in snapshot.oauth_tokens],
        }
        for table, items in rows.items():
            db.execute(f"CREATE TABLE {table} (id TEXT, body TEXT)")
            db.executemany(
                f"INSERT INTO {table} VALUES (?, ?)", [(k, json.dumps(to_jsonable(v))) for k, v in items]
            )
    db.close()


def test_format_1_files_still_load_and_resave_as_format_3(tmp_path):
    import sqlite3

    snap = sample_snapshot()
    old = tmp_path / "old.sqlite"
    _write_format_1(snap, old)
    loaded = load_snapshot(old)
    assert loaded.permission_sets == snap.permission_sets
    assert loaded.groups == snap.groups
    new = tmp_path / "new.sqlite"
    save_snapshot(loaded, new)
    with sqlite3.connect(new) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == ("3",)
        (names,) = db.execute("SELECT value FROM meta WHERE key = 'field_names'").fetchone()
        (body,) = db.execute("SELECT body FROM permission_sets").fetchone()
    db.close()
    assert json.loads(names) == ["Account.Industry"]
    assert '"fields":[[0],[1]]' in body  # [indexes into field_names, bitmasks]: READ is bit 0
    again = load_snapshot(new)
    assert again.permission_sets == snap.permission_sets
    assert again.groups == snap.groups
    assert again.users == snap.users
    assert loaded.logins == () and loaded.logins_unread == LOGINS_NOT_IN_FILE  # format 1 had no logins


def test_login_history_not_read_round_trips_with_its_reason(tmp_path):
    path = tmp_path / "org.snapshot"
    snapshot = replace(sample_snapshot(), logins=(), logins_unread="the connecting user lacks Manage Users")
    save_snapshot(snapshot, path)
    assert load_snapshot(path) == snapshot


def test_format_2_file_without_logins_loads_them_as_not_read(tmp_path):
    """A file an older leastforce wrote (format 2, no ``logins`` table or meta key) loads; its logins are
    not read, never "no logins"."""
    import sqlite3

    path = tmp_path / "older.sqlite"
    save_snapshot(sample_snapshot(), path)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE logins")
        db.execute("DELETE FROM meta WHERE key = 'logins_unread'")
    db.close()
    loaded = load_snapshot(path)
    assert loaded.logins == () and loaded.logins_unread == LOGINS_NOT_IN_FILE
    assert loaded == replace(sample_snapshot(), logins=(), logins_unread=LOGINS_NOT_IN_FILE)


def _as_format_2(path) -> None:
    """Rewrite a format 3 file as format 2 wrote it: field maps as [names, bitmasks], no field_names."""
    import sqlite3

    with sqlite3.connect(path) as db:
        (names,) = db.execute("SELECT value FROM meta WHERE key = 'field_names'").fetchone()
        table = json.loads(names)

        def named(fields):
            return [[table[i] for i in fields[0]], fields[1]]

        for key, text in db.execute("SELECT id, body FROM permission_sets").fetchall():
            body = json.loads(text)
            body["fields"] = named(body["fields"])
            db.execute("UPDATE permission_sets SET body = ? WHERE id = ?", (json.dumps(body), key))
        for key, text in db.execute("SELECT id, body FROM groups").fetchall():
            body = json.loads(text)
            if body.get("muting"):
                body["muting"]["fields"] = named(body["muting"]["fields"])
            db.execute("UPDATE groups SET body = ? WHERE id = ?", (json.dumps(body), key))
        db.execute("DELETE FROM meta WHERE key = 'field_names'")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
    db.close()


def test_format_2_files_still_load(tmp_path):
    path = tmp_path / "two.sqlite"
    save_snapshot(sample_snapshot(), path)
    _as_format_2(path)
    assert load_snapshot(path) == sample_snapshot()


def test_a_mangled_body_is_an_input_error_naming_the_file(tmp_path):
    import sqlite3

    path = tmp_path / "mangled.sqlite"
    save_snapshot(sample_snapshot(), path)
    with sqlite3.connect(path) as db:
        (key, text) = db.execute("SELECT id, body FROM permission_sets").fetchone()
        body = json.loads(text)
        body["fields"] = [[0], [99]]  # no such rights bitmask
        db.execute("UPDATE permission_sets SET body = ? WHERE id = ?", (json.dumps(body), key))
    db.close()
    with pytest.raises(InputError, match=r"mangled\.sqlite is not a leastforce snapshot"):
        load_snapshot(path)
