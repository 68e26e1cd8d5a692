"""Verify's result values: each requirement checked, per feature, with grants and fixes.

Their JSON shape is built in leastforce.render.json.verify.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from leastforce.access.grants import Grant
from leastforce.values.requirements import Atom, Requirement


class Status(enum.Enum):
    """PASSED holds; MISSING does not; NOT_CHECKED: the snapshot lacks what the check needs."""

    PASSED = "passed"
    MISSING = "missing"
    NOT_CHECKED = "not_checked"


class UserState(enum.Enum):
    ACTIVE = "active"
    NOT_FROZEN = "not_frozen"


@dataclass(frozen=True)
class UserStateReq(Atom):
    """The user must be active / not frozen (checked for every verified user)."""

    state: UserState

    def __str__(self) -> str:
        return "user is active" if self.state is UserState.ACTIVE else "user is not frozen"


Checked = Requirement | UserStateReq


@dataclass(frozen=True)
class RequirementResult:
    """One requirement checked: status, the grants that satisfy it, what exactly lacks, and the fix.

    For ``any:`` / ``all:``, ``alternatives`` holds one result per item (``satisfied_by`` is then the
    passing alternative's grants). NOT_CHECKED does not fail verification.
    """

    requirement: Checked
    status: Status
    satisfied_by: tuple[Grant, ...] = ()
    alternatives: tuple[RequirementResult, ...] = ()
    missing: tuple[str, ...] = ()
    fix: str = ""

    @property
    def passed(self) -> bool:
        return self.status is not Status.MISSING


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
