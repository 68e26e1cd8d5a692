"""``field:`` + ``access:``: field-level security on one field, ``Object.Field``.

A field is visible only with Read on its object as well, and editable only with Edit on it ("Field
permissions ... the object permission must also be granted"; FieldPermissions, Object Reference:
https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-fieldpermissions.html);
field Edit needs field Read. So a field requirement brings the object rights it needs (``contribute``)
and verify requires them.
"""

from __future__ import annotations

from leastforce.access.grants import Grant
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import close_field_rights
from leastforce.errors import Problem
from leastforce.kinds import fixes
from leastforce.kinds.base import NOTHING, CheckContext, Contribution, Held, Kind, lost_hint
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.kinds.problems import field_access_problems, object_name_problems, warning
from leastforce.kinds.risk import Cost
from leastforce.values import problem_codes as codes
from leastforce.values.model import FieldRight, ObjectRight
from leastforce.values.requirements import FieldReq


def _keys(rights: frozenset[FieldRight]) -> list[str]:
    return [r.key for r in sorted(rights, key=lambda r: r.name, reverse=True)]


def object_rights_for(rights: frozenset[FieldRight]) -> frozenset[ObjectRight]:
    """The object rights field access needs: Read to read a field, Read and Edit to edit one."""
    if FieldRight.EDIT in rights:
        return frozenset({ObjectRight.READ, ObjectRight.EDIT})
    return frozenset({ObjectRight.READ})


class FieldKind(Kind[FieldReq]):
    key = "field"
    missing_detail = "missing"

    def describe(self, req: FieldReq, catalog: Catalog | None) -> str:
        return f"field {req.field_name}: {', '.join(_keys(req.rights))}"

    def short(self, req: FieldReq, shown: int) -> str:
        return f"{req.field_name} ({', '.join(sorted(r.key for r in req.rights))})"

    def cost(self, req: FieldReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        rank = 2 if FieldRight.EDIT in req.rights else 1
        return Cost(worst=rank, total=rank, count=1)

    def contribute(self, req: FieldReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution(
            fields=((req.field_name, req.rights),),
            objects=((req.object, object_rights_for(req.rights)),),
            implied_objects=frozenset({req.object}),
            required_by=req.field_name,
        )

    def validate(self, req: FieldReq, catalog: Catalog) -> list[Problem]:
        problems = object_name_problems(req, req.object, catalog)
        if close_field_rights(req.rights) != req.rights:
            message = f"{req.field_name} access [edit] needs read too; it will be added"
            problems.append(warning(req, message, codes.IMPLIED_ACCESS))
        field_name = req.field_name.split(".", 1)[1]
        return problems + field_access_problems(req, req.object, (field_name,), catalog)

    def check(self, req: FieldReq, ctx: CheckContext) -> RequirementResult:
        access, target, catalog = ctx.access, ctx.target, ctx.catalog
        have = access.field_rights(req.field_name)
        needed = req.rights | {FieldRight.READ}
        lacking = sorted((r for r in needed if r not in have), key=lambda r: r.name, reverse=True)
        obj_have = access.object_rights(req.object)
        obj_lacking = [r for r in ObjectRight if r in object_rights_for(req.rights) and r not in obj_have]
        grants: tuple[Grant, ...] = tuple(dict.fromkeys(g for r in needed if r in have for g in have[r]))
        if not lacking and not obj_lacking:
            return RequirementResult(req, Status.PASSED, grants)
        missing = tuple(f"field {r.key}" for r in lacking)
        missing += tuple(f"{r.label} on {req.object}" for r in obj_lacking)
        steps = [fixes.fix_field(req.field_name, lacking, target, catalog)] if lacking else []
        if obj_lacking:
            steps.append(fixes.fix_object(req.object, obj_lacking, [], target, catalog))
        lost = lost_hint(access, lambda r: bool(set(lacking) & r.fields.get(req.field_name, frozenset())))
        lost += lost_hint(access, lambda r: bool(set(obj_lacking) & r.objects.get(req.object, frozenset())))
        return RequirementResult(req, Status.MISSING, grants, (), missing, " ".join(steps) + lost)
