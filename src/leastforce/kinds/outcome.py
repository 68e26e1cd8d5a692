"""The outcome of checking one requirement: status, the grants that satisfy it, what lacks, and the fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from leastforce.access.grants import Grant
from leastforce.values.requirements import Requirement


class Status(enum.Enum):
    """PASSED holds; MISSING does not; NOT_CHECKED: the snapshot lacks what the check needs."""

    PASSED = "passed"
    MISSING = "missing"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class RequirementResult:
    """One requirement checked: status, the grants that satisfy it, what exactly lacks, and the fix.

    For ``any:`` / ``all:``, ``alternatives`` holds one result per item (``satisfied_by`` is then the
    passing alternative's grants). NOT_CHECKED does not fail verification.
    """

    requirement: Requirement
    status: Status
    satisfied_by: tuple[Grant, ...] = ()
    alternatives: tuple[RequirementResult, ...] = ()
    missing: tuple[str, ...] = ()
    fix: str = ""

    @property
    def passed(self) -> bool:
        return self.status is not Status.MISSING


def passed_or_missing(
    req: Requirement, grants: tuple[Grant, ...], missing: tuple[str, ...], fix: str
) -> RequirementResult:
    """PASSED with ``grants`` when there are any, else MISSING with what lacks and the fix."""
    if grants:
        return RequirementResult(req, Status.PASSED, grants)
    return RequirementResult(req, Status.MISSING, (), (), missing, fix)


def yes_no(
    req: Requirement, ok: bool, grants: tuple[Grant, ...], missing: str, fix: str
) -> RequirementResult:
    """PASSED (with ``grants`` as evidence) when ``ok``, else MISSING with ``missing`` and the fix."""
    if ok:
        return RequirementResult(req, Status.PASSED, grants)
    return RequirementResult(req, Status.MISSING, (), (), (missing,), fix)
