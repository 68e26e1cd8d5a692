"""The pieces apply uses to tell the truth, on their own (pure; selected for `make mutation`): finding rows
by natural key, comparing them, the If-Unmodified-Since header, resolving a lost answer, reading back each
write's effect, and the saved report."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from leastforce.org.apply import pending
from leastforce.org.apply.journal import Entry, InFlight
from leastforce.org.apply.rows import (
    differs,
    find_by_key,
    http_date,
    if_unmodified,
    key_of,
    read_by_id,
    row_for,
)
from leastforce.org.apply.truth import Effect, Observed, observe, resolve
from leastforce.planning.changes import Action, Change, Step
from leastforce.values.model import frozen_map

STAMP = "2026-12-05T21:10:23.456+0000"


class Reader:
    """Answers queries from rows (Id -> fields): ``Id IN (...)`` by Id, else by ``Field = 'value'``."""

    def __init__(self, rows: Mapping[str, Mapping[str, Any]]) -> None:
        self.rows = {k: dict(v) for k, v in rows.items()}
        self.queries: list[str] = []

    def query(self, soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
        import re

        self.queries.append(soql)
        if " IN (" in soql:
            wanted = re.findall(r"'([^']+)'", soql.split(" IN ", 1)[1])
            return [{"Id": i, **self.rows[i]} for i in wanted if i in self.rows]
        equals = dict(re.findall(r"(\w+) = '([^']*)'", soql))
        return [
            {"Id": i, **r} for i, r in self.rows.items() if all(str(r.get(k)) == v for k, v in equals.items())
        ]


def _change(action: Action, sobject: str, record_id: str = "", **kw: Any) -> Change:
    return Change(
        Step.ROWS_GROW,
        action,
        sobject,
        f"{sobject}:{record_id}",
        f"{action.value} {sobject}",
        frozen_map(kw.get("values", {})),
        record_id=record_id,
        before=frozen_map(kw.get("before", {})),
    )


# --- rows -------------------------------------------------------------------------------------------


def test_natural_keys_use_only_the_fields_present() -> None:
    assert key_of(
        "ObjectPermissions", {"ParentId": "0PS1", "SobjectType": "Lead", "PermissionsRead": True}
    ) == {
        "ParentId": "0PS1",
        "SobjectType": "Lead",
    }
    assert key_of(
        "PermissionSetAssignment", {"AssigneeId": "005", "PermissionSetId": "0PS", "PermissionSetGroupId": ""}
    ) == {
        "AssigneeId": "005",
        "PermissionSetId": "0PS",
    }
    with pytest.raises(KeyError):
        key_of("Account", {"Name": "x"})


def test_find_by_key_queries_every_key_field_and_nothing_without_a_key() -> None:
    reader = Reader({"0PS1": {"Name": "Up"}, "0PS2": {"Name": "Other"}})
    assert [r["Id"] for r in find_by_key(reader, "PermissionSet", {"Name": "Up", "Label": "Up"})] == ["0PS1"]
    assert reader.queries == ["SELECT Id FROM PermissionSet WHERE Name = 'Up'"]
    assert find_by_key(reader, "PermissionSet", {"Label": "Up"}) == [] and len(reader.queries) == 1
    pair = Reader({"110": {"ParentId": "0PS1", "SobjectType": "Lead"}})
    assert find_by_key(pair, "ObjectPermissions", {"ParentId": "0PS1", "SobjectType": "Lead"})
    assert pair.queries == [
        "SELECT Id FROM ObjectPermissions WHERE ParentId = '0PS1' AND SobjectType = 'Lead'"
    ]
    assert not find_by_key(pair, "ObjectPermissions", {"ParentId": "0PS1", "SobjectType": "Case"})


def test_read_by_id_selects_the_stamps_the_object_has_and_keys_by_15_characters() -> None:
    reader = Reader({"0PS000000000001AAA": {"Name": "x"}})
    rows = read_by_id(reader, "PermissionSet", ["0PS000000000001AAA", "0PS000000000002AAA"], ["Name"])
    assert reader.queries == [
        "SELECT Id, LastModifiedDate, Name, SystemModstamp FROM PermissionSet "
        "WHERE Id IN ('0PS000000000001AAA','0PS000000000002AAA')"
    ]
    assert list(rows) == ["0PS000000000001"]
    assert row_for(rows, "0PS000000000001") == row_for(rows, "0PS000000000001AAA") is not None
    assert row_for(rows, "0PS000000000002AAA") is None
    fields = Reader({})
    read_by_id(fields, "FieldPermissions", ["01k1"], ["Field"])  # no LastModifiedDate on FieldPermissions
    assert fields.queries == ["SELECT Field, Id, SystemModstamp FROM FieldPermissions WHERE Id IN ('01k1')"]


def test_differs_names_the_changed_fields_and_matches_ids_in_either_form() -> None:
    row = {"ParentId": "0PS000000000001AAA", "PermissionsRead": True, "PermissionsEdit": False, "Name": "a"}
    assert differs(row, {"ParentId": "0PS000000000001", "PermissionsRead": True}) == []
    assert differs(row, {"PermissionsEdit": True, "Name": "b", "PermissionsRead": True}) == [
        "Name",
        "PermissionsEdit",
    ]
    assert differs(row, {"Missing": None}) == []
    assert differs(row, {"ParentId": "0PS000000000002"}) == ["ParentId"]
    assert differs({"Name": "abcdefghijklmnoXYZ"}, {"Name": "abcdefghijklmno"}) == []  # 15/18 rule
    assert differs({"Name": "abcdefghijklmnopqr"}, {"Name": "abcdefghijklmnopqs"}) == ["Name"]


def test_the_header_is_the_http_date_of_last_modified_and_none_without_it() -> None:
    assert http_date(STAMP) == "Sat, 05 Dec 2026 21:10:23 GMT"
    assert if_unmodified({"LastModifiedDate": STAMP}) == {
        "If-Unmodified-Since": "Sat, 05 Dec 2026 21:10:23 GMT"
    }
    assert if_unmodified({"SystemModstamp": STAMP}) is None
    assert if_unmodified({"LastModifiedDate": None}) is None


# --- resolve and observe ----------------------------------------------------------------------------


def test_resolve_finds_a_create_by_its_key_an_update_by_its_values_and_a_delete_by_absence() -> None:
    create = _change(Action.CREATE, "PermissionSet")
    update = _change(Action.UPDATE, "ObjectPermissions", "110u")
    delete = _change(Action.DELETE, "ObjectPermissions", "110d")
    reader = Reader({"0PSnew": {"Name": "Up"}, "110u": {"PermissionsEdit": True}})
    flight = InFlight((create, update, delete), ({"Name": "Up"}, {"PermissionsEdit": True}, {}))
    done = resolve(flight, reader)
    assert [(e.change.action, e.record_id) for e in done] == [
        (Action.CREATE, "0PSnew"),
        (Action.UPDATE, "110u"),
        (Action.DELETE, "110d"),
    ]
    assert dict(done[0].values) == {"Name": "Up"}
    not_done = Reader({"110u": {"PermissionsEdit": False}, "110d": {}})
    assert resolve(flight, not_done) == []


def test_observe_tells_present_absent_and_changed_for_each_kind_of_write() -> None:
    made = Entry(_change(Action.CREATE, "PermissionSet"), "0PS1", frozen_map({"Name": "Up"}))
    gone = Entry(_change(Action.CREATE, "PermissionSet"), "0PS2", frozen_map({"Name": "Gone"}))
    kept = Entry(
        _change(Action.UPDATE, "ObjectPermissions", "110a", before={"PermissionsEdit": False}),
        "110a",
        frozen_map({"PermissionsEdit": True, "_internal": 1}),
    )
    undone = Entry(
        _change(Action.UPDATE, "ObjectPermissions", "110b", before={"PermissionsEdit": False}),
        "110b",
        frozen_map({"PermissionsEdit": True}),
    )
    other = Entry(
        _change(Action.UPDATE, "ObjectPermissions", "110c", before={"PermissionsRead": True}),
        "110c",
        frozen_map({"PermissionsRead": False}),
    )
    vanished = Entry(
        _change(Action.UPDATE, "ObjectPermissions", "110v", before={"PermissionsRead": True}),
        "110v",
        frozen_map({"PermissionsRead": False}),
    )
    removed = Entry(
        _change(
            Action.DELETE, "ObjectPermissions", "110d", before={"ParentId": "0PS1", "SobjectType": "Lead"}
        ),
        "110d",
    )
    recreated = Entry(
        _change(
            Action.DELETE, "ObjectPermissions", "110e", before={"ParentId": "0PS1", "SobjectType": "Case"}
        ),
        "110e",
    )
    reader = Reader(
        {
            "0PS1": {"Name": "Up"},
            "110a": {"PermissionsEdit": True},
            "110b": {"PermissionsEdit": False},
            "110c": {"PermissionsRead": None},  # neither what apply wrote nor what was there
            "110new": {"ParentId": "0PS1", "SobjectType": "Case"},  # the deleted row, re-created by undo
        }
    )
    seen = {
        o.entry.record_id: o.effect
        for o in observe([made, gone, kept, undone, other, vanished, removed, recreated], reader)
    }
    assert seen == {
        "0PS1": Effect.PRESENT,
        "0PS2": Effect.ABSENT,
        "110a": Effect.PRESENT,
        "110b": Effect.ABSENT,
        "110c": Effect.CHANGED,
        "110v": Effect.CHANGED,
        "110d": Effect.PRESENT,
        "110e": Effect.ABSENT,
    }
    # one query per sObject for creates and updates (not one per entry)
    assert sum(" IN (" in q for q in reader.queries) == 2


def test_an_observed_change_by_someone_else_says_so() -> None:
    entry = Entry(_change(Action.UPDATE, "PermissionSet", "0PS1"), "0PS1")
    assert (
        Observed(entry, Effect.CHANGED).describe().endswith(": since changed by someone else, left as it is")
    )
    assert Observed(entry, Effect.PRESENT).describe() == entry.describe()


# --- the saved report --------------------------------------------------------------------------------


def test_the_report_path_names_the_host_safely(tmp_path: Path) -> None:
    assert (
        pending.path_for("https://acme.my.salesforce.com", tmp_path)
        == tmp_path / "apply-journal-acme.my.salesforce.com.json"
    )
    assert pending.path_for("https://127.0.0.1:8443/x", tmp_path).name == "apply-journal-127.0.0.1_8443.json"
    assert pending.path_for("no-scheme/../x", tmp_path).name == "apply-journal-no-scheme_.._x.json"
    assert pending.path_for("https://a.example") == pending.FOLDER / "apply-journal-a.example.json"


def test_the_report_round_trips_is_private_and_a_bad_file_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / ".leastforce"  # created, parents too
    path = pending.save(
        "https://a.example",
        "apply failed at: x",
        ["created PermissionSet 0PS1"],
        read_back=True,
        folder=folder,
    )
    assert path == pending.path_for("https://a.example", folder)
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(folder.stat().st_mode & 0o777) == "0o700"
    body = json.loads(path.read_text())
    assert set(body) == {"instance", "when", "failedAt", "remaining", "readBack"}
    loaded = pending.load("https://a.example", folder)
    assert loaded is not None
    assert (loaded.instance, loaded.failed_at, loaded.remaining, loaded.read_back) == (
        "https://a.example",
        "apply failed at: x",
        ("created PermissionSet 0PS1",),
        True,
    )
    assert loaded.when.startswith("20") and "T" in loaded.when
    assert not path.with_suffix(".tmp").exists()
    assert pending.load("https://b.example", folder) is None
    path.write_text("{not json")
    assert pending.load("https://a.example", folder) is None
    path.write_text(json.dumps({"instance": "x"}))
    assert pending.load("https://a.example", folder) is None
    pending.clear("https://a.example", folder)
    assert not path.exists()
    pending.clear("https://a.example", folder)  # nothing to clear: no error


def test_the_report_never_follows_a_symlink(tmp_path: Path) -> None:
    folder = tmp_path / ".leastforce"
    folder.mkdir()
    target = tmp_path / "elsewhere"
    target.write_text("keep")
    os.symlink(target, pending.path_for("https://a.example", folder).with_suffix(".tmp"))
    with pytest.raises(OSError):
        pending.save("https://a.example", "x", [], read_back=False, folder=folder)
    assert target.read_text() == "keep"
