"""The risk of granting a requirement (``Cost``), and picking the least risky alternative of an ``any:``.

Order of preference, first difference wins:
1. a permission set beats requiring a profile (a profile such as System Administrator grants far more);
2. object-scoped access beats org-wide access (View All Data / Modify All Data);
3. the lower riskiest tier (catalog risk tiers; object rights ranked below);
4. the lower total risk (fewer, milder permissions), then fewer items;
5. on a tie, the first alternative listed (the vendor's preference).
"""

from __future__ import annotations

from dataclasses import dataclass

from leastforce.catalog.catalog import Catalog
from leastforce.values.model import ObjectRight

_TIERS = {1: "low", 2: "medium", 3: "high", 4: "critical"}
UNKNOWN_RANK = 2  # a permission without a risk tier counts as medium
# Object rights on one object: deleting or editing every record is high, reading is low.
OBJECT_RANK = {
    ObjectRight.READ: 1,
    ObjectRight.VIEW_ALL_FIELDS: 1,
    ObjectRight.CREATE: 2,
    ObjectRight.EDIT: 2,
    ObjectRight.VIEW_ALL_RECORDS: 2,
    ObjectRight.DELETE: 2,
    ObjectRight.MODIFY_ALL_RECORDS: 3,
}


@dataclass(frozen=True, order=True)
class Cost:
    """How risky one alternative is; smaller is safer (compared field by field)."""

    profile: int = 0
    org_wide: int = 0
    worst: int = 0
    total: int = 0
    count: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            max(self.profile, other.profile),
            max(self.org_wide, other.org_wide),
            max(self.worst, other.worst),
            self.total + other.total,
            self.count + other.count,
        )


def permission_rank(catalog: Catalog, name: str) -> int:
    """The catalog risk rank of a user permission (1 low .. 4 critical; unknown = medium)."""
    perm = catalog.permissions.get(name)
    return perm.risk.rank if perm is not None and perm.risk is not None else UNKNOWN_RANK


def choose(costs: list[Cost]) -> tuple[int, str]:
    """The index of the least risky alternative (by its cost) and the reason, in a few words."""
    best = min(range(len(costs)), key=lambda i: (costs[i], i))
    others = [c for i, c in enumerate(costs) if i != best]
    if not others:
        return best, "the only alternative"
    runner = min(others)
    mine = costs[best]
    if mine == Cost():
        reason = "nothing more to grant: the rest of the setup already has it"
    elif mine.profile < runner.profile:
        reason = "a permission set grants less than a whole profile"
    elif mine.org_wide < runner.org_wide:
        reason = "no org-wide data access (View All Data / Modify All Data)"
    elif mine.worst < runner.worst:
        reason = f"{_TIERS[mine.worst]} risk instead of {_TIERS[runner.worst]}"
    elif mine < runner:
        reason = "fewer and milder permissions"
    else:
        reason = "equally risky, listed first"
    return best, reason
