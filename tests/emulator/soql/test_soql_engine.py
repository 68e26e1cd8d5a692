"""The SOQL engine over an in-memory org: filters, relationships, ordering, errors, REST shapes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

import pytest
from test_soql_fake import FakeSource, sid, small_org

from leastforce.emulator.soql import Filter, QueryResult, SoqlError, execute, parse_soql
from support.paths import SHARED, needs

CORPUS = SHARED / "corpus" / "rest"
NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)


def run(text: str, data: dict[str, list[dict[str, Any]]] | None = None, **kw: Any) -> QueryResult:
    return execute(parse_soql(text), FakeSource(data or small_org()), now=NOW, **kw)


def ids(text: str, data: dict[str, list[dict[str, Any]]] | None = None, **kw: Any) -> list[str]:
    return [r["Id"] for r in run(text, data, **kw).records]


def error(text: str) -> SoqlError:
    with pytest.raises(SoqlError) as info:
        run(text)
    return info.value


def strip_attributes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_attributes(v) for k, v in value.items() if k != "attributes"}
    if isinstance(value, list):
        return [strip_attributes(v) for v in value]
    return value


U1, U2, U3 = sid("005", 1), sid("005", 2), sid("005", 3)


# -- REST shapes against real samples --------------------------------------------------------


@needs(CORPUS, "REST corpus")
def test_shape_matches_sfdx_psa_query_sample() -> None:
    sample = json.loads((CORPUS / "sfpowerscripts__psa_query_sfdx_cli.json").read_text())
    expected = sample["result"]["records"][0]
    data = {
        "User": [{"Id": "0052s000000kuInAAI", "Username": "atestuser@test.com"}],
        "PermissionSet": [{"Id": "0PS2s000000bldoGAA", "Name": "Salesforce_DX_Permissions"}],
        "PermissionSetAssignment": [
            {
                "Id": "0Pa2s000000PC8fCAG",
                "AssigneeId": "0052s000000kuInAAI",
                "PermissionSetId": "0PS2s000000bldoGAA",
            },
            {"Id": "0Pa2s000000PC8aCAG", "AssigneeId": None, "PermissionSetId": "0PS2s000000bldoGAA"},
        ],
    }
    result = run(
        "SELECT Id, PermissionSet.Name, Assignee.Username FROM PermissionSetAssignment "
        "WHERE Assignee.Username = 'atestuser@test.com'",
        data,
        api_path="/services/data/v50.0",
    )
    assert result.records == [expected]
    assert list(result.records[0]) == list(expected)  # key order = SELECT order
    assert result.total_size == 1


@needs(CORPUS, "REST corpus")
def test_shape_matches_user_with_psa_subquery_sample() -> None:
    sample = json.loads((CORPUS / "cumulusci__user_with_psa_subquery.json").read_text())
    data = {
        "User": [{"Id": "005000000000000"}],
        "PermissionSetAssignment": [
            {"Id": "0Pa000000000001", "AssigneeId": "005000000000000", "PermissionSetId": "0PS000000000000"}
        ],
    }
    result = run("SELECT Id, (SELECT PermissionSetId FROM PermissionSetAssignments) FROM User", data)
    assert strip_attributes(result.records) == sample["records"]
    assert result.total_size == sample["totalSize"]


@needs(CORPUS, "REST corpus")
def test_shape_matches_psa_with_group_sample() -> None:
    sample = json.loads((CORPUS / "cumulusci__psa_query_with_psg.json").read_text())
    data = {
        "PermissionSet": [
            {"Id": sid("0PS", 1), "Label": "Document Checklist", "Name": "DocumentChecklist"},
            {
                "Id": sid("0PS", 2),
                "Label": "Einstein Analytics Plus Admin",
                "Name": "EinsteinAnalyticsPlusAdmin",
            },
        ],
        "PermissionSetAssignment": [
            {"Id": sid("0Pa", 1), "PermissionSetId": sid("0PS", 1), "PermissionSetGroupId": None},
            {
                "Id": sid("0Pa", 2),
                "PermissionSetId": sid("0PS", 2),
                "PermissionSetGroupId": "0PG000000000001",
            },
        ],
    }
    text = "SELECT PermissionSet.Label, PermissionSet.Name, PermissionSetGroupId FROM PermissionSetAssignment"
    assert strip_attributes(run(text, data).records) == sample["records"]


def test_keys_use_describe_case_and_attributes_urls() -> None:
    record = run(
        f"select id, assignee.username, ASSIGNEE.profile.NAME from permissionsetassignment where id = '{sid('0Pa', 1)}'"
    ).records[0]
    assert record == {
        "attributes": {
            "type": "PermissionSetAssignment",
            "url": f"/services/data/v64.0/sobjects/PermissionSetAssignment/{sid('0Pa', 1)}",
        },
        "Id": sid("0Pa", 1),
        "Assignee": {
            "attributes": {"type": "User", "url": f"/services/data/v64.0/sobjects/User/{U1}"},
            "Username": "alice@example.com",
            "Profile": {
                "attributes": {
                    "type": "Profile",
                    "url": f"/services/data/v64.0/sobjects/Profile/{sid('00e', 1)}",
                },
                "Name": "System Administrator",
            },
        },
    }


def test_null_parent_and_empty_child_are_null() -> None:
    records = run(
        "SELECT Id, PermissionSetGroup.DeveloperName FROM PermissionSetAssignment ORDER BY Id"
    ).records
    assert [r["PermissionSetGroup"] for r in records][:2] == [
        None,
        {"attributes": records[1]["PermissionSetGroup"]["attributes"], "DeveloperName": "Integration"},
    ]
    users = run(
        "SELECT Id, (SELECT Id FROM PermissionSetAssignments) FROM User WHERE Username = 'carol@example.com'"
    )
    assert users.records[0]["PermissionSetAssignments"] is None


def test_value_formats() -> None:
    record = run(
        f"SELECT IsActive, CreatedDate, NumberOfFailedLogins, LastLoginDate FROM User WHERE Id = '{U1}'"
    ).records[0]
    assert record["IsActive"] is True
    assert record["CreatedDate"] == "2026-01-10T08:00:00.000+0000"
    assert record["NumberOfFailedLogins"] == 3
    assert record["LastLoginDate"] is None
    psa = run(
        f"SELECT SystemModstamp, ExpirationDate FROM PermissionSetAssignment WHERE Id = '{sid('0Pa', 2)}'"
    )
    assert psa.records[0]["SystemModstamp"] == "2026-01-02T12:00:00.000+0000"  # naive datetime = UTC
    assert psa.records[0]["ExpirationDate"] == "2026-02-01T00:00:00.000+0000"


def test_child_subquery_with_where_order_and_limit() -> None:
    text = (
        "SELECT Username, (SELECT PermissionSet.Name FROM PermissionSetAssignments "
        "WHERE PermissionSet.IsOwnedByProfile = false ORDER BY PermissionSet.Name DESC LIMIT 1) FROM User ORDER BY Username"
    )
    records = run(text).records
    names = [
        [c["PermissionSet"]["Name"] for c in (r["PermissionSetAssignments"] or {"records": []})["records"]]
        for r in records
    ]
    assert names == [["Upflow_Permissions"], ["Upflow_Permissions"], []]
    assert records[0]["PermissionSetAssignments"]["totalSize"] == 1


# -- WHERE semantics ---------------------------------------------------------------------------


def test_string_equality_is_case_insensitive() -> None:
    assert ids("SELECT Id FROM User WHERE Username = 'BOB@example.COM'") == [U2]
    assert ids("SELECT Id FROM User WHERE Username IN ('ALICE@EXAMPLE.COM', 'nobody')") == [U1]


def test_like_is_case_insensitive_with_wildcards() -> None:
    assert ids("SELECT Id FROM User WHERE Username LIKE 'b%'") == [U2]
    assert ids("SELECT Id FROM User WHERE Username LIKE '_ob@%'") == [U2]
    assert ids("SELECT Id FROM User WHERE Username LIKE '%EXAMPLE.COM'") == [U1, U2, U3]
    assert ids("SELECT Id FROM User WHERE LastName LIKE '%'") == [U1, U2]  # null never matches


def test_not_equal_and_not_in_match_nulls() -> None:
    assert ids("SELECT Id FROM User WHERE LastName != 'alice'") == [U2, U3]
    assert ids("SELECT Id FROM User WHERE LastName NOT IN ('Bob')") == [U1, U3]
    assert ids("SELECT Id FROM User WHERE LastName = null") == [U3]
    assert ids("SELECT Id FROM User WHERE LastName != null") == [U1, U2]


def test_numbers_booleans_and_logic() -> None:
    assert ids("SELECT Id FROM User WHERE NumberOfFailedLogins >= 0 AND NumberOfFailedLogins < 3") == [U3]
    assert ids("SELECT Id FROM User WHERE IsActive = false OR NumberOfFailedLogins > 2") == [U1, U3]
    assert ids("SELECT Id FROM User WHERE NOT (IsActive = true AND LastName = 'bob')") == [U1, U3]


def test_relationship_filters() -> None:
    assert ids("SELECT Id FROM User WHERE Profile.Name = 'minimum access'") == [U2, U3]
    text = "SELECT Id FROM PermissionSetAssignment WHERE Assignee.Profile.Name LIKE 'System%' AND PermissionSet.Name != 'x'"
    assert ids(text) == [sid("0Pa", 1), sid("0Pa", 4)]


def test_semi_join_and_anti_join() -> None:
    inner = "SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Read_Only'"
    assert ids(f"SELECT Id FROM User WHERE Id IN ({inner})") == [U2]
    assert ids(f"SELECT Id FROM User WHERE Id NOT IN ({inner})") == [U1, U3]


def test_fifteen_character_ids_match_eighteen_character_ids() -> None:
    assert ids(f"SELECT Id FROM User WHERE Id = '{U2[:15]}'") == [U2]
    assert ids(f"SELECT Id FROM PermissionSetAssignment WHERE AssigneeId IN ('{U1[:15]}')") == [
        sid("0Pa", 1),
        sid("0Pa", 4),
    ]


def test_datetime_and_date_literals() -> None:
    assert ids("SELECT Id FROM User WHERE CreatedDate > 2026-01-31T22:00:00Z") == [U2]
    assert ids("SELECT Id FROM User WHERE CreatedDate > 2026-02-01T00:00:00+01:00") == [U2]  # = 23:00Z
    assert ids("SELECT Id FROM User WHERE CreatedDate = YESTERDAY") == [U2]
    assert ids("SELECT Id FROM User WHERE CreatedDate = LAST_N_DAYS:7") == [U2]
    assert ids("SELECT Id FROM User WHERE CreatedDate = THIS_MONTH") == []
    assert ids("SELECT Id FROM User WHERE CreatedDate = LAST_MONTH") == [U1, U2]
    assert ids("SELECT Id FROM User WHERE CreatedDate < N_DAYS_AGO:20") == [U1]
    assert ids("SELECT Id FROM User WHERE CreatedDate != TODAY") == [U1, U2, U3]
    assert ids("SELECT Id FROM PermissionSetAssignment WHERE ExpirationDate >= TODAY") == [sid("0Pa", 2)]


def test_filter_hints_reach_the_source() -> None:
    source = FakeSource(small_org())
    inner = (
        "SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSetId = '" + sid("0PS", 3)[:15] + "'"
    )
    execute(parse_soql(f"SELECT Id FROM User WHERE Id IN ({inner}) AND Username = 'Bob@example.com'"), source)
    assert source.calls == [
        ("PermissionSetAssignment", (Filter("PermissionSetId", "=", (sid("0PS", 3),)),)),
        (
            "User",
            (Filter("Id", "IN", (U2,)), Filter("Username", "=", ("Bob@example.com",), case_insensitive=True)),
        ),
    ]


def test_results_do_not_depend_on_whether_the_source_uses_hints() -> None:
    text = f"SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '{U1[:15]}' AND IsActive = true"
    with_hints = execute(parse_soql(text), FakeSource(small_org(), use_hints=True))
    without = execute(parse_soql(text), FakeSource(small_org(), use_hints=False))
    assert with_hints == without and with_hints.total_size == 2


# -- ORDER BY, LIMIT, OFFSET, COUNT, GROUP BY -------------------------------------------------------


def test_order_by_nulls_first_by_default_and_case_insensitive() -> None:
    assert ids("SELECT Id FROM User ORDER BY LastName") == [U3, U1, U2]
    assert ids("SELECT Id FROM User ORDER BY LastName DESC") == [U3, U2, U1]
    assert ids("SELECT Id FROM User ORDER BY LastName DESC NULLS LAST") == [U2, U1, U3]
    assert ids("SELECT Id FROM User ORDER BY IsActive, Username DESC") == [U3, U2, U1]


def test_limit_offset() -> None:
    assert ids("SELECT Id FROM User ORDER BY Username LIMIT 2") == [U1, U2]
    assert ids("SELECT Id FROM User ORDER BY Username LIMIT 1 OFFSET 1") == [U2]
    assert ids("SELECT Id FROM User LIMIT 2") == [U1, U2]
    assert ids("SELECT Id FROM User OFFSET 2") == [U3]


def test_offset_over_2000_is_refused() -> None:
    err = error("SELECT Id FROM User OFFSET 2001")
    assert err.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert ids("SELECT Id FROM User OFFSET 2000") == []


def test_count_and_aggregates() -> None:
    count = run("SELECT COUNT() FROM User WHERE IsActive = true")
    assert (count.records, count.total_size, count.is_count) == ([], 2, True)
    agg = run("SELECT COUNT(Id) FROM User")
    assert agg.records == [{"attributes": {"type": "AggregateResult"}, "expr0": 3}]
    assert run("SELECT COUNT(LastName) n, MAX(NumberOfFailedLogins) FROM User").records[0] == {
        "attributes": {"type": "AggregateResult"},
        "n": 2,
        "expr0": 3,
    }
    grouped = run("SELECT Profile.Name, COUNT(Id) FROM User GROUP BY Profile.Name").records
    assert [(r["Name"], r["expr0"]) for r in grouped] == [("System Administrator", 1), ("Minimum Access", 2)]


def test_a_field_that_is_not_filterable_is_refused_in_where_only() -> None:
    """INVALID_FIELD "field 'X' can not be filtered in query call" (describe's filterable false); the field
    may still be selected and grouped."""

    class NoEmailFilter(FakeSource):
        def fields(self, sobject: str) -> Any:
            return {k: replace(f, filterable=k != "email") for k, f in super().fields(sobject).items()}

    source = NoEmailFilter(small_org())
    with pytest.raises(SoqlError) as info:
        execute(parse_soql("SELECT Id FROM User WHERE IsActive = true AND Email = 'x'"), source, now=NOW)
    assert info.value.error_code == "INVALID_FIELD"
    assert info.value.message.endswith("field 'Email' can not be filtered in query call")
    grouped = execute(parse_soql("SELECT Email, COUNT(Id) FROM User GROUP BY Email"), source, now=NOW)
    assert grouped.total_size == 3


# -- HAVING (SOQL reference, "HAVING" and "Considerations When Using HAVING":
# https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_having.htm
# https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_having_considerations.htm)


def test_having_filters_groups_by_an_aggregate() -> None:
    found = run("SELECT ProfileId, COUNT(Id) FROM User GROUP BY ProfileId HAVING COUNT(Id) > 1").records
    assert [(r["ProfileId"][:3], r["expr0"]) for r in found] == [("00e", 2)]
    assert run("SELECT ProfileId FROM User GROUP BY ProfileId HAVING COUNT(Id) > 5").records == []
    # the aggregate in HAVING need not be selected; IN lists and NOT work as in WHERE
    assert len(run("SELECT ProfileId FROM User GROUP BY ProfileId HAVING COUNT(Id) IN (1, 2)").records) == 2
    assert len(run("SELECT ProfileId FROM User GROUP BY ProfileId HAVING NOT (COUNT(Id) = 1)").records) == 1
    assert len(run("SELECT ProfileId FROM User GROUP BY ProfileId HAVING COUNT(Id) NOT IN (1)").records) == 1


def test_having_on_grouped_fields_with_and_or() -> None:
    text = "SELECT Profile.Name, COUNT(Id) c FROM User GROUP BY Profile.Name HAVING COUNT(Id) >= 1 AND Profile.Name = 'minimum access'"
    assert [r["Name"] for r in run(text).records] == ["Minimum Access"]
    either = "SELECT Profile.Name FROM User GROUP BY Profile.Name HAVING Profile.Name LIKE 'Sys%' OR MAX(NumberOfFailedLogins) < 1"
    assert len(run(either).records) == 2


def test_having_rules() -> None:
    # a field neither grouped nor aggregated is refused (the reference's City example)
    assert (
        error("SELECT ProfileId FROM User GROUP BY ProfileId HAVING LastName = 'x'").error_code
        == "MALFORMED_QUERY"
    )
    # HAVING filters the results of GROUP BY (UNVERIFIED wording of the refusal without it)
    assert error("SELECT COUNT(Id) FROM User HAVING COUNT(Id) > 1").error_code == "MALFORMED_QUERY"
    # aggregates stay out of WHERE
    assert (
        error("SELECT ProfileId FROM User WHERE COUNT(Id) > 1 GROUP BY ProfileId").error_code
        == "MALFORMED_QUERY"
    )
    # no semi- or anti-joins in HAVING
    semi = "SELECT ProfileId FROM User GROUP BY ProfileId HAVING ProfileId IN (SELECT Id FROM Profile)"
    assert error(semi).error_code == "MALFORMED_QUERY"
    assert (
        error("SELECT ProfileId FROM User GROUP BY ProfileId HAVING COUNT(Id) > 'a'").error_code
        == "MALFORMED_QUERY"
    )


# -- errors --------------------------------------------------------------------------------------


def test_unknown_field_message_matches_salesforce() -> None:
    err = error("SELECT Id, Foo FROM User")
    assert err.error_code == "INVALID_FIELD"
    assert err.message == (
        "\nSELECT Id, Foo FROM User\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Foo' on entity 'User'. If you are attempting to use a custom field, be sure to "
        "append the '__c' after the custom field name. Please reference your WSDL or the describe call for "
        "the appropriate names."
    )


def test_unknown_relationship_and_field_on_parent() -> None:
    err = error("SELECT Owner.Name FROM User")
    assert err.error_code == "INVALID_FIELD"
    assert err.message.endswith(
        "Didn't understand relationship 'Owner' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
    )
    assert "No such column 'Nope' on entity 'Profile'" in error("SELECT Profile.Nope FROM User").message


def test_unknown_object_and_child_relationship() -> None:
    err = error("SELECT Id FROM Foo")
    assert err.error_code == "INVALID_TYPE"
    assert err.message.startswith(
        "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported."
    )
    assert (
        "Didn't understand relationship 'Kids'" in error("SELECT Id, (SELECT Id FROM Kids) FROM User").message
    )


def test_value_type_errors() -> None:
    err = error("SELECT Id FROM User WHERE IsActive = 'true'")
    assert (err.error_code, err.message.splitlines()[-1]) == (
        "INVALID_FIELD",
        "value of filter criterion for field 'IsActive' must be of type boolean and should not be enclosed in quotes",
    )
    err = error("SELECT Id FROM User WHERE Id = 'nope'")
    assert (err.error_code, err.message.splitlines()[-1]) == (
        "INVALID_QUERY_FILTER_OPERATOR",
        "invalid ID field: nope",
    )
    assert error("SELECT Id FROM User WHERE CreatedDate > 2026-01-01").error_code == "INVALID_FIELD"
    assert error("SELECT Id FROM User WHERE IsActive LIKE 'x'").error_code == "INVALID_QUERY_FILTER_OPERATOR"


def test_alias_and_object_prefix() -> None:
    assert ids("SELECT u.Id FROM User u WHERE u.Username = 'bob@example.com'") == [U2]
    assert ids("SELECT User.Id FROM User WHERE User.Username = 'bob@example.com'") == [U2]


def test_duplicate_field_is_refused() -> None:
    assert error("SELECT Id, id FROM User").message.endswith("duplicate field selected: Id")


def test_boolean_null_reads_as_false() -> None:
    data = small_org()
    data["User"][0]["IsActive"] = None
    assert ids("SELECT Id FROM User WHERE IsActive = false", data=data) == [U1, U3]
    assert ids("SELECT Id FROM User WHERE IsActive = null", data=data) == [U1, U3]
    assert ids("SELECT Id FROM User WHERE IsActive != null", data=data) == [U2]
    assert run(f"SELECT IsActive FROM User WHERE Id = '{U1}'", data).records[0]["IsActive"] is False


def test_like_on_id_is_an_invalid_operator() -> None:
    err = error("SELECT Id FROM User WHERE Id LIKE '005%'")
    assert (err.error_code, err.message.splitlines()[-1]) == (
        "INVALID_QUERY_FILTER_OPERATOR",
        "invalid operator on id field",
    )


def test_parent_field_null_when_parent_missing() -> None:
    assert ids("SELECT Id FROM PermissionSetAssignment WHERE PermissionSetGroup.DeveloperName = null") == [
        sid("0Pa", 1),
        sid("0Pa", 3),
        sid("0Pa", 4),
    ]


def test_group_by_order_by_aggregate_and_field() -> None:
    by_count = run("SELECT ProfileId, COUNT(Id) FROM User GROUP BY ProfileId ORDER BY COUNT(Id) DESC LIMIT 1")
    assert [(r["ProfileId"], r["expr0"]) for r in by_count.records] == [(sid("00e", 2), 2)]
    by_name = run("SELECT Profile.Name, COUNT(Id) c FROM User GROUP BY Profile.Name ORDER BY Profile.Name")
    assert [r["Name"] for r in by_name.records] == ["Minimum Access", "System Administrator"]
    assert error("SELECT Id FROM User ORDER BY COUNT(Id)").error_code == "MALFORMED_QUERY"


def test_fields_function() -> None:
    record = run(f"SELECT FIELDS(STANDARD) FROM Profile WHERE Id = '{sid('00e', 1)}'").records[0]
    assert list(record) == ["attributes", "Id", "Name"]
    assert list(run("SELECT Name, FIELDS(ALL) FROM Profile LIMIT 200").records[0]) == [
        "attributes",
        "Name",
        "Id",
    ]
    assert error("SELECT FIELDS(ALL) FROM Profile").error_code == "MALFORMED_QUERY"


def test_parent_condition_becomes_a_lookup_hint() -> None:
    source = FakeSource(small_org())
    result = execute(
        parse_soql("SELECT Id FROM PermissionSetAssignment WHERE Assignee.Username = 'BOB@example.com'"),
        source,
    )
    assert [r["Id"] for r in result.records] == [sid("0Pa", 2), sid("0Pa", 3)]
    assert source.calls == [
        ("User", (Filter("Username", "=", ("BOB@example.com",), case_insensitive=True),)),
        ("PermissionSetAssignment", (Filter("AssigneeId", "IN", (U2,)),)),
    ]


def test_errors_are_reported_in_reading_order() -> None:
    assert "No such column 'Foo'" in error("SELECT Foo FROM User WHERE Bar = 1").message
    assert "No such column 'Bar'" in error("SELECT Id FROM User WHERE Bar = 1 ORDER BY Baz").message
