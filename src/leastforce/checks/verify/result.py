"""Verify's result values: each requirement checked, per feature, with grants and fixes.

``to_json`` gives the dedicated JSON shape (inside the sf envelope's ``result``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leastforce.access.grants import Grant, describe_grant
from leastforce.checks.verify.prerequisites import PrerequisiteResult
from leastforce.checks.verify.prerequisites import describe as describe_prerequisite
from leastforce.kinds import describe
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.values.requirements import UserState, UserStateReq

__all__ = [
    "FeatureResult",
    "RequirementResult",
    "Status",
    "UserState",
    "UserStateReq",
    "VerifyResult",
    "to_json",
]


@dataclass(frozen=True)
class FeatureResult:
    """A feature's (or a role's) requirements checked."""

    name: str
    optional: bool
    requirements: tuple[RequirementResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.requirements)


@dataclass(frozen=True)
class VerifyResult:
    """The whole verification of one user against a manifest."""

    integration: str
    username: str
    user_checks: tuple[RequirementResult, ...]
    features: tuple[FeatureResult, ...]
    role: FeatureResult | None = None
    warnings: tuple[str, ...] = ()  # e.g. license mismatches in the data (they do not fail verify)
    prerequisites: tuple[PrerequisiteResult, ...] = ()

    @property
    def passed(self) -> bool:
        features = [*self.features, *([self.role] if self.role else [])]
        prereqs_ok = all(p.status is not Status.MISSING for p in self.prerequisites)
        return all(r.passed for r in self.user_checks) and all(f.passed for f in features) and prereqs_ok

    @property
    def not_checked(self) -> tuple[RequirementResult | PrerequisiteResult, ...]:
        """What no API could read (``check: manual`` prerequisites, profile session settings ...): never
        counted as passed; shown in its own section."""
        features = [*self.features, *([self.role] if self.role else [])]
        items = [*self.user_checks, *(r for f in features for r in f.requirements)]
        out: list[RequirementResult | PrerequisiteResult] = [
            r for r in items if r.status is Status.NOT_CHECKED
        ]
        return (*out, *(p for p in self.prerequisites if p.status is Status.NOT_CHECKED))


def to_json(result: VerifyResult, catalog: Any = None) -> dict[str, Any]:
    """The JSON shape of a verification (plain values, deterministic order)."""
    return {
        "integration": result.integration,
        "user": result.username,
        "passed": result.passed,
        "user_checks": [requirement_json(r, catalog) for r in result.user_checks],
        "features": [_feature_json(f, catalog) for f in result.features],
        "role": _feature_json(result.role, catalog) if result.role else None,
        "warnings": list(result.warnings),
        "prerequisites": [prerequisite_json(p) for p in result.prerequisites],
        "notChecked": [_not_checked_json(item, catalog) for item in result.not_checked],
    }


def prerequisite_json(result: PrerequisiteResult) -> dict[str, Any]:
    item = result.prerequisite
    return {
        "prerequisite": describe_prerequisite(item),
        "kind": item.kind,
        "why": item.why,
        "position": str(item.position) if item.position.line else None,
        "status": result.status.value,
        "applies": result.applies,
        "found": result.found,
        "reason": result.reason,
        "fix": result.fix,
    }


def _not_checked_json(item: RequirementResult | PrerequisiteResult, catalog: Any) -> dict[str, Any]:
    """One thing verify could not check, with why and the Setup steps to check it by hand."""
    if isinstance(item, PrerequisiteResult):
        body = prerequisite_json(item)
        return {
            "item": body["prerequisite"],
            "kind": item.prerequisite.kind,
            "why": body["why"],
            "position": body["position"],
            "reason": item.reason,
            "steps": item.fix,
        }
    req = item.requirement
    return {
        "item": describe(req, catalog),
        "kind": type(req).__name__,
        "why": req.why,
        "position": str(req.position) if req.position.line else None,
        "reason": "; ".join(item.missing),
        "steps": item.fix,
    }


def _feature_json(feature: FeatureResult, catalog: Any) -> dict[str, Any]:
    return {
        "name": feature.name,
        "optional": feature.optional,
        "passed": feature.passed,
        "requirements": [requirement_json(r, catalog) for r in feature.requirements],
    }


def requirement_json(result: RequirementResult, catalog: Any = None) -> dict[str, Any]:
    req = result.requirement
    return {
        "requirement": describe(req, catalog),
        "kind": type(req).__name__,
        "why": req.why,
        "position": str(req.position) if req.position.line else None,
        "passed": result.passed,
        "status": result.status.value,
        "satisfied_by": [_grant_json(g) for g in result.satisfied_by],
        "missing": list(result.missing),
        "fix": result.fix,
        "alternatives": [requirement_json(r, catalog) for r in result.alternatives],
    }


def _grant_json(grant: Grant) -> dict[str, Any]:
    return {
        "kind": grant.kind.value,
        "name": grant.name,
        "via": grant.via,
        "expires": grant.expires.isoformat() if grant.expires else None,
        "text": describe_grant(grant),
    }
