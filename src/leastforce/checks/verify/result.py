"""Verify's result values: each requirement checked, per feature, with grants and fixes.

Their JSON shape is built in leastforce.render.json.verify.
"""

from __future__ import annotations

from dataclasses import dataclass

from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.values.requirements import UserState, UserStateReq

__all__ = ["FeatureResult", "RequirementResult", "Status", "UserState", "UserStateReq", "VerifyResult"]


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

    @property
    def passed(self) -> bool:
        features = [*self.features, *([self.role] if self.role else [])]
        return all(r.passed for r in self.user_checks) and all(f.passed for f in features)
