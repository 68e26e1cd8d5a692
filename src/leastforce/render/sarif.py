"""SARIF 2.1.0 logs of ``validate`` problems and ``audit`` findings, for code scanning UIs.

Pure: values in, a JSON-ready dict out (``dumps`` makes the text). The format is OASIS SARIF 2.1.0
(https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html);
tests check every log against its JSON schema. GitHub code scanning reads a subset
(https://docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support): a rule's
``properties["security-severity"]`` (a number as a string) sets the alert's security severity, and an
upload is refused whole when a result lacks a physical location with an artifact URI and
``region.startLine`` (microsoft/sarif-sdk's GitHub ingestion rules GH1001 and GH1003;
https://github.com/github/codeql-action/issues/2459 "expected at least one location").

Text from manifests and orgs is untrusted: it only ever lands in JSON strings, and ``dumps`` escapes
every non-ASCII character as well, so nothing reaches a terminal or a page unescaped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from leastforce import __version__
from leastforce.checks.audit.model import AuditResult, Finding, Rule, Severity
from leastforce.errors import Position, Problem
from leastforce.values import problem_codes as codes

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# The project has no public home yet: point at its package page until it has one.
INFORMATION_URI = "https://pypi.org/project/leastforce/"
SRCROOT = "%SRCROOT%"

# Levels and GitHub's numeric security severities, as issue 11 asks; GitHub's bands (9.0+ critical,
# 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low) are UNVERIFIED here (not read from a stored source).
# Info findings carry no security severity.
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.0",
    Severity.HIGH: "7.0",
    Severity.MEDIUM: "5.0",
    Severity.LOW: "3.0",
}


def validate_sarif(problems: Iterable[Problem], *, source_root: str | None = None) -> dict[str, Any]:
    """One run of ``leastforce validate``: a result per problem, a rule per kind of problem.

    Relative file names are relative to ``source_root`` (a ``file:`` URI ending in "/", usually the
    working directory; None leaves %SRCROOT% for the viewer to resolve).
    """
    rule_ids = list(codes.DESCRIPTIONS)
    rules = [
        {"id": code, "name": _pascal(code), "shortDescription": {"text": text}}
        for code, text in codes.DESCRIPTIONS.items()
    ]
    results = [_problem_result(p, rule_ids) for p in problems]
    return _log(rules, results, source_root)


def _problem_result(problem: Problem, rule_ids: list[str]) -> dict[str, Any]:
    code = problem.code if problem.code in codes.DESCRIPTIONS else codes.GENERIC
    return {
        "ruleId": code,
        "ruleIndex": rule_ids.index(code),
        "level": "error" if problem.severity == "error" else "warning",
        "message": {"text": problem.message},
        "locations": [{"physicalLocation": _physical(problem.position)}],
    }


def audit_sarif(
    result: AuditResult,
    manifests: Mapping[str, Position] | None = None,
    *,
    source_root: str | None = None,
) -> dict[str, Any]:
    """One run of ``leastforce audit``: a result per finding, a rule per audit rule.

    Every finding names its user as a logical location. ``manifests`` maps a username (any case) to
    where its manifest declares the user (from --manifest/--user): findings on that user point there,
    since the manifest is the file in the repository to change. Other findings have no file; they
    point at the org itself (its instance URL), as GitHub takes no result without a physical location.
    """
    by_user = {name.casefold(): where for name, where in (manifests or {}).items()}
    rules = list(result.rules.values())
    rule_ids = [r.id for r in rules]
    results = [
        _finding_result(f, rule_ids, by_user.get(f.subject.casefold()), result.instance_url)
        for f in result.findings()
    ]
    return _log([_rule(r) for r in rules], results, source_root)


def _rule(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.title},
        "help": {"text": rule.remediation},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["security"], "severity": rule.severity.value},
    }
    if rule.source.startswith("https://"):
        out["helpUri"] = rule.source
    if rule.severity in _SECURITY_SEVERITY:
        out["properties"]["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    return out


def _finding_result(
    finding: Finding, rule_ids: list[str], manifest: Position | None, instance_url: str
) -> dict[str, Any]:
    rule = finding.rule
    text = f"{finding.subject}: {rule.title}"
    if finding.item:
        text += f": {finding.item}"
    if finding.evidence:
        text += f" (granted by {'; '.join(finding.evidence)})"
    # UNVERIFIED: that GitHub shows a result whose artifact is an https URL outside the repository
    # (it accepts artifacts it cannot find, as container scanners' image names show).
    physical = (
        _physical(manifest)
        if manifest is not None
        else {"artifactLocation": {"uri": instance_url}, "region": {"startLine": 1}}
    )
    user = {"name": finding.subject, "fullyQualifiedName": finding.subject, "kind": "user"}
    identity = "\x00".join((finding.rule_id, finding.subject.casefold(), finding.item))
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_ids.index(finding.rule_id),
        "level": _LEVEL[rule.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": physical, "logicalLocations": [user]}],
        # Findings have no source line to hash: this keeps one alert per finding across runs.
        "partialFingerprints": {"leastforceFinding/v1": hashlib.sha256(identity.encode()).hexdigest()},
    }


def _physical(position: Position) -> dict[str, Any]:
    """A file position as a SARIF physicalLocation (line 1 when unknown: GitHub needs a line)."""
    region: dict[str, int] = {"startLine": max(position.line, 1)}
    if position.line and position.column:
        region["startColumn"] = position.column
    return {"artifactLocation": _artifact(position.file), "region": region}


def _artifact(file: str) -> dict[str, str]:
    path = PurePath(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": SRCROOT}


def _log(
    rules: list[dict[str, Any]], results: list[dict[str, Any]], source_root: str | None
) -> dict[str, Any]:
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "leastforce",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        # leastforce counts columns in characters (code points), not SARIF's default UTF-16 units.
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if source_root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": source_root}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _pascal(rule_id: str) -> str:
    """critical-permission -> CriticalPermission (SARIF's end-user rule name)."""
    return "".join(part.capitalize() for part in rule_id.split("-"))


def dumps(log: Mapping[str, Any]) -> str:
    """The log as JSON text, every non-ASCII character escaped."""
    return json.dumps(log, indent=2, ensure_ascii=True) + "\n"
