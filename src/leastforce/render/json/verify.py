"""``verify --json``: each requirement checked, per feature, with the grants that satisfy it and the fix."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from leastforce.checks.verify.prerequisites import PrerequisiteResult
from leastforce.checks.verify.prerequisites import describe as describe_prerequisite
from leastforce.checks.verify.result import FeatureResult, RequirementResult, VerifyResult
from leastforce.kinds import kind_of
from leastforce.render.json.base import JsonModel
from leastforce.render.json.grants import GrantOutput, grant_output
from leastforce.values.requirements import Requirement


class RequirementOutput(JsonModel):
    """One requirement: ``status`` passed / missing / not_checked; ``alternatives`` for any: / all:."""

    requirement: str
    kind: str
    why: str
    from_: str = Field(alias="from", description="Where the right must come from: any, profile, permission_set")
    position: str | None
    passed: bool
    status: str
    satisfied_by: tuple[GrantOutput, ...]
    missing: tuple[str, ...]
    fix: str
    alternatives: tuple[RequirementOutput, ...]


class FeatureOutput(JsonModel):
    name: str
    optional: bool
    passed: bool
    requirements: tuple[RequirementOutput, ...]


class PrerequisiteOutput(JsonModel):
    """One org prerequisite: ``status`` passed / missing / not_checked; ``applies`` False when its
    ``when:`` condition does not hold in the org."""

    prerequisite: str
    kind: str
    why: str
    position: str | None
    status: str
    applies: bool
    found: str
    reason: str
    fix: str


class NotCheckedOutput(JsonModel):
    """Something verify could not check (no API reads it): why, and the Setup steps to check it by hand."""

    item: str
    kind: str
    why: str
    position: str | None
    reason: str
    steps: str


class VerifyOutput(JsonModel):
    """The verification of one user against a manifest."""

    integration: str
    user: str
    passed: bool
    user_checks: tuple[RequirementOutput, ...]
    features: tuple[FeatureOutput, ...]
    role: FeatureOutput | None
    warnings: tuple[str, ...]
    prerequisites: tuple[PrerequisiteOutput, ...]
    not_checked: tuple[NotCheckedOutput, ...]
    api_calls: int


def describe_requirement(req: Requirement, catalog: Any) -> tuple[str, str]:
    """(text, kind) of a requirement: its kind's description and registry key (``permission``, ``object``)."""
    kind = kind_of(req)
    return kind.describe(req, catalog), kind.key


def verify_output(result: VerifyResult, catalog: Any, api_calls: int) -> VerifyOutput:
    return VerifyOutput(
        integration=result.integration,
        user=result.username,
        passed=result.passed,
        user_checks=tuple(requirement_output(r, catalog) for r in result.user_checks),
        features=tuple(_feature(f, catalog) for f in result.features),
        role=_feature(result.role, catalog) if result.role else None,
        warnings=result.warnings,
        prerequisites=tuple(prerequisite_output(p) for p in result.prerequisites),
        not_checked=tuple(_not_checked(item, catalog) for item in result.not_checked),
        api_calls=api_calls,
    )


def prerequisite_output(result: PrerequisiteResult) -> PrerequisiteOutput:
    item = result.prerequisite
    return PrerequisiteOutput(
        prerequisite=describe_prerequisite(item),
        kind=item.kind,
        why=item.why,
        position=str(item.position) if item.position.line else None,
        status=result.status.value,
        applies=result.applies,
        found=result.found,
        reason=result.reason,
        fix=result.fix,
    )


def _not_checked(item: RequirementResult | PrerequisiteResult, catalog: Any) -> NotCheckedOutput:
    """One thing verify could not check, with why and the Setup steps to check it by hand."""
    if isinstance(item, PrerequisiteResult):
        done = prerequisite_output(item)
        return NotCheckedOutput(
            item=done.prerequisite,
            kind=done.kind,
            why=done.why,
            position=done.position,
            reason=item.reason,
            steps=item.fix,
        )
    req = item.requirement
    text, kind = describe_requirement(req, catalog)
    position = str(req.position) if req.position.line else None
    reason = "; ".join(item.missing)
    return NotCheckedOutput(item=text, kind=kind, why=req.why, position=position, reason=reason, steps=item.fix)


def _feature(feature: FeatureResult, catalog: Any) -> FeatureOutput:
    return FeatureOutput(
        name=feature.name,
        optional=feature.optional,
        passed=feature.passed,
        requirements=tuple(requirement_output(r, catalog) for r in feature.requirements),
    )


def requirement_output(result: RequirementResult, catalog: Any = None) -> RequirementOutput:
    req = result.requirement
    text, kind = describe_requirement(req, catalog)
    return RequirementOutput(
        requirement=text,
        kind=kind,
        why=req.why,
        **{"from": req.source.value},
        position=str(req.position) if req.position.line else None,
        passed=result.passed,
        status=result.status.value,
        satisfied_by=tuple(grant_output(g) for g in result.satisfied_by),
        missing=result.missing,
        fix=result.fix,
        alternatives=tuple(requirement_output(r, catalog) for r in result.alternatives),
    )
