"""Whole-org reads through Bulk API 2.0 query jobs (org/read/bulk.py) against the local org: the same
snapshot as REST, the API picked per table with its reason, REST where Bulk API cannot run the query."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leastforce.org.client import Session, SimpleSalesforceClient
from leastforce.org.read import bulk
from leastforce.org.read.bulk import BulkRefused, ReadApi, bulk_rows, choose_apis, unsupported
from leastforce.org.read.whole_org import TABLES, read_tables, snapshot_from_tables

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def _client(org: Any) -> SimpleSalesforceClient:
    return SimpleSalesforceClient(Session(org.instance_url, org.admin_token, org.ca_bundle))


def test_bulk_and_rest_reads_give_the_same_snapshot(emulator: Any) -> None:
    rest_tables, rest = read_tables(lambda: _client(emulator), api=ReadApi.REST)
    bulk_tables, forced = read_tables(lambda: _client(emulator), api=ReadApi.BULK)
    apis = {a.table: a for a in forced.apis}
    assert apis["FieldPermissions"].api is ReadApi.BULK
    assert apis["PermissionSet"].api is ReadApi.REST  # FIELDS(STANDARD): Bulk API 2.0 refuses FIELDS()
    assert "FIELDS()" in apis["PermissionSet"].reason
    assert {t: len(r) for t, r in bulk_tables.items()} == {t: len(r) for t, r in rest_tables.items()}
    assert replace(snapshot_from_tables(bulk_tables), taken_at=WHEN) == replace(
        snapshot_from_tables(rest_tables), taken_at=WHEN
    )
    assert forced.rows == rest.rows


def test_auto_reads_tables_above_the_threshold_through_bulk(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_THRESHOLD", 100)
    client = _client(emulator)
    plan = choose_apis(client, TABLES, ReadApi.AUTO)
    assert client.calls == 1  # one /limits/recordCount for every table
    assert plan["FieldPermissions"].api is ReadApi.BULK and "> 100" in plan["FieldPermissions"].reason
    assert plan["PermissionSetGroup"].api is ReadApi.REST and "<= 100" in plan["PermissionSetGroup"].reason
    assert plan["MutingPermissionSet"].api is ReadApi.REST  # FIELDS(STANDARD)
    before = len(emulator.requests_log())
    read_tables(lambda: _client(emulator), api=ReadApi.AUTO)
    log = emulator.requests_log()[before:]
    assert any(line.startswith("POST /services/data/v67.0/jobs/query ") for line in log)
    assert not any("FROM FieldPermissions" in line for line in log if "/query " in line)


def test_result_sets_are_followed_by_locator(emulator: Any) -> None:
    client = _client(emulator)
    rows = list(
        bulk_rows(client, "SELECT Id, Parent.Name, PermissionsRead FROM FieldPermissions", max_records=50)
    )
    expected = client.query("SELECT Id FROM FieldPermissions")
    assert sorted(r["Id"] for r in rows) == sorted(r["Id"] for r in expected)
    assert all(isinstance(r["PermissionsRead"], bool) for r in rows)
    assert all(isinstance(r["Parent"]["Name"], str) for r in rows)
    results = [line for line in emulator.requests_log() if "/results" in line]
    assert len(results) == -(-len(rows) // 50)
    assert emulator.context.bulk_jobs.all() == []  # the job was deleted after reading


def test_a_refused_job_falls_back_to_rest_with_the_reason(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BulkRefused, match=r"FIELDS|compound"):
        list(bulk_rows(_client(emulator), "SELECT FIELDS(STANDARD) FROM PermissionSet"))
    monkeypatch.setattr(bulk, "unsupported", lambda soql: None)  # as if leastforce did not know the rule
    tables, stats = read_tables(lambda: _client(emulator), api=ReadApi.BULK)
    used = {a.table: a for a in stats.apis}["PermissionSet"]
    assert used.api is ReadApi.REST and used.reason.startswith("Bulk API refused: ")
    assert len(tables["PermissionSet"]) == len(_client(emulator).query("SELECT Id FROM PermissionSet")) > 0


def test_unsupported_queries_are_known_before_asking() -> None:
    assert unsupported(TABLES["FieldPermissions"]) is None
    assert unsupported("SELECT FIELDS(STANDARD) FROM PermissionSet") is not None
    assert unsupported("SELECT Id, (SELECT Id FROM Assignments) FROM PermissionSet") is not None


def test_snapshot_command_takes_api_option(cli_json: Any, tmp_path: Any) -> None:
    for choice in ("rest", "bulk", "auto"):
        code, body = cli_json("snapshot", "-o", str(tmp_path / f"{choice}.db"), "--api", choice)
        assert code == 0, body
    code, body = cli_json("snapshot", "-o", str(tmp_path / "x.db"), "--api", "soap")
    assert code == 2
    assert os.path.getsize(tmp_path / "bulk.db") > 0


def test_field_rows_of_some_sets_go_through_bulk_when_many_rows_are_expected(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit reads the field rows of its integration users' sets alone (read_field_rows): the API is
    picked on the rows expected of those sets (the table's count in proportion of the sets), and both
    APIs give the same rows."""
    from leastforce.org.read.whole_org import read_field_rows

    monkeypatch.setattr(bulk, "BULK_THRESHOLD", 100)
    client = _client(emulator)
    every = [r["Id"] for r in client.query("SELECT Id FROM PermissionSet")]
    counts = {}
    for row in client.query("SELECT ParentId FROM FieldPermissions"):
        counts[row["ParentId"]] = counts.get(row["ParentId"], 0) + 1
    many = sorted(every, key=lambda i: -counts.get(i, 0))[: len(every) // 2]
    before = len(emulator.requests_log())
    rows, calls = read_field_rows(lambda: _client(emulator), many, all_sets=len(every))
    log = emulator.requests_log()[before:]
    assert any(line.startswith("POST /services/data/v67.0/jobs/query ") for line in log)
    assert calls == len([line for line in log if not line.startswith("GET /services/data/ ")])
    rest, _ = read_field_rows(lambda: _client(emulator), many, api=ReadApi.REST)

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row[k] for k in ("ParentId", "Field", "PermissionsRead", "PermissionsEdit"))

    assert sorted(map(key, rows)) == sorted(map(key, rest))
    assert len(rest) == sum(counts.get(i, 0) for i in many) > 100
    assert rows and all(isinstance(r["PermissionsRead"], bool) for r in rows)

    before = len(emulator.requests_log())
    few, _ = read_field_rows(lambda: _client(emulator), many[-1:], all_sets=10**6)  # ~0 rows expected
    assert not any("jobs/query" in line for line in emulator.requests_log()[before:])
    assert len(few) == counts.get(many[-1], 0)


def test_a_reader_that_stops_early_leaves_no_job_and_no_open_set(emulator: Any) -> None:
    """The next result set is asked for while this one is parsed (bulk_rows): a reader that stops after
    one row still gets the job deleted, and the set asked for ahead is closed, not left half read."""
    client = _client(emulator)
    rows = bulk_rows(client, "SELECT Id FROM FieldPermissions", max_records=20)
    first = next(rows)
    assert first["Id"]
    rows.close()
    assert emulator.context.bulk_jobs.all() == []
    results = [line for line in emulator.requests_log() if "/results" in line]
    assert len(results) == 2  # the set read and the one asked for ahead
    assert len(list(bulk_rows(client, "SELECT Id FROM FieldPermissions", max_records=20))) == len(
        client.query("SELECT Id FROM FieldPermissions")
    )


@given(
    st.lists(st.lists(st.text(alphabet='ab,"\n\r é', max_size=6), min_size=1, max_size=3), max_size=8),
    st.integers(min_value=1, max_value=12),
)
def test_result_set_lines_read_by_chunks_parse_as_the_whole_text(rows: list[list[str]], size: int) -> None:
    """Result sets are read a chunk at a time and cut at whole lines only: a quoted field holding a
    newline (or a CR) parses the same wherever the chunks end."""
    import csv
    import io

    from leastforce.org.read.bulk import _lines

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    text = buffer.getvalue()
    assert list(csv.reader(_lines(io.StringIO(text), size))) == list(
        csv.reader(io.StringIO(text, newline=""))
    )
