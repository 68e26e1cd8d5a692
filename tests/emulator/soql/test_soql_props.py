"""Property tests: the SOQL engine agrees with a plain Python reference, and never crashes."""

from __future__ import annotations

import contextlib
import fnmatch
import operator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_soql_fake import FakeSource, sid

from leastforce.emulator.soql import SoqlError, execute, parse_soql

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ints = st.one_of(st.none(), st.integers(-3, 3))
strings = st.one_of(st.none(), st.text("aAb' \\", max_size=3))


def quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def int_leaf(draw: st.DrawFn, prefix: str = "") -> tuple[str, Any]:
    op = draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "= null", "!= null"]))
    if op in ("= null", "!= null"):
        return f"{prefix}NumberOfFailedLogins {op}", ("int", op, None)
    if op in ("IN", "NOT IN"):
        values = draw(st.lists(st.integers(-3, 3), min_size=1, max_size=3))
        return f"{prefix}NumberOfFailedLogins {op} ({', '.join(map(str, values))})", ("int", op, values)
    value = draw(st.integers(-3, 3))
    return f"{prefix}NumberOfFailedLogins {op} {value}", ("int", op, value)


@st.composite
def str_leaf(draw: st.DrawFn, prefix: str = "") -> tuple[str, Any]:
    op = draw(st.sampled_from(["=", "!=", "IN", "NOT IN", "LIKE"]))
    if op == "LIKE":
        pattern = draw(st.text("aAb%_", max_size=4))
        return f"{prefix}LastName LIKE {quote(pattern)}", ("str", op, pattern)
    if op in ("IN", "NOT IN"):
        values = draw(st.lists(st.text("aAb' \\", max_size=3), min_size=1, max_size=3))
        return f"{prefix}LastName {op} ({', '.join(map(quote, values))})", ("str", op, values)
    value = draw(st.text("aAb' \\", max_size=3))
    return f"{prefix}LastName {op} {quote(value)}", ("str", op, value)


def conditions(prefix: str = "") -> st.SearchStrategy[tuple[str, Any]]:
    leaves = st.one_of(int_leaf(prefix), str_leaf(prefix))

    def extend(children: st.SearchStrategy[tuple[str, Any]]) -> st.SearchStrategy[tuple[str, Any]]:
        combined = st.tuples(st.sampled_from(["AND", "OR"]), st.lists(children, min_size=2, max_size=3)).map(
            lambda t: (f" {t[0]} ".join(f"({c[0]})" for c in t[1]), (t[0], [c[1] for c in t[1]]))
        )
        negated = children.map(lambda c: (f"NOT ({c[0]})", ("NOT", c[1])))
        return st.one_of(combined, negated)

    return st.recursive(leaves, extend, max_leaves=6)


def reference(tree: Any, row: dict[str, Any]) -> bool:
    """SOQL semantics in plain Python: case-insensitive text, != and NOT IN match null."""
    head = tree[0]
    if head == "AND":
        return all(reference(t, row) for t in tree[1])
    if head == "OR":
        return any(reference(t, row) for t in tree[1])
    if head == "NOT":
        return not reference(tree[1], row)
    kind, op, value = tree
    actual = row["NumberOfFailedLogins"] if kind == "int" else row["LastName"]
    if op == "= null":
        return actual is None
    if op == "!= null":
        return actual is not None
    if kind == "str" and actual is not None:
        actual = actual.lower()
        value = [v.lower() for v in value] if isinstance(value, list) else value.lower()
    if op in ("!=", "NOT IN"):
        return actual is None or (actual != value if op == "!=" else actual not in value)
    if actual is None:
        return False
    if op == "LIKE":
        return fnmatch.fnmatchcase(actual, value.replace("%", "*").replace("_", "?"))
    compare = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
    if op == "IN":
        return actual in value
    return bool(compare[op](actual, value))


def users(values: list[tuple[int | None, str | None]]) -> dict[str, list[dict[str, Any]]]:
    return {
        "User": [
            {"Id": sid("005", i + 1), "NumberOfFailedLogins": n, "LastName": s, "Username": f"u{i}@x.com"}
            for i, (n, s) in enumerate(values)
        ]
    }


@SETTINGS
@given(st.lists(st.tuples(ints, strings), max_size=8), conditions())
def test_where_agrees_with_reference(
    values: list[tuple[int | None, str | None]], condition: tuple[str, Any]
) -> None:
    text, tree = condition
    data = users(values)
    result = execute(parse_soql(f"SELECT Id FROM User WHERE {text}"), FakeSource(data))
    expected = [row["Id"] for row in data["User"] if reference(tree, row)]
    assert [r["Id"] for r in result.records] == expected


@SETTINGS
@given(
    st.lists(st.tuples(ints, strings), max_size=6),
    st.lists(st.integers(0, 7), max_size=10),
    conditions("Assignee."),
    conditions("Assignee."),
)
def test_parent_conditions_agree_with_reference(
    values: list[tuple[int | None, str | None]],
    assignees: list[int],
    first: tuple[str, Any],
    second: tuple[str, Any],
) -> None:
    """Relationship filters (and the parent-id hints derived from them) match a plain evaluation."""
    data = users(values)
    by_id = {u["Id"]: u for u in data["User"]}
    data["PermissionSetAssignment"] = [
        {"Id": sid("0Pa", i + 1), "AssigneeId": sid("005", n) if n else None} for i, n in enumerate(assignees)
    ]
    text = f"SELECT Id FROM PermissionSetAssignment WHERE ({first[0]}) AND ({second[0]})"
    with_hints = execute(parse_soql(text), FakeSource(data))
    without = execute(parse_soql(text), FakeSource(data, use_hints=False))
    empty = {"NumberOfFailedLogins": None, "LastName": None}
    expected = [
        r["Id"]
        for r in data["PermissionSetAssignment"]
        if reference(first[1], user := by_id.get(r["AssigneeId"], empty)) and reference(second[1], user)
    ]
    assert [r["Id"] for r in with_hints.records] == [r["Id"] for r in without.records] == expected


@SETTINGS
@given(
    st.lists(st.tuples(ints, strings), max_size=12),
    st.integers(0, 5),
    st.integers(0, 3),
    st.booleans(),
    st.booleans(),
)
def test_limit_window_equals_slice_of_full_order(
    values: list[tuple[int | None, str | None]], limit: int, offset: int, desc: bool, nulls_last: bool
) -> None:
    order = f"ORDER BY NumberOfFailedLogins {'DESC' if desc else 'ASC'} NULLS {'LAST' if nulls_last else 'FIRST'}, LastName"
    source = FakeSource(users(values))
    full = [r["Id"] for r in execute(parse_soql(f"SELECT Id FROM User {order}"), source).records]
    window = execute(parse_soql(f"SELECT Id FROM User {order} LIMIT {limit} OFFSET {offset}"), source)
    assert [r["Id"] for r in window.records] == full[offset : offset + limit]
    numbers = [n for n, _ in values]
    present = sorted((n for n in numbers if n is not None), reverse=desc)
    nulls: list[int | None] = [None] * numbers.count(None)
    expected_numbers = [*present, *nulls] if nulls_last else [*nulls, *present]
    by_id = {sid("005", i + 1): n for i, (n, _) in enumerate(values)}
    assert [by_id[i] for i in full] == expected_numbers


VOCABULARY = [
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LIKE",
    "ORDER",
    "BY",
    "LIMIT",
    "OFFSET",
    "GROUP",
    "COUNT",
    "COUNT_DISTINCT",
    "MAX",
    "DESC",
    "NULLS",
    "LAST",
    "(",
    ")",
    ",",
    ".",
    "=",
    "!=",
    "<",
    ">=",
    "'",
    "\\",
    "'x'",
    "'X%'",
    "1",
    "-2.5",
    "null",
    "TRUE",
    "TODAY",
    "LAST_N_DAYS:3",
    ":",
    "2026-01-31",
    "2026-02-30",
    "2026-01-31T00:00:00Z",
    "Id",
    "User",
    "Name",
    "LastName",
    "IsActive",
    "CreatedDate",
    "NumberOfFailedLogins",
    "Profile",
]


@SETTINGS
@given(st.text(max_size=60))
def test_random_text_raises_only_soql_error(text: str) -> None:
    try:
        parse_soql(text)
    except SoqlError as err:
        assert err.error_code == "MALFORMED_QUERY"


PREFIXES = [
    "",
    "SELECT Id FROM User WHERE ",
    "SELECT Id, Profile.Name FROM User ",
    "SELECT COUNT(Id) FROM User ",
]


@SETTINGS
@given(st.sampled_from(PREFIXES), st.lists(st.sampled_from(VOCABULARY), max_size=16))
def test_random_token_soup_raises_only_soql_error(prefix: str, words: list[str]) -> None:
    text = prefix + " ".join(words)
    try:
        query = parse_soql(text)
    except SoqlError as err:
        assert err.error_code == "MALFORMED_QUERY"
        return
    with contextlib.suppress(SoqlError):
        execute(query, FakeSource(users([(1, "a")])))
