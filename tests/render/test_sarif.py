"""render/sarif.py: SARIF 2.1.0 logs of validate problems and audit findings, valid against the schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from leastforce.checks.audit.model import AuditResult, Finding, Severity, load_rules
from leastforce.errors import Position, Problem
from leastforce.render.sarif import audit_sarif, dumps, validate_sarif
from leastforce.values import problem_codes as codes
from support.sarif import assert_valid_sarif

EVIL = "\x1b[31m<script>\u202eevil\u200b"


def _run(log: dict) -> dict:
    assert_valid_sarif(log)
    (run,) = log["runs"]
    return run


def test_validate_problem_becomes_a_result_with_its_rule_and_position() -> None:
    problems = [
        Problem(
            "error", "unknown user permission 'ApiEnabledd'", Position("m.yaml", 12, 9), "unknown-permission"
        ),
        Problem("warning", "`any:` with a single item", Position("dir/a b.yaml", 3, 5), codes.SINGLE_ANY),
    ]
    run = _run(validate_sarif(problems, source_root="file:///repo/"))
    driver = run["tool"]["driver"]
    assert (
        driver["name"] == "leastforce"
        and driver["version"]
        and driver["informationUri"].startswith("https://")
    )
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///repo/"}}
    first, second = run["results"]
    assert first["ruleId"] == "unknown-permission" and first["level"] == "error"
    assert first["message"]["text"] == "unknown user permission 'ApiEnabledd'"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "m.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 9},
    }
    assert second["level"] == "warning"
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir/a%20b.yaml"
    for result in run["results"]:
        rule = driver["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"] and rule["shortDescription"]["text"]


def test_every_problem_code_is_a_rule_and_unknown_codes_fall_back_to_the_generic_one() -> None:
    run = _run(validate_sarif([Problem("error", "x", Position("m.yaml", 1, 1), "no-such-code")]))
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(codes.DESCRIPTIONS)
    assert run["results"][0]["ruleId"] == codes.GENERIC == Problem("error", "x", Position("m")).code
    assert "originalUriBaseIds" not in run


def test_unknown_position_still_has_a_line_and_absolute_files_are_file_uris() -> None:
    run = _run(validate_sarif([Problem("error", "no such file", Position("/tmp/gone.yaml"))]))
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "file:///tmp/gone.yaml"}, "region": {"startLine": 1}}


def test_untrusted_text_is_escaped_in_the_json_text() -> None:
    log = validate_sarif([Problem("error", EVIL, Position(EVIL + ".yaml", 1, 1))])
    text = dumps(log)
    assert text.isascii() and "\x1b" not in text and "<script>" in text  # JSON escapes, no raw controls
    assert json.loads(text) == log
    assert json.loads(text)["runs"][0]["results"][0]["message"]["text"] == EVIL


def _audit(*findings: Finding) -> AuditResult:
    return AuditResult(
        instance_url="https://acme.my.salesforce.com",
        taken_at=datetime(2026, 1, 1, tzinfo=UTC),
        users=(),
        org_wide=(),
        matrix_permissions=(),
        human_findings=findings,
    )


def test_audit_findings_map_severity_to_level_and_rules_carry_security_severity() -> None:
    result = _audit(
        Finding(
            "critical-permission", "legacy@acme.example", "ModifyAllData", ("profile System Administrator",)
        ),
        Finding(
            "undeclared-object-access", "upflow@acme.example", "Opportunity: read", ("permission set X",)
        ),
        Finding("not-api-only", "upflow@acme.example"),
        Finding("declared-risky-permission", "upflow@acme.example", "ViewAllData"),
    )
    run = _run(audit_sarif(result))
    levels = [(r["ruleId"], r["level"]) for r in run["results"]]
    assert levels == [
        ("critical-permission", "error"),
        ("undeclared-object-access", "warning"),
        ("not-api-only", "note"),
        ("declared-risky-permission", "note"),
    ]
    first = run["results"][0]
    assert first["message"]["text"] == (
        "legacy@acme.example: Holds a critical permission the integration does not declare: ModifyAllData "
        "(granted by profile System Administrator)"
    )
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == set(load_rules())
    expected = {"critical": "9.0", "high": "7.0", "medium": "5.0", "low": "3.0", "info": None}
    for rule_id, rule in load_rules().items():
        out = rules[rule_id]
        assert out["shortDescription"]["text"] == rule.title and out["help"]["text"] == rule.remediation
        assert out["properties"].get("security-severity") == expected[rule.severity.value]
        assert out.get("helpUri") == (rule.source if rule.source.startswith("https://") else None)
        assert out["name"] and out["name"] != rule_id
    for result_ in run["results"]:
        assert run["tool"]["driver"]["rules"][result_["ruleIndex"]]["id"] == result_["ruleId"]


def test_audit_locations_name_the_user_and_point_at_its_manifest_when_given() -> None:
    result = _audit(
        Finding("undeclared-field-access", "Upflow@Acme.example", "Lead.Email: read"),
        Finding("stale-token", "legacy@acme.example", "Old ETL"),
    )
    where = {"upflow@acme.example": Position("examples/upflow.yaml", 7, 1)}
    run = _run(audit_sarif(result, where))
    mine, other = (r["locations"][0] for r in run["results"])
    assert mine["logicalLocations"] == [
        {"name": "Upflow@Acme.example", "fullyQualifiedName": "Upflow@Acme.example", "kind": "user"}
    ]
    assert mine["physicalLocation"]["artifactLocation"] == {
        "uri": "examples/upflow.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert mine["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 1}
    # GitHub refuses a result without a physical location: the org stands in for a file.
    assert other["physicalLocation"] == {
        "artifactLocation": {"uri": "https://acme.my.salesforce.com"},
        "region": {"startLine": 1},
    }


def test_audit_fingerprints_are_stable_and_tell_findings_apart() -> None:
    one = Finding("stale-token", "a@x.example", "Old ETL")
    two = Finding("stale-token", "a@x.example", "Zapier")
    first = _run(audit_sarif(_audit(one, two)))["results"]
    again = _run(audit_sarif(_audit(one)))["results"]
    prints = [r["partialFingerprints"]["leastforceFinding/v1"] for r in first]
    assert prints[0] != prints[1] and again[0]["partialFingerprints"]["leastforceFinding/v1"] == prints[0]


def test_every_severity_has_a_level() -> None:
    for severity in Severity:
        result = _audit(Finding(next(r.id for r in load_rules().values() if r.severity is severity), "u@x"))
        assert _run(audit_sarif(result))["results"][0]["level"] in ("error", "warning", "note")


def test_schema_check_catches_an_invalid_log() -> None:
    log = validate_sarif([Problem("error", "x", Position("m.yaml", 1, 1))])
    log["runs"][0]["results"][0]["level"] = "fatal"
    try:
        assert_valid_sarif(log)
    except AssertionError as exc:
        assert "level" in str(exc) or "fatal" in str(exc)
    else:
        raise AssertionError("the schema accepted level 'fatal'")
