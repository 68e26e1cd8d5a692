"""apply's calls, with a recording fake for the org: how changes are batched, how a created record's Id fills
the rows that refer to it, what a refused record is called, and what apply says after a failure. Pure, so
that mutation testing (`make mutation`, docs/mutation.md) can run it per mutant; test_apply_undo.py and
test_apply_faults.py run the same paths against the local org."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from leastforce.errors import AnswerLost, ConflictError, OrgError, TransientOrgError, WriteError
from leastforce.org.apply import pending
from leastforce.org.apply.run import BATCH, ApplyError, PlanBlocked, apply
from leastforce.planning.changes import Action, Change, ChangeSet, Finding, FindingKind, Step
from leastforce.values.model import frozen_map

STAMP = "2026-12-05T10:00:00.000+0000"


class FakeOrg:
    """A small stateful org: creates get new Ids (id1, id2 ...), updates and deletes change its rows, and
    deleting a record deletes the rows whose ParentId is that record (as Salesforce cascades). ``refuse``
    / ``fail`` answer or raise at the nth write call; queries read the rows (by Id, or by field equality)."""

    def __init__(
        self,
        *,
        refuse: Mapping[int, Any] | None = None,
        fail: Mapping[int, BaseException] | None = None,
        rows: Mapping[str, Mapping[str, Any]] | None = None,
        after: Mapping[int, BaseException] | None = None,
        blind_after: int | None = None,
    ) -> None:
        self._blind_after = blind_after  # from this many writes on, every query fails (the limit is spent)
        self._after = dict(after or {})  # raised at the nth write AFTER it is done (a lost answer, Ctrl-C)
        self.calls = 0
        self.writes = 0
        self.log: list[tuple[str, Any, Any]] = []
        self.reads: list[str] = []
        self.instance_url = "https://fake.example"
        self._refuse = dict(refuse or {})
        self._fail = dict(fail or {})
        self._ids = 0
        start = EXISTING if rows is None else rows
        self.rows: dict[str, dict[str, Any]] = {k: dict(v) for k, v in start.items()}

    def request(
        self, method: str, path: str, *, json: Any = None, params: Any = None, headers: Any = None
    ) -> Any:
        self.calls += 1
        self.writes += 1
        if path.startswith("sobjects/"):
            self.log.append((method, path, (json, headers)))
        else:
            assert path == "composite/sobjects"
            self.log.append((method, json, params))
        if self.writes in self._fail:
            raise self._fail[self.writes]
        if self.writes in self._refuse:
            if path.startswith("sobjects/"):
                raise WriteError("refused", error_code="X", status=400)
            return self._refuse[self.writes]
        if path.startswith("sobjects/"):
            self.rows[path.rsplit("/", 1)[1]].update(json)
            answer = None
        else:
            answer = self._apply(method, json, params)
        if self.writes in self._after:
            raise self._after[self.writes]
        return answer

    def _apply(self, method: str, json: Any, params: Any) -> list[dict[str, Any]]:
        if method == "DELETE":
            ids = params["ids"].split(",")
            for record_id in ids:
                self._delete(record_id)
            return [{"id": None, "success": True, "errors": []} for _ in ids]
        out = []
        for record in json["records"]:
            fields = {k: v for k, v in record.items() if k not in ("attributes", "Id")}
            if method == "POST":
                self._ids += 1
                record_id = f"id{self._ids}"
                self.rows[record_id] = fields
            else:
                record_id = record["Id"]
                self.rows[record_id].update(fields)
            out.append({"id": record_id if method == "POST" else None, "success": True, "errors": []})
        return out

    def _delete(self, record_id: str) -> None:
        self.rows.pop(record_id, None)
        for child in [k for k, v in self.rows.items() if v.get("ParentId") == record_id]:
            self._delete(child)

    def query(self, soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
        self.calls += 1
        self.reads.append(soql)
        if self._blind_after is not None and self.writes >= self._blind_after:
            raise TransientOrgError("REQUEST_LIMIT_EXCEEDED")
        if "IsOwnedByProfile" in soql:
            self.log.append(("QUERY", soql, None))
            return [{"Id": "0PSowned"}]
        if " IN (" in soql:
            wanted = re.findall(r"'([^']+)'", soql.split(" IN ", 1)[1])
            return [self._row(i) for i in wanted if i in self.rows]
        equals = dict(re.findall(r"(\w+) = '([^']*)'", soql))
        return [
            self._row(i) for i, r in self.rows.items() if all(str(r.get(k)) == v for k, v in equals.items())
        ]

    def _row(self, record_id: str) -> dict[str, Any]:
        return {"Id": record_id, "LastModifiedDate": STAMP, "SystemModstamp": STAMP, **self.rows[record_id]}


def _change(step: Step, action: Action, sobject: str, key: str, **kw: Any) -> Change:
    return Change(
        step,
        action,
        sobject,
        key,
        kw.pop("setup", f"set up {key}"),
        frozen_map(kw.pop("values", {})),
        frozen_map(kw.pop("refs", {})),
        **kw,
    )


PROFILE = _change(Step.PROFILE, Action.CREATE, "Profile", "Profile:Up API", values={"Name": "Up API"})
SET = _change(Step.PERMISSION_SET, Action.CREATE, "PermissionSet", "PermissionSet:Up", values={"Name": "Up"})
ROW_ON_SET = _change(
    Step.ROWS_GROW,
    Action.CREATE,
    "ObjectPermissions",
    "set/Account",
    values={"SobjectType": "Account"},
    refs={"ParentId": "PermissionSet:Up"},
)
ROW_ON_PROFILE = _change(
    Step.ROWS_GROW,
    Action.CREATE,
    "ObjectPermissions",
    "profile/Lead",
    values={"SobjectType": "Lead"},
    refs={"ParentId": "ProfileSet:Up API"},
)
UPDATE = _change(
    Step.ROWS_GROW,
    Action.UPDATE,
    "ObjectPermissions",
    "set/Case",
    values={"PermissionsEdit": True},
    record_id="110case",
    before={"PermissionsEdit": False},
)
DELETE = _change(Step.ROWS_SHRINK, Action.DELETE, "ObjectPermissions", "set/Lead", record_id="110lead")
DELETE2 = _change(Step.ROWS_SHRINK, Action.DELETE, "ObjectPermissions", "set/Deal", record_id="110deal")
EXISTING = {"110case": {"PermissionsEdit": False}, "110lead": {}, "110deal": {}}


def _plan(*changes: Change, findings: tuple[Finding, ...] = ()) -> ChangeSet:
    return ChangeSet("Up", "u@x", changes=changes, findings=findings)


def test_each_call_is_one_step_sobject_and_verb_with_ids_filled_in_from_earlier_creates() -> None:
    org = FakeOrg()
    result = apply(_plan(PROFILE, SET, ROW_ON_SET, ROW_ON_PROFILE, UPDATE, DELETE, DELETE2), org)

    assert [(m, j, p) for m, j, p in org.log] == [
        (
            "POST",
            {"allOrNone": True, "records": [{"attributes": {"type": "Profile"}, "Name": "Up API"}]},
            None,
        ),
        ("QUERY", "SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = true AND ProfileId = 'id1'", None),
        (
            "POST",
            {"allOrNone": True, "records": [{"attributes": {"type": "PermissionSet"}, "Name": "Up"}]},
            None,
        ),
        (
            "POST",
            {
                "allOrNone": True,
                "records": [
                    {
                        "attributes": {"type": "ObjectPermissions"},
                        "SobjectType": "Account",
                        "ParentId": "id2",
                    },
                    {
                        "attributes": {"type": "ObjectPermissions"},
                        "SobjectType": "Lead",
                        "ParentId": "0PSowned",
                    },
                ],
            },
            None,
        ),
        (  # an update: sObject Rows, on condition the row is unmodified since it was just read
            "PATCH",
            "sobjects/ObjectPermissions/110case",
            ({"PermissionsEdit": True}, {"If-Unmodified-Since": "Sat, 05 Dec 2026 10:00:00 GMT"}),
        ),
        ("DELETE", None, {"ids": "110lead,110deal", "allOrNone": "true"}),
    ]
    # the rows to update or delete are read first (still as plan read them?), one query per batch
    assert [r for r in org.reads if "IsOwnedByProfile" not in r] == [
        "SELECT Id, LastModifiedDate, PermissionsEdit, SystemModstamp FROM ObjectPermissions WHERE Id IN ('110case')",
        "SELECT Id, LastModifiedDate, SystemModstamp FROM ObjectPermissions WHERE Id IN ('110deal','110lead')",
    ]
    assert [(e.change.key, e.record_id) for e in result.entries] == [
        ("Profile:Up API", "id1"),
        ("PermissionSet:Up", "id2"),
        ("set/Account", "id3"),
        ("profile/Lead", "id4"),
        ("set/Case", "110case"),
        ("set/Lead", "110lead"),
        ("set/Deal", "110deal"),
    ]
    assert dict(result.entries[0].values) == {"Name": "Up API", "_owned_set": "0PSowned"}
    assert dict(result.entries[2].values) == {"SobjectType": "Account", "ParentId": "id2"}
    assert result.calls == 8


def test_profiles_go_one_by_one_and_batches_stop_at_the_collection_limit() -> None:
    second = _change(Step.PROFILE, Action.CREATE, "Profile", "Profile:Other", values={"Name": "Other"})
    rows = [
        _change(Step.ROWS_GROW, Action.UPDATE, "ObjectPermissions", f"r{n}", record_id=f"110{n}")
        for n in range(BATCH + 1)
    ]
    org = FakeOrg(rows={f"110{n}": {} for n in range(BATCH + 1)})
    apply(_plan(PROFILE, second, *rows), org)
    composite = [len(j["records"]) if isinstance(j, dict) else m for m, j, _ in org.log if j != "rows"]
    assert composite[:4] == [1, "QUERY", 1, "QUERY"]
    # updates go row by row (sObject Rows, conditional), after one read per batch of at most BATCH rows
    assert sum(1 for m, j, _ in org.log if isinstance(j, str) and j.startswith("sobjects/")) == BATCH + 1
    assert [r.count("'110") for r in org.reads if " IN (" in r] == [BATCH, 1]


def test_a_plan_with_blockers_is_refused_before_any_call() -> None:
    org = FakeOrg()
    blocked = _plan(
        SET,
        findings=(
            Finding(FindingKind.BLOCKER, "X", "package 'X' is not installed"),
            Finding(FindingKind.NOTE, "n", "a note"),
            Finding(FindingKind.BLOCKER, "Y", "license 'Y' is not in this org"),
        ),
    )
    with pytest.raises(PlanBlocked) as caught:
        apply(blocked, org)
    assert (
        caught.value.message == "cannot apply: package 'X' is not installed; license 'Y' is not in this org"
    )
    assert org.calls == 0
    assert apply(_plan(SET, findings=(Finding(FindingKind.NOTE, "n", "a note"),)), FakeOrg()).entries


def test_a_refused_record_is_named_by_its_setup_words_and_everything_before_is_undone() -> None:
    refused = [
        {
            "success": False,
            "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": "rolled back"}],
        },
        {"success": False, "errors": [{"statusCode": "FIELD_INTEGRITY_EXCEPTION", "message": "bad field"}]},
    ]
    org = FakeOrg(refuse={2: refused})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET, ROW_ON_SET), org)
    error = caught.value
    assert isinstance(error.cause, WriteError) and error.cause.status == 400
    assert error.cause.message == "set up set/Account: bad field"
    assert error.error_code == "FIELD_INTEGRITY_EXCEPTION" and error.restored and error.failed is ROW_ON_SET
    assert str(error).startswith(
        "FIELD_INTEGRITY_EXCEPTION: apply failed at: set up set/Account (POST ObjectPermissions"
    )
    assert (
        "because WriteError: FIELD_INTEGRITY_EXCEPTION: set up set/Account: bad field [FIELD_INTEGRITY_EXCEPTION]"
        in str(error)
    )
    assert "the 1 change(s) already made were undone: the org is as before" in str(error)
    assert org.log[-1] == ("DELETE", None, {"ids": "id1", "allOrNone": "true"})


def test_a_rolled_back_only_answer_or_a_short_answer_is_still_a_failure() -> None:
    for answer in ([{"success": True}], "oops", [{"success": True}, {"success": True}, {"success": True}]):
        with pytest.raises(ApplyError) as caught:
            apply(_plan(SET, ROW_ON_SET, ROW_ON_SET), FakeOrg(refuse={2: answer}))
        assert "unexpected answer to a ObjectPermissions collection call" in str(caught.value)
    rolled = [{"success": False, "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK"}]}]
    result = apply(_plan(SET), FakeOrg(refuse={1: [{"id": "idX", **rolled[0]}]}))
    assert [e.record_id for e in result.entries] == [
        "idX"
    ]  # nothing but a roll-back: not this record's fault


def test_a_failure_at_the_first_write_changed_nothing() -> None:
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET), FakeOrg(fail={1: TransientOrgError("503 Service Unavailable")}))
    assert caught.value.restored and not caught.value.done
    assert str(caught.value).endswith(
        "because TransientOrgError: 503 Service Unavailable\n  nothing had been changed: the org is as before"
    )


def test_after_the_user_is_created_nothing_is_undone_and_what_stays_is_listed() -> None:
    user = _change(Step.USER, Action.CREATE, "User", "User:u@x", setup="New User u@x")
    assign = _change(Step.ASSIGNMENT, Action.CREATE, "PermissionSetAssignment", "u@x/Up")
    org = FakeOrg(fail={3: OrgError("no", error_code="X")})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, user, assign), org)
    error = caught.value
    assert not error.restored and [e.record_id for e in error.done] == ["id1", "id2"]
    assert "the user was already created (Salesforce cannot delete users), so nothing was undone." in str(
        error
    )
    assert "  - created User id2 (New User u@x)\n  re-run apply to finish the job" in str(error)
    assert [m for m, _, _ in org.log] == ["POST", "POST", "POST"]


def test_an_incomplete_undo_lists_what_remains() -> None:
    stuck = [{"success": False, "errors": [{"statusCode": "DELETE_FAILED", "message": "in use"}]}]
    org = FakeOrg(fail={2: TransientOrgError("down")}, refuse={3: stuck})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET), org)
    error = caught.value
    assert not error.restored and [e.record_id for e in error.done] == ["id1"]
    assert (
        "undo was incomplete; these changes remain in the org:\n  - created PermissionSet id1 (set up PermissionSet:Up)"
        in str(error)
    )


def test_a_bug_or_ctrl_c_mid_apply_still_undoes() -> None:
    org = FakeOrg(fail={2: KeyboardInterrupt()})  # type: ignore[dict-item]
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET), org)
    assert caught.value.restored and caught.value.cause.message == "interrupted by KeyboardInterrupt"
    assert isinstance(caught.value.__cause__, KeyboardInterrupt)
    assert org.log[-1][0] == "DELETE"


def test_a_ref_to_a_record_not_created_is_an_internal_error() -> None:
    with pytest.raises(ApplyError) as caught:
        apply(_plan(ROW_ON_SET), FakeOrg())
    assert caught.value.cause.message == "internal: PermissionSet:Up was not created before set/Account"


def test_a_profile_without_its_own_set_fails_and_is_undone() -> None:
    org = FakeOrg()
    org.query = lambda soql, tooling=False: []  # type: ignore[method-assign]
    with pytest.raises(ApplyError) as caught:
        apply(_plan(PROFILE), org)
    assert caught.value.cause.message == "profile id1 has no permission set of its own"
    assert caught.value.restored and org.log[-1] == ("DELETE", None, {"ids": "id1", "allOrNone": "true"})


def test_undo_after_a_failure_sends_each_update_back_and_the_error_keeps_the_causes_status() -> None:
    org = FakeOrg(fail={2: WriteError("refused", error_code="X", status=400)})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(UPDATE, DELETE), org)
    assert (caught.value.status, caught.value.failed) == (400, DELETE)
    assert org.log[-1] == (
        "PATCH",
        "sobjects/ObjectPermissions/110case",
        ({"PermissionsEdit": False}, {"If-Unmodified-Since": "Sat, 05 Dec 2026 10:00:00 GMT"}),
    )
    assert caught.value.restored and org.rows["110case"] == {"PermissionsEdit": False}


def test_what_stays_is_listed_one_line_each() -> None:
    user = _change(Step.USER, Action.CREATE, "User", "User:u@x", setup="New User u@x")
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, user, DELETE), FakeOrg(fail={3: OrgError("no")}))
    assert caught.value.failed is DELETE
    assert str(caught.value).endswith(
        "  the org now holds:\n  - created PermissionSet id1 (set up PermissionSet:Up)\n"
        "  - created User id2 (New User u@x)\n  re-run apply to finish the job"
    )
    stuck = [{"success": False, "errors": [{"statusCode": "DELETE_FAILED", "message": "in use"}]}]
    org = FakeOrg(fail={3: TransientOrgError("down")}, refuse={4: stuck, 5: stuck})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, UPDATE, DELETE), org)
    assert caught.value.failed is DELETE
    assert str(caught.value).endswith(
        "remain in the org:\n  - created PermissionSet id1 (set up PermissionSet:Up)\n"
        "  - updated ObjectPermissions 110case (set up set/Case)\n"
        "  re-run apply to finish the job (it plans only what is missing)"
    )


def test_a_record_reported_successful_is_not_a_failure_and_long_api_terms_are_cut() -> None:
    odd = [{"id": "idA", "success": True, "errors": [{"statusCode": "SOME_WARNING"}]}]
    assert [e.record_id for e in apply(_plan(SET), FakeOrg(refuse={1: odd})).entries] == ["idA"]
    wide = _change(
        Step.PERMISSION_SET, Action.CREATE, "PermissionSet", "k", values={"Description": "d" * 300}
    )
    with pytest.raises(ApplyError) as caught:
        apply(_plan(wide), FakeOrg(fail={1: OrgError("no")}))
    assert f"({wide.api()[:200]})\n  because" in str(caught.value)


# --- three states: not sent, done, unknown -------------------------------------------------------------


def test_a_lost_answer_to_a_create_that_happened_is_found_in_the_org_and_not_sent_again() -> None:
    org = FakeOrg(after={1: AnswerLost("no answer")})
    result = apply(_plan(SET, ROW_ON_SET), org)
    assert [m for m, _, _ in org.log] == ["POST", "POST"]  # the set once, then its row
    assert [e.record_id for e in result.entries] == ["id1", "id2"]
    assert org.rows["id2"]["ParentId"] == "id1"  # the found Id fills the row's reference
    assert "SELECT Id FROM PermissionSet WHERE Name = 'Up'" in org.reads


def test_a_lost_answer_to_a_create_that_did_not_happen_is_sent_once_more() -> None:
    org = FakeOrg(fail={1: AnswerLost("no answer")})
    result = apply(_plan(SET), org)
    assert [m for m, _, _ in org.log] == ["POST", "POST"]
    assert [e.record_id for e in result.entries] == ["id1"]
    assert sorted(org.rows) == sorted([*EXISTING, "id1"])  # one set, not two


def test_a_lost_answer_to_an_update_that_happened_counts_as_done() -> None:
    org = FakeOrg(after={1: AnswerLost("no answer")})
    result = apply(_plan(UPDATE), org)
    assert [e.record_id for e in result.entries] == ["110case"]
    assert len(org.log) == 1 and org.rows["110case"] == {"PermissionsEdit": True}


def test_ctrl_c_while_a_write_that_happened_was_in_flight_undoes_it_and_says_so() -> None:
    org = FakeOrg(after={2: KeyboardInterrupt()})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET), org)
    error = caught.value
    assert error.restored and "the 2 change(s) already made were undone: the org is as before" in str(error)
    assert "nothing had been changed" not in str(error)
    assert set(org.rows) == set(EXISTING)  # the set (and its row, by cascade) are gone


def test_a_lost_answer_that_cannot_be_resolved_is_reported_as_unknown() -> None:
    org = FakeOrg(fail={1: AnswerLost("no answer")})
    org.query = _failing_query  # type: ignore[method-assign]
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET), org)
    error = caught.value
    assert not error.restored
    assert "create PermissionSet (set up PermissionSet:Up): outcome unknown" in str(error)


def _failing_query(soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
    raise TransientOrgError("down")


def test_an_update_to_a_row_changed_since_plan_is_refused_and_nothing_is_written() -> None:
    org = FakeOrg(rows={**EXISTING, "110case": {"PermissionsEdit": True}})  # someone granted it meanwhile
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, UPDATE), org)
    error = caught.value
    assert isinstance(error.cause, ConflictError) and error.restored
    assert "changed in the org since plan read it (PermissionsEdit); plan again" in str(error)
    assert [m for m, _, _ in org.log] == ["POST", "DELETE"]  # the set, then its undo: no PATCH


def test_a_412_on_the_conditional_update_stops_apply_and_undoes_the_rest() -> None:
    org = FakeOrg(fail={2: ConflictError("modified since", status=412)})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, UPDATE), org)
    assert isinstance(caught.value.cause, ConflictError) and caught.value.restored
    assert org.rows["110case"] == {"PermissionsEdit": False}


def test_a_row_to_delete_that_is_already_gone_is_skipped_and_one_changed_since_is_refused() -> None:
    org = FakeOrg(rows={"110deal": {}})
    result = apply(_plan(DELETE, DELETE2), org)
    assert [e.record_id for e in result.entries] == ["110deal"]
    assert org.log == [("DELETE", None, {"ids": "110deal", "allOrNone": "true"})]
    changed = _change(
        Step.ROWS_SHRINK,
        Action.DELETE,
        "ObjectPermissions",
        "set/Lead",
        record_id="110lead",
        before={"PermissionsRead": True},
    )
    org = FakeOrg(rows={"110lead": {"PermissionsRead": True, "PermissionsEdit": True}})
    assert apply(_plan(changed), org).entries  # unchanged fields: deleted
    org = FakeOrg(rows={"110lead": {"PermissionsRead": False}})
    with pytest.raises(ApplyError, match="changed in the org since plan read it"):
        apply(_plan(changed), org)
    assert "110lead" in org.rows


def test_a_second_ctrl_c_during_undo_lists_what_was_not_undone_and_saves_it(tmp_path: Any) -> None:
    org = FakeOrg(fail={3: TransientOrgError("down"), 4: KeyboardInterrupt()})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET, UPDATE), org, journal_folder=tmp_path)
    error = caught.value
    text = str(error)
    assert not error.restored
    assert "interrupted again while undoing; these changes may remain in the org" in text
    assert "not read back" in text and "created PermissionSet id1" in text
    assert error.saved is not None and error.saved.parent == tmp_path
    saved = pending.load(org.instance_url, tmp_path)
    assert saved is not None and not saved.read_back
    assert any("created PermissionSet id1" in line for line in saved.remaining)
    assert oct(error.saved.stat().st_mode & 0o777) == "0o600"


def test_what_may_remain_is_saved_for_plan_and_a_completed_apply_clears_it(tmp_path: Any) -> None:
    stuck = [{"success": False, "errors": [{"statusCode": "DELETE_FAILED", "message": "in use"}]}]
    org = FakeOrg(fail={2: TransientOrgError("down")}, refuse={3: stuck})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET), org, journal_folder=tmp_path)
    saved = pending.load(org.instance_url, tmp_path)
    assert (
        saved is not None
        and saved.read_back
        and caught.value.saved == pending.path_for(org.instance_url, tmp_path)
    )
    assert saved.remaining == ("created PermissionSet id1 (set up PermissionSet:Up)",)
    assert "leastforce plan` shows it" in str(caught.value)
    apply(_plan(DELETE), FakeOrg(), journal_folder=tmp_path)
    assert pending.load(org.instance_url, tmp_path) is None


def test_a_lost_answer_to_an_update_that_did_not_happen_is_sent_again_on_the_same_condition() -> None:
    org = FakeOrg(fail={1: AnswerLost("no answer")})
    result = apply(_plan(UPDATE), org)
    assert [e.record_id for e in result.entries] == ["110case"]
    header = {"If-Unmodified-Since": "Sat, 05 Dec 2026 10:00:00 GMT"}
    assert org.log == [
        ("PATCH", "sobjects/ObjectPermissions/110case", ({"PermissionsEdit": True}, header)),
        ("PATCH", "sobjects/ObjectPermissions/110case", ({"PermissionsEdit": True}, header)),
    ]
    assert org.rows["110case"] == {"PermissionsEdit": True}


def test_the_calls_counted_are_this_applys_only() -> None:
    org = FakeOrg()
    org.calls = 40  # calls made before (the plan's reads)
    assert apply(_plan(SET), org).calls == 1


def test_a_row_deleted_since_plan_stops_apply() -> None:
    org = FakeOrg(rows={})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(UPDATE), org)
    assert isinstance(caught.value.cause, ConflictError)
    assert "set up set/Case: the row was deleted since plan read it; plan again" in str(caught.value)


def test_part_of_an_all_or_none_call_found_after_a_lost_answer_is_undone() -> None:
    org = FakeOrg(after={2: AnswerLost("no answer")})
    org.rows["idX"] = {"ParentId": "id1", "SobjectType": "Account"}  # only one of the two rows found
    second = _change(
        Step.ROWS_GROW,
        Action.CREATE,
        "ObjectPermissions",
        "set/Case",
        values={"SobjectType": "Case"},
        refs={"ParentId": "PermissionSet:Up"},
    )
    org._apply = lambda method, json, params: [{"id": None, "success": True, "errors": []}]  # type: ignore[method-assign]
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET, second), org)
    assert "ObjectPermissions: part of an all-or-none call is in the org" in str(caught.value)


def test_a_blocked_plan_says_how_to_unblock() -> None:
    blocked = _plan(SET, findings=(Finding(FindingKind.BLOCKER, "X", "package 'X' is not installed"),))
    with pytest.raises(PlanBlocked) as caught:
        apply(blocked, FakeOrg())
    assert (
        caught.value.hint
        == "fix these in the org first (install the package, buy the license), then plan again"
    )
    refused = FakeOrg(fail={1: OrgError("no", error_code="X", hint="ask the admin")})
    with pytest.raises(ApplyError) as failed:
        apply(_plan(SET), refused)
    assert failed.value.hint == "ask the admin"  # the cause's hint goes with the error


# --- when the org cannot be read back --------------------------------------------------------------


def test_undone_but_not_read_back_says_so_and_still_counts_as_restored(tmp_path: Any) -> None:
    org = FakeOrg(fail={2: TransientOrgError("down")}, blind_after=3)  # reads fail once undo has written
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET), org, journal_folder=tmp_path)
    error = caught.value
    assert error.restored and not error.done and error.saved is None
    assert str(error).endswith(
        "the 1 change(s) already made were undone: the org is as before "
        "(undo succeeded; the org could not be read back to confirm)"
    )
    assert pending.load(org.instance_url, tmp_path) is None


def test_an_incomplete_undo_not_read_back_lists_what_undo_left_from_the_journal(tmp_path: Any) -> None:
    stuck = [{"success": False, "errors": [{"statusCode": "DELETE_FAILED", "message": "in use"}]}]
    org = FakeOrg(fail={3: TransientOrgError("down")}, refuse={4: stuck}, blind_after=3)
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET, UPDATE), org, journal_folder=tmp_path)
    error = caught.value
    assert not error.restored and error.failed is UPDATE
    assert [e.record_id for e in error.done] == ["id1"]  # the set undo could not delete; its row went with
    assert (
        "undo was incomplete; these changes remain in the org (the org could not be read back: from apply's "
        "journal):\n  - created PermissionSet id1 (set up PermissionSet:Up)\n"
    ) in str(error)
    saved = pending.load(org.instance_url, tmp_path)
    assert (
        saved is not None
        and not saved.read_back
        and saved.failed_at.startswith("apply failed at: set up set/Case")
    )
    assert saved.remaining == ("created PermissionSet id1 (set up PermissionSet:Up)",)


def test_after_the_user_without_read_back_the_journal_is_listed() -> None:
    user = _change(Step.USER, Action.CREATE, "User", "User:u@x", setup="New User u@x")
    org = FakeOrg(fail={3: OrgError("no")}, blind_after=2)
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, user, DELETE), org)
    error = caught.value
    assert not error.restored and [e.record_id for e in error.done] == ["id1", "id2"]
    assert "the org now holds (the org could not be read back: from apply's journal):" in str(error)


def test_a_second_ctrl_c_reports_exactly_the_entries_not_undone() -> None:
    org = FakeOrg(fail={3: TransientOrgError("down"), 4: KeyboardInterrupt()})
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET, ROW_ON_SET, UPDATE, DELETE), org)
    error = caught.value
    # undo: the row goes with its set, so its first write is the set's delete (4): Ctrl-C there
    assert error.failed is UPDATE and not error.restored and error.saved is None
    assert [e.record_id for e in error.done] == ["id1"]
    assert str(error).endswith(
        "(from apply's journal, not read back):\n  - created PermissionSet id1 (set up PermissionSet:Up)"
    )


def test_a_second_ctrl_c_while_resolving_names_the_unknown_write() -> None:
    org = FakeOrg(fail={1: AnswerLost("no answer")})
    calls = {"n": 0}

    def interrupted(soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
        calls["n"] += 1
        raise KeyboardInterrupt

    org.query = interrupted  # type: ignore[method-assign]
    with pytest.raises(ApplyError) as caught:
        apply(_plan(SET), org)
    error = caught.value
    assert not error.restored and error.done == () and error.failed is SET
    assert "  - create PermissionSet (set up PermissionSet:Up): outcome unknown" in str(error)
