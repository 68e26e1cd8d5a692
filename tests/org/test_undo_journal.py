"""The undo journal on its own: what undo sends for each kind of entry, in which order, what it skips, what it
retries, and what it reports as left. Pure (a recording fake stands for the org), so that mutation testing
(`make mutation`, docs/mutation.md) can run these per mutant; the end-to-end cases are in test_apply_undo.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from leastforce.errors import AuthError, ConflictError, OrgError, TransientOrgError
from leastforce.org.apply.journal import Entry, Journal
from leastforce.org.apply.undo import UNDO_ROUNDS, _undo_one, undo
from leastforce.planning.changes import Action, Change, Step
from leastforce.values.model import frozen_map

OK = [{"id": "x", "success": True, "errors": []}]


def _entry(
    action: Action,
    sobject: str,
    record_id: str,
    *,
    before: Mapping[str, Any] | None = None,
    sent: Mapping[str, Any] | None = None,
    setup: str = "",
) -> Entry:
    change = Change(
        Step.ROWS_GROW,
        action,
        sobject,
        f"{sobject}:{record_id}",
        setup or f"{action.value} {sobject}",
        frozen_map(dict(sent or {})),
        before=frozen_map(dict(before or {})),
    )
    return Entry(change, record_id, frozen_map(dict(sent or {})))


STAMP = "2026-12-05T10:00:00.000+0000"


class Org:
    """Records every call; answers each with the next scripted answer (an exception is raised), then OK.
    Queries (undo reads an updated row before restoring it) answer from ``rows`` (Id -> fields)."""

    def __init__(
        self,
        *answers: Any,
        by_id: Mapping[str, list[Any]] | None = None,
        rows: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.calls: list[tuple[str, str, Any, Any]] = []
        self.headers: list[Mapping[str, str]] = []
        self.queries: list[str] = []
        self._answers = list(answers)
        self._by_id = {k: list(v) for k, v in (by_id or {}).items()}
        self._rows = dict(rows or {})

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        self.calls.append((method, path, json, dict(params) if params is not None else None))
        self.headers.append(dict(headers or {}))
        queue = self._by_id.get(_target(method, path, json, params), self._answers)
        answer = queue.pop(0) if queue else OK
        if isinstance(answer, Exception):
            raise answer
        return answer

    def query(self, soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
        self.queries.append(soql)
        return [
            {"Id": record_id, "LastModifiedDate": STAMP, **row}
            for record_id, row in self._rows.items()
            if f"'{record_id}'" in soql
        ]


def _target(method: str, path: str, body: Any, params: Mapping[str, str] | None) -> str:
    if method == "DELETE":
        return str((params or {}).get("ids", ""))
    if path.startswith("sobjects/"):
        return path.rsplit("/", 1)[1]
    record = body["records"][0]
    return str(record.get("Id") or record.get("SobjectType") or record.get("Field") or "")


def _failed(code: str, message: str = "no") -> list[dict[str, Any]]:
    return [{"success": False, "errors": [{"statusCode": code, "message": message}]}]


def test_undo_deletes_created_records_newest_first() -> None:
    journal = Journal()
    journal.add(_entry(Action.CREATE, "PermissionSet", "0PS1"))
    journal.add(_entry(Action.CREATE, "PermissionSetAssignment", "0Pa1"))
    journal.add(_entry(Action.CREATE, "Profile", "00e1"))
    org = Org()

    assert undo(journal, org) == []

    assert org.calls == [
        ("DELETE", "composite/sobjects", None, {"ids": "00e1", "allOrNone": "true"}),
        ("DELETE", "composite/sobjects", None, {"ids": "0Pa1", "allOrNone": "true"}),
        ("DELETE", "composite/sobjects", None, {"ids": "0PS1", "allOrNone": "true"}),
    ]


def test_undo_of_an_update_sends_the_old_values_back_to_that_record_on_condition() -> None:
    journal = Journal()
    journal.add(
        _entry(
            Action.UPDATE,
            "ObjectPermissions",
            "110A",
            before={"PermissionsRead": True, "PermissionsEdit": True},
            sent={"PermissionsRead": True, "PermissionsEdit": False},
        )
    )
    org = Org(rows={"110A": {"PermissionsRead": True, "PermissionsEdit": False}})  # as apply wrote it

    assert undo(journal, org) == []

    assert org.calls == [
        (
            "PATCH",
            "sobjects/ObjectPermissions/110A",
            {"PermissionsRead": True, "PermissionsEdit": True},
            None,
        )
    ]
    # only if unmodified since the row was read (its LastModifiedDate, as an HTTP date)
    assert org.headers == [{"If-Unmodified-Since": "Sat, 05 Dec 2026 10:00:00 GMT"}]
    assert "PermissionsEdit" in org.queries[0] and "'110A'" in org.queries[0]


def test_an_update_changed_by_someone_else_since_apply_is_left_as_it_is() -> None:
    journal = Journal()
    entry = _entry(
        Action.UPDATE,
        "PermissionSet",
        "0PS1",
        before={"Description": "old"},
        sent={"Description": "apply's"},
    )
    journal.add(entry)
    org = Org(rows={"0PS1": {"Description": "someone else's"}})

    assert undo(journal, org) == [entry]
    assert org.calls == []  # nothing written over the other change
    with pytest.raises(ConflictError, match="changed by someone else since apply wrote it"):
        _undo_one(entry, org)


def test_an_updated_row_gone_since_is_left() -> None:
    journal = Journal()
    entry = _entry(
        Action.UPDATE, "PermissionSet", "0PS1", before={"Description": "old"}, sent={"Description": "x"}
    )
    journal.add(entry)
    org = Org()  # the query finds no row

    assert undo(journal, org) == [entry]
    assert org.calls == []


def test_a_412_on_the_conditional_restore_leaves_the_entry() -> None:
    journal = Journal()
    entry = _entry(
        Action.UPDATE, "PermissionSet", "0PS1", before={"Description": "old"}, sent={"Description": "x"}
    )
    journal.add(entry)
    org = Org(ConflictError("modified since", status=412), rows={"0PS1": {"Description": "x"}})

    assert undo(journal, org) == [entry]
    assert len(org.calls) == 1  # a conflict is not retried


def test_undo_of_a_delete_creates_the_row_again_with_its_old_values() -> None:
    old = {"ParentId": "0PS9", "SobjectType": "Lead", "PermissionsRead": True}
    journal = Journal()
    journal.add(_entry(Action.DELETE, "ObjectPermissions", "110D", before=old))
    org = Org()

    assert undo(journal, org) == []

    assert org.calls == [
        (
            "POST",
            "composite/sobjects",
            {"allOrNone": True, "records": [{"attributes": {"type": "ObjectPermissions"}, **old}]},
            None,
        )
    ]


def test_rows_of_a_set_created_in_the_same_apply_go_with_the_set() -> None:
    journal = Journal()
    journal.add(_entry(Action.CREATE, "PermissionSet", "0PSnew"))
    for sobject, row in (
        ("ObjectPermissions", "110a"),
        ("FieldPermissions", "01kb"),
        ("SetupEntityAccess", "0J0c"),
    ):
        journal.add(_entry(Action.CREATE, sobject, row, sent={"ParentId": "0PSnew"}))
    journal.add(_entry(Action.CREATE, "ObjectPermissions", "110old", sent={"ParentId": "0PSold"}))
    # an assignment names the new set too, but is not cascaded: it is deleted on its own
    journal.add(_entry(Action.CREATE, "PermissionSetAssignment", "0Pa1", sent={"ParentId": "0PSnew"}))
    org = Org()

    assert undo(journal, org) == []

    assert [c[3]["ids"] for c in org.calls] == ["0Pa1", "110old", "0PSnew"]


def test_rows_of_a_created_profiles_own_set_go_with_the_profile() -> None:
    journal = Journal()
    profile = _entry(Action.CREATE, "Profile", "00eNew")
    journal.add(Entry(profile.change, "00eNew", frozen_map({"_owned_set": "0PSown"})))
    journal.add(_entry(Action.CREATE, "ObjectPermissions", "110a", sent={"ParentId": "0PSown"}))
    journal.add(_entry(Action.CREATE, "FieldPermissions", "01kb", sent={"ParentId": "0PSother"}))
    org = Org()

    assert undo(journal, org) == []

    assert [c[3]["ids"] for c in org.calls] == ["01kb", "00eNew"]


def test_rows_updated_or_deleted_under_a_set_are_undone_one_by_one() -> None:
    journal = Journal()
    journal.add(_entry(Action.UPDATE, "PermissionSet", "0PSupd", before={"Label": "Old"}))
    journal.add(
        _entry(
            Action.UPDATE,
            "ObjectPermissions",
            "110u",
            before={"PermissionsRead": True},
            sent={"ParentId": "0PSupd"},
        )
    )
    journal.add(
        _entry(Action.CREATE, "ObjectPermissions", "110c", sent={"ParentId": "0PSupd"})
    )  # the set was updated, not created: its new row is deleted on its own
    org = Org(rows={"110u": {"ParentId": "0PSupd"}, "0PSupd": {}})

    assert undo(journal, org) == []

    assert [(c[0], (c[3] or {}).get("ids") or c[1].rsplit("/", 1)[1]) for c in org.calls] == [
        ("DELETE", "110c"),
        ("PATCH", "110u"),
        ("PATCH", "0PSupd"),
    ]


def test_a_created_user_is_never_deleted_and_is_reported_left_while_the_rest_is_undone() -> None:
    journal = Journal()
    journal.add(_entry(Action.CREATE, "PermissionSet", "0PS1"))
    user = _entry(Action.CREATE, "User", "005U")
    journal.add(user)
    journal.add(_entry(Action.CREATE, "PermissionSetAssignment", "0Pa1"))
    org = Org()

    assert undo(journal, org) == [user]

    assert [c[3]["ids"] for c in org.calls] == ["0Pa1", "0PS1"]
    with pytest.raises(OrgError, match="user 005U cannot be deleted"):
        _undo_one(user, org)


def test_an_updated_user_is_restored() -> None:
    journal = Journal()
    journal.add(_entry(Action.UPDATE, "User", "005U", before={"ProfileId": "00eOld", "IsActive": False}))
    org = Org(rows={"005U": {}})

    assert undo(journal, org) == []

    (call,) = org.calls
    assert call[:3] == ("PATCH", "sobjects/User/005U", {"ProfileId": "00eOld", "IsActive": False})


@pytest.mark.parametrize("code", ["ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND"])
def test_deleting_a_record_that_is_already_gone_counts_as_undone(code: str) -> None:
    journal = Journal()
    journal.add(_entry(Action.CREATE, "ObjectPermissions", "110a"))
    org = Org(_failed(code))

    assert undo(journal, org) == []
    assert len(org.calls) == 1


@pytest.mark.parametrize("action", [Action.UPDATE, Action.DELETE])
def test_a_gone_record_is_a_failure_for_an_update_or_a_re_create(action: Action) -> None:
    journal = Journal()
    entry = _entry(action, "ObjectPermissions", "110a", before={"SobjectType": "Lead"})
    journal.add(entry)

    assert undo(journal, Org(_failed("ENTITY_IS_DELETED"))) == [entry]


def test_a_refused_undo_is_left_and_the_entries_before_it_are_still_undone() -> None:
    journal = Journal()
    first = _entry(Action.CREATE, "PermissionSet", "0PS1")
    refused = _entry(Action.DELETE, "ObjectPermissions", "110x", before={"SobjectType": "Lead"})
    journal.add(first)
    journal.add(refused)
    org = Org(by_id={"Lead": [_failed("FIELD_INTEGRITY_EXCEPTION", "bad row")]})

    assert undo(journal, org) == [refused]
    assert [c[0] for c in org.calls] == ["POST", "DELETE"]


def test_only_failed_results_count_and_an_empty_answer_is_success() -> None:
    journal = Journal()
    journal.add(_entry(Action.CREATE, "ObjectPermissions", "110a"))
    journal.add(_entry(Action.CREATE, "ObjectPermissions", "110b"))
    org = Org(None, [{"success": True}, {"success": True}])

    assert undo(journal, org) == []


def test_the_error_carries_salesforces_message_and_code() -> None:
    entry = _entry(Action.DELETE, "ObjectPermissions", "110x", before={"SobjectType": "Lead"})
    with pytest.raises(OrgError) as caught:
        _undo_one(entry, Org([{"success": True}, *_failed("FIELD_INTEGRITY_EXCEPTION", "bad label")]))
    assert caught.value.message == "bad label"
    assert caught.value.error_code == "FIELD_INTEGRITY_EXCEPTION"

    with pytest.raises(OrgError) as caught:
        _undo_one(entry, Org([{"success": False}]))
    assert caught.value.message == "undo failed" and caught.value.error_code == ""


@pytest.mark.parametrize("error", [TransientOrgError("503"), AuthError("INVALID_SESSION_ID")])
def test_transient_and_session_failures_are_retried_up_to_the_undo_rounds(error: OrgError) -> None:
    journal = Journal()
    journal.add(_entry(Action.CREATE, "PermissionSet", "0PS1"))
    org = Org(*[error] * (UNDO_ROUNDS - 1))
    assert undo(journal, org) == []
    assert len(org.calls) == UNDO_ROUNDS

    org = Org(*[error] * UNDO_ROUNDS)
    assert undo(journal, org) == list(journal.entries)
    assert len(org.calls) == UNDO_ROUNDS


def test_a_refusal_is_not_retried() -> None:
    journal = Journal()
    journal.add(_entry(Action.CREATE, "PermissionSet", "0PS1"))
    org = Org(OrgError("no", error_code="INSUFFICIENT_ACCESS"))
    assert len(undo(journal, org)) == 1
    assert len(org.calls) == 1


def test_entries_describe_what_was_done_in_setup_terms() -> None:
    made = _entry(Action.CREATE, "PermissionSet", "0PS1", setup="Setup > Permission Sets > New")
    changed = _entry(Action.UPDATE, "User", "005U", setup="Setup > Users > u > Edit")
    removed = _entry(Action.DELETE, "ObjectPermissions", "110a", setup="remove Read")
    assert made.describe() == "created PermissionSet 0PS1 (Setup > Permission Sets > New)"
    assert changed.describe() == "updated User 005U (Setup > Users > u > Edit)"
    assert removed.describe() == "deleted ObjectPermissions 110a (remove Read)"


def test_the_point_of_no_return_is_the_first_created_user() -> None:
    journal = Journal()
    assert journal.point_of_no_return is None
    journal.add(_entry(Action.UPDATE, "User", "005old"))
    journal.add(_entry(Action.CREATE, "PermissionSet", "0PS1"))
    assert journal.point_of_no_return is None
    first = _entry(Action.CREATE, "User", "005A")
    journal.add(first)
    journal.add(_entry(Action.CREATE, "User", "005B"))
    assert journal.point_of_no_return is first
    assert [e.record_id for e in journal.entries] == ["005old", "0PS1", "005A", "005B"]
