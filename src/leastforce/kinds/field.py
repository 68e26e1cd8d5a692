"""``field:`` + ``access:``: field-level security on one field, ``Object.Field``.

A field is visible only with Read on its object as well ("Field permissions ... the object permission
must also be granted": FieldPermissions, Object Reference), and field Edit needs field Read.
"""

from __future__ import annotations

from leastforce.access.grants import Grant
from leastforce.catalog.catalog import Catalog
from leastforce.errors import Problem
from leastforce.kinds import fixes
from leastforce.kinds.base import CheckContext, Contribution, Kind, lost_hint
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.kinds.problems import object_name_problems, warning
from leastforce.kinds.risk import Cost
from leastforce.values import problem_codes as codes
from leastforce.values.model import FieldRight, ObjectRight
from leastforce.values.requirements import FieldReq


def _keys(rights: frozenset[FieldRight]) -> list[str]:
    return [r.key for r in sorted(rights, key=lambda r: r.name, reverse=True)]


class FieldKind(Kind[FieldReq]):
    key = "field"
    missing_detail = "missing"

    def describe(self, req: FieldReq, catalog: Catalog | None) -> str:
        return f"field {req.field_name}: {', '.join(_keys(req.rights))}"

    def short(self, req: FieldReq, shown: int) -> str:
        return f"{req.field_name} ({', '.join(sorted(r.key for r in req.rights))})"

    def cost(self, req: FieldReq, catalog: Catalog) -> Cost:
        rank = 2 if FieldRight.EDIT in req.rights else 1
        return Cost(worst=rank, total=rank, count=1)

    def contribute(self, req: FieldReq, catalog: Catalog) -> Contribution:
        return Contribution(fields=((req.field_name, req.rights),))

    def validate(self, req: FieldReq, catalog: Catalog) -> list[Problem]:
        problems = object_name_problems(req, req.object, catalog)
        if FieldRight.EDIT in req.rights and FieldRight.READ not in req.rights:
            message = f"{req.field_name} access [edit] needs read too; it will be added"
            problems.append(warning(req, message, codes.IMPLIED_ACCESS))
        obj = catalog.find_object(req.object)
        field_name = req.field_name.split(".", 1)[1]
        known = obj.fields if obj is not None else {}
        if known and field_name in known and not known[field_name].permissionable:
            message = f"{req.field_name} takes no field-level security (always readable or system-managed)"
            problems.append(warning(req, message, codes.FIELD_NOT_PERMISSIONABLE))
        return problems

    def check(self, req: FieldReq, ctx: CheckContext) -> RequirementResult:
        access, target, catalog = ctx.access, ctx.target, ctx.catalog
        have = access.field_rights(req.field_name)
        needed = req.rights | {FieldRight.READ}
        lacking = sorted((r for r in needed if r not in have), key=lambda r: r.name, reverse=True)
        obj_read = access.object_rights(req.object).get(ObjectRight.READ, ())
        grants: tuple[Grant, ...] = tuple(dict.fromkeys(g for r in needed if r in have for g in have[r]))
        if not lacking and obj_read:
            return RequirementResult(req, Status.PASSED, grants)
        missing = tuple(f"field {r.key}" for r in lacking) + (() if obj_read else (f"Read on {req.object}",))
        steps = [fixes.fix_field(req.field_name, lacking, target, catalog)] if lacking else []
        if not obj_read:
            steps.append(fixes.fix_object(req.object, [ObjectRight.READ], [], target, catalog))
        fix = " ".join(steps) + lost_hint(
            access, lambda r: bool(set(lacking) & r.fields.get(req.field_name, frozenset()))
        )
        return RequirementResult(req, Status.MISSING, grants, (), missing, fix)
