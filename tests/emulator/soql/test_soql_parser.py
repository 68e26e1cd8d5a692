"""Parser and lexer of the emulator's SOQL engine: syntax tree, escapes, Salesforce-style errors."""

from __future__ import annotations

import pytest

from leastforce.emulator.soql import Query, SoqlError, parse_soql
from leastforce.emulator.soql.dates import date_range, is_date_literal
from leastforce.emulator.soql.syntax import (
    Aggregate,
    And,
    Comparison,
    FieldPath,
    LiteralKind,
    Not,
    Or,
    OrderItem,
    SubQuery,
)


def _where(text: str) -> Comparison:
    where = parse_soql(f"SELECT Id FROM User WHERE {text}").where
    assert isinstance(where, Comparison)
    return where


def _malformed(text: str) -> str:
    with pytest.raises(SoqlError) as info:
        parse_soql(text)
    assert info.value.error_code == "MALFORMED_QUERY"
    return info.value.message


def test_full_query_structure() -> None:
    q = parse_soql(
        "select Id, Assignee.Profile.Name, (SELECT Id FROM PermissionSetAssignments) "
        "from User u where IsActive = TRUE order by Name desc nulls last, Id limit 5 offset 2"
    )
    assert isinstance(q, Query)
    assert q.select[0] == FieldPath(("Id",), 7)
    assert q.select[1] == FieldPath(("Assignee", "Profile", "Name"), 11)
    sub = q.select[2]
    assert isinstance(sub, SubQuery) and sub.query.sobject == "PermissionSetAssignments"
    assert (q.sobject, q.alias, q.limit, q.offset) == ("User", "u", 5, 2)
    assert q.order_by == (
        OrderItem(FieldPath(("Name",), q.text.index("Name desc")), True, True),
        OrderItem(FieldPath(("Id",), q.text.rindex("Id limit")), False, False),
    )
    where = q.where
    assert isinstance(where, Comparison) and where.value.kind is LiteralKind.BOOLEAN  # type: ignore[union-attr]


def test_and_or_not_and_parentheses() -> None:
    where = parse_soql("SELECT Id FROM User WHERE (A = 1 OR B = 2) AND (NOT C = 3) AND D != null").where
    assert isinstance(where, And) and len(where.items) == 3
    assert isinstance(where.items[0], Or)
    assert isinstance(where.items[1], Not)


def test_mixing_and_or_without_parentheses_is_malformed() -> None:
    message = _malformed("SELECT Id FROM A WHERE a = 1 AND b = 2 OR c = 3")
    assert message == (
        "\nSELECT Id FROM A WHERE a = 1 AND b = 2 OR c = 3\n"
        "                                       ^\n"
        "ERROR at Row:1:Column:40\n"
        "unexpected token: 'OR'"
    )


def test_not_after_and_needs_parentheses() -> None:
    assert _malformed("SELECT Id FROM A WHERE a = 1 AND NOT b = 2").endswith("unexpected token: 'NOT'")
    where = parse_soql("SELECT Id FROM A WHERE a = 1 AND (NOT b = 2)").where
    assert isinstance(where, And) and isinstance(where.items[1], Not)


def test_unexpected_end_of_query() -> None:
    assert (
        _malformed("SELECT Id FROM")
        == "\nSELECT Id FROM\n              ^\nERROR at Row:1:Column:15\nunexpected token: '<EOF>'"
    )


def test_error_position_on_a_later_line() -> None:
    message = _malformed("SELECT Id\nFROM User\nWHERE Name = = 'x'")
    assert message.startswith("\nWHERE Name = = 'x'\n             ^\nERROR at Row:3:Column:14\n")


@pytest.mark.parametrize(
    "text", ["", "   ", "SELECT", "SELECT Id", "SELECT , FROM X", "FROM X", "SELECT Id FROM X LIMIT -1"]
)
def test_malformed_queries(text: str) -> None:
    _malformed(text)


def test_keywords_are_case_insensitive() -> None:
    a = parse_soql("SELECT Id FROM User WHERE Name LIKE 'a%' ORDER BY Name ASC NULLS FIRST LIMIT 1")
    b = parse_soql("select Id from User where Name like 'a%' order by Name asc nulls first limit 1")
    assert (a.where, a.order_by, a.limit) == (b.where, b.order_by, b.limit)


@pytest.mark.parametrize(
    ("quoted", "value"),
    [
        (r"'it\'s'", "it's"),
        (r"'say \"hi\"'", 'say "hi"'),
        (r"'back\\slash'", "back\\slash"),
        (r"'line\nbreak\ttab'", "line\nbreak\ttab"),
        (r"'100\%'", "100%"),
        (r"'a\_b'", "a_b"),
    ],
)
def test_string_escapes(quoted: str, value: str) -> None:
    assert _where(f"Name = {quoted}").value.value == value  # type: ignore[union-attr]


def test_like_pattern_keeps_escaped_wildcards_literal() -> None:
    literal = _where(r"Name LIKE 'a\%b_%'").value
    assert literal.like == r"a%b..*"  # type: ignore[union-attr]


def test_unknown_escape_is_malformed() -> None:
    _malformed(r"SELECT Id FROM User WHERE Name = 'a\qb'")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2026-01-31", LiteralKind.DATE),
        ("2026-01-31T00:00:00Z", LiteralKind.DATETIME),
        ("2026-01-31T10:00:00+01:00", LiteralKind.DATETIME),
        ("2026-01-31T10:00:00.123-08:00", LiteralKind.DATETIME),
        ("-12.5", LiteralKind.NUMBER),
        ("42", LiteralKind.NUMBER),
        ("false", LiteralKind.BOOLEAN),
        ("NULL", LiteralKind.NULL),
        ("TODAY", LiteralKind.DATE_LITERAL),
        ("LAST_N_DAYS:30", LiteralKind.DATE_LITERAL),
    ],
)
def test_literal_kinds(text: str, kind: LiteralKind) -> None:
    assert _where(f"CreatedDate > {text}").value.kind is kind  # type: ignore[union-attr]


def test_date_literal_needs_n_exactly_when_named_so() -> None:
    _malformed("SELECT Id FROM User WHERE CreatedDate = LAST_N_DAYS")
    _malformed("SELECT Id FROM User WHERE CreatedDate = TODAY:3")
    _malformed("SELECT Id FROM User WHERE CreatedDate = SOMEDAY")
    assert is_date_literal("N_DAYS_AGO", True) and not is_date_literal("N_DAYS_AGO", False)


def test_in_not_in_and_semi_join() -> None:
    assert _where("Id IN ('a', 'b')").op == "IN"
    cmp = _where("Id NOT IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE IsActive = true)")
    assert cmp.op == "NOT_IN" and isinstance(cmp.value, SubQuery)
    assert cmp.value.query.sobject == "PermissionSetAssignment"
    assert _where("Name <> 'x'").op == "!="


def test_aggregates_and_group_by() -> None:
    q = parse_soql("SELECT COUNT(Id) n, ProfileId FROM User GROUP BY ProfileId")
    assert q.select[0] == Aggregate("COUNT", FieldPath(("Id",), 13), "n", 7)
    assert q.group_by == (FieldPath(("ProfileId",), q.text.rindex("ProfileId")),)
    assert parse_soql("SELECT COUNT() FROM User").is_count
    assert not q.is_count


def test_with_and_for_clauses_are_accepted() -> None:
    q = parse_soql("SELECT Id FROM User WITH SECURITY_ENFORCED LIMIT 1 FOR VIEW")
    assert q.limit == 1


def test_date_ranges() -> None:
    import datetime as dt

    today = dt.date(2026, 11, 24)  # a Tuesday
    assert date_range("TODAY", None, today) == (today, dt.date(2026, 11, 25))
    assert date_range("LAST_N_DAYS", 1, today) == (dt.date(2026, 11, 23), dt.date(2026, 11, 25))
    assert date_range("NEXT_N_DAYS", 2, today) == (dt.date(2026, 11, 25), dt.date(2026, 11, 27))
    assert date_range("THIS_WEEK", None, today) == (dt.date(2026, 11, 22), dt.date(2026, 11, 29))
    assert date_range("LAST_MONTH", None, today) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    assert date_range("THIS_QUARTER", None, today) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert date_range("NEXT_YEAR", None, today) == (dt.date(2027, 1, 1), dt.date(2028, 1, 1))
    assert date_range("N_MONTHS_AGO", 11, today) == (dt.date(2025, 12, 1), dt.date(2026, 1, 1))
    assert date_range("LAST_90_DAYS", None, today)[0] == dt.date(2026, 8, 26)


def test_bind_variables_are_refused_outside_apex() -> None:
    assert _malformed("SELECT Id FROM User WHERE Id = :userId").endswith(
        "Bind variables only allowed in Apex code"
    )
