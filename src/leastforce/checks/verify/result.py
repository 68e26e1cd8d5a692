"""Verify's result values: each requirement checked, per feature, with grants and fixes.

Their JSON shape is built in leastforce.render.json.verify.
"""

from __future__ import annotations

from dataclasses import dataclass

from leastforce.checks.verify.prerequisites import PrerequisiteResult
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.values.requirements import UserState, UserStateReq

__all__ = [
    "FeatureResult",
    "RequirementResult",
    "Status",
    "UserState",
    "UserStateReq",
    "VerifyResult",
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
