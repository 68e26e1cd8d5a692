"""Picking the least risky alternative of an ``any:``, and describing requirements in one line.

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
from leastforce.catalog.rights import implied_object_rights
from leastforce.values.model import FieldRight, ObjectRight
from leastforce.values.requirements import (
    AllOf,
    AnyOf,
    FieldReq,
    LicenseReq,
    ObjectReq,
    PackagePermissionSetReq,
    PermissionReq,
    PermissionSetLicenseReq,
    ProfileReq,
    Requirement,
    SetupEntityReq,
)

_TIERS = {1: "low", 2: "medium", 3: "high", 4: "critical"}
_UNKNOWN_RANK = 2  # a permission without a risk tier counts as medium
# Object rights on one object: deleting or editing every record is high, reading is low.
_OBJECT_RANK = {
    ObjectRight.READ: 1,
    ObjectRight.VIEW_ALL_FIELDS: 1,
    ObjectRight.CREATE: 2,
    ObjectRight.EDIT: 2,
    ObjectRight.VIEW_ALL_RECORDS: 2,
    ObjectRight.DELETE: 2,
    ObjectRight.MODIFY_ALL_RECORDS: 3,
}
_RIGHT_ORDER = list(ObjectRight)


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
    return perm.risk.rank if perm is not None and perm.risk is not None else _UNKNOWN_RANK


def cost(req: Requirement, catalog: Catalog) -> Cost:
    """The cost of granting ``req`` (for ``any:`` inside, the cheapest of its alternatives)."""
    if isinstance(req, AllOf):
        total = Cost()
        for item in req.items:
            total = total + cost(item, catalog)
        return total
    if isinstance(req, AnyOf):
        return min((cost(item, catalog) for item in req.items), default=Cost())
    if isinstance(req, ProfileReq):
        return Cost(profile=1, worst=4, total=4, count=1)
    if isinstance(req, PermissionReq):
        names = {req.name} | catalog.required_permissions(req.name)
        ranks = [permission_rank(catalog, n) for n in names]
        org_wide = 1 if implied_object_rights(names) else 0
        return Cost(org_wide=org_wide, worst=max(ranks), total=sum(ranks), count=1)
    if isinstance(req, ObjectReq):
        ranks = [_OBJECT_RANK[r] for r in req.rights] or [1]
        return Cost(worst=max(ranks), total=sum(ranks), count=1)
    if isinstance(req, FieldReq):
        rank = 2 if FieldRight.EDIT in req.rights else 1
        return Cost(worst=rank, total=rank, count=1)
    if isinstance(req, PackagePermissionSetReq):  # contents unknown to leastforce
        return Cost(worst=_UNKNOWN_RANK, total=_UNKNOWN_RANK, count=1)
    return Cost(worst=1, total=1, count=1)  # setup entity, license, permission set license


def choose(any_of: AnyOf, catalog: Catalog) -> tuple[int, str]:
    """The index of the least risky alternative and the reason, in a few words."""
    costs = [cost(item, catalog) for item in any_of.items]
    best = min(range(len(costs)), key=lambda i: (costs[i], i))
    others = [c for i, c in enumerate(costs) if i != best]
    if not others:
        return best, "the only alternative"
    runner = min(others)
    mine = costs[best]
    if mine.profile < runner.profile:
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


def describe(req: Requirement, shown: int = 4) -> str:
    """One line naming what ``req`` grants, with API names (used in choices and descriptions);
    an ``all:``/``any:`` with more than ``shown`` items names the first ones and counts the rest."""
    if isinstance(req, PermissionReq):
        return req.name
    if isinstance(req, ObjectReq):
        rights = ", ".join(r.key for r in sorted(req.rights, key=_RIGHT_ORDER.index))
        return f"{req.object} ({rights})"
    if isinstance(req, FieldReq):
        return f"{req.field_name} ({', '.join(sorted(r.key for r in req.rights))})"
    if isinstance(req, SetupEntityReq):
        return f"{req.entity.type.value} {req.entity.name}"
    if isinstance(req, ProfileReq):
        return f"profile {req.name}"
    if isinstance(req, LicenseReq):
        return "license " + " or ".join(req.allowed or ("any",))
    if isinstance(req, PermissionSetLicenseReq):
        return f"permission set license {req.name}"
    if isinstance(req, PackagePermissionSetReq):
        return f"permission set {req.name}"
    joiner = " + " if isinstance(req, AllOf) else " or "
    parts = [describe(item, shown) for item in req.items]
    if len(parts) > shown:  # long alternatives (a whole granular setup) are summed up
        parts = [*parts[: shown - 1], f"{len(parts) - shown + 1} more"]
    return "(" + joiner.join(parts) + ")"
