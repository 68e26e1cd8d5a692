"""``permission:``: a user (system or app) permission, by API name, e.g. ApiEnabled."""

from __future__ import annotations

from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import implied_object_rights
from leastforce.errors import Problem
from leastforce.kinds import fixes
from leastforce.kinds.base import NOTHING, CheckContext, Contribution, Held, Kind, lost_hint
from leastforce.kinds.outcome import RequirementResult, passed_or_missing
from leastforce.kinds.problems import error, warning
from leastforce.kinds.risk import Cost, permission_rank
from leastforce.values import problem_codes as codes
from leastforce.values.requirements import PermissionReq


class PermissionKind(Kind[PermissionReq]):
    key = "permission"

    def describe(self, req: PermissionReq, catalog: Catalog | None) -> str:
        perm = catalog.find_permission(req.name) if catalog else None
        if perm and perm.label != req.name:
            return f"permission {req.name} ({perm.label})"
        return f"permission {req.name}"

    def short(self, req: PermissionReq, shown: int) -> str:
        return req.name

    def cost(self, req: PermissionReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        # The permissions Salesforce turns on with it count too (Modify All Data brings View All Data ...).
        names = ({req.name} | catalog.required_permissions(req.name)) - held.permissions
        if not names:
            return Cost()  # the rest of the setup already grants it and what it needs
        ranks = [permission_rank(catalog, n) for n in names]
        org_wide = 1 if implied_object_rights(names) else 0
        return Cost(org_wide=org_wide, worst=max(ranks), total=sum(ranks), count=1)

    def contribute(self, req: PermissionReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution(permissions=(req.name,))

    def validate(self, req: PermissionReq, catalog: Catalog) -> list[Problem]:
        found = catalog.find_permission(req.name)
        if found is None:
            hints = catalog.suggest_permissions(req.name)
            hint = f" (did you mean {' or '.join(hints)}?)" if hints else ""
            return [error(req, f"unknown user permission {req.name!r}{hint}", codes.UNKNOWN_PERMISSION)]
        if found.name != req.name:
            message = f"label {req.name!r} used; the API name is {found.name}"
            return [warning(req, message, codes.PERMISSION_LABEL)]
        return []

    def check(self, req: PermissionReq, ctx: CheckContext) -> RequirementResult:
        perm = ctx.catalog.find_permission(req.name)
        name = perm.name if perm else req.name
        grants = ctx.access.permissions.get(name, ())
        fix = fixes.fix_permission(name, ctx.target, ctx.catalog)
        fix += lost_hint(ctx.access, lambda r: name in r.permissions)
        return passed_or_missing(req, grants, (name,), fix)
