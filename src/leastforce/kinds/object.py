"""``object:`` + ``access:`` (+ ``fields:`` that must be readable): object permissions on one object.

Rights are closed as Salesforce requires (Edit needs Read, Modify All Records needs Read, Edit, Delete and
View All Records): catalog.rights.close_object_rights.
"""

from __future__ import annotations

from leastforce.access.grants import Grant
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import close_object_rights, implied_object_rights
from leastforce.errors import Problem
from leastforce.kinds import fixes
from leastforce.kinds.base import NOTHING, CheckContext, Contribution, Held, Kind, lost_hint
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.kinds.problems import field_access_problems, object_name_problems, warning
from leastforce.kinds.risk import OBJECT_RANK, Cost
from leastforce.values import problem_codes as codes
from leastforce.values.model import FieldRight, ObjectRight
from leastforce.values.requirements import ObjectReq

_ORDER = list(ObjectRight)


class ObjectKind(Kind[ObjectReq]):
    key = "object"
    missing_detail = "missing"

    def describe(self, req: ObjectReq, catalog: Catalog | None) -> str:
        text = f"object {req.object}: {fixes.rights_text(req.rights)}"
        return text + (f"; fields {', '.join(req.fields)} readable" if req.fields else "")

    def short(self, req: ObjectReq, shown: int) -> str:
        rights = ", ".join(r.key for r in sorted(req.rights, key=_ORDER.index))
        return f"{req.object} ({rights})"

    def cost(self, req: ObjectReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        have = held.objects.get(req.object, frozenset()) | implied_object_rights(held.permissions)
        extra = close_object_rights(req.rights) - have
        if not extra:
            return Cost()  # the rest of the setup already grants these rights
        ranks = [OBJECT_RANK[r] for r in req.rights if r in extra] or [1]
        return Cost(worst=max(ranks), total=sum(ranks), count=1)

    def contribute(self, req: ObjectReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        fields = tuple((f"{req.object}.{name}", frozenset({FieldRight.READ})) for name in req.fields)
        return Contribution(objects=((req.object, req.rights),), fields=fields)

    def validate(self, req: ObjectReq, catalog: Catalog) -> list[Problem]:
        """The object's API name; incomplete access (``[edit]`` without read) is a warning: build and
        verify use the closed set, as Salesforce adds the rights a right needs when an admin ticks it
        ("PermissionsEdit ... requires PermissionsRead", ObjectPermissions):
        https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
        """
        problems = object_name_problems(req, req.object, catalog)
        missing = close_object_rights(req.rights) - req.rights
        if missing:
            have = ", ".join(sorted(r.key for r in req.rights))
            need = ", ".join(sorted(r.key for r in missing))
            message = f"{req.object} access [{have}] needs {need} too; it is implied and will be added"
            problems.append(warning(req, message, codes.IMPLIED_ACCESS))
        obj = catalog.find_object(req.object)
        known = obj.fields if obj is not None else {}
        for name in req.fields:
            if known and name not in known:
                message = f"field {req.object}.{name} is not in the catalog; check it in the org"
                problems.append(warning(req, message, codes.UNKNOWN_FIELD))
        return problems + field_access_problems(req, req.object, req.fields, catalog)

    def check(self, req: ObjectReq, ctx: CheckContext) -> RequirementResult:
        access = ctx.access
        have = access.object_rights(req.object)
        needed = close_object_rights(req.rights)
        lacking = [r for r in needed if r not in have]
        fields_lacking = [
            f for f in req.fields if FieldRight.READ not in access.field_rights(f"{req.object}.{f}")
        ]
        grants: tuple[Grant, ...] = tuple(dict.fromkeys(g for r in needed if r in have for g in have[r]))
        if not lacking and not fields_lacking:
            return RequirementResult(req, Status.PASSED, grants)
        missing: tuple[str, ...] = (fixes.rights_text(lacking),) if lacking else ()
        missing += tuple(f"field {f}: read" for f in fields_lacking)
        fix = fixes.fix_object(req.object, lacking, fields_lacking, ctx.target, ctx.catalog)
        fix += lost_hint(access, lambda r: bool(set(lacking) & r.objects.get(req.object, frozenset())))
        return RequirementResult(req, Status.MISSING, grants, (), tuple(m for m in missing if m), fix)
