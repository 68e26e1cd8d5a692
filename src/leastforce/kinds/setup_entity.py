"""``apex_class:``, ``apex_page:``, ``custom_permission:``, ``connected_app:``, ``external_client_app:``,
``external_credential_principal:``: access to a setup entity, granted as SetupEntityAccess on a set."""

from __future__ import annotations

from leastforce.catalog.catalog import Catalog
from leastforce.kinds import fixes
from leastforce.kinds.base import NOTHING, CheckContext, Contribution, Held, Kind
from leastforce.kinds.outcome import RequirementResult, passed_or_missing
from leastforce.kinds.risk import Cost
from leastforce.values.requirements import SetupEntityReq


class SetupEntityKind(Kind[SetupEntityReq]):
    key = "setup_entity"

    def describe(self, req: SetupEntityReq, catalog: Catalog | None) -> str:
        return f"{fixes.ENTITY_PAGES[req.entity.type][1]} {req.entity.name}"

    def short(self, req: SetupEntityReq, shown: int) -> str:
        return f"{req.entity.type.value} {req.entity.name}"

    def cost(self, req: SetupEntityReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return Cost(worst=1, total=1, count=1)

    def contribute(self, req: SetupEntityReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution(entities=(req.entity,))

    def check(self, req: SetupEntityReq, ctx: CheckContext) -> RequirementResult:
        grants = ctx.access.setup_entities.get(req.entity, ())
        return passed_or_missing(
            req, grants, (req.entity.name,), fixes.fix_setup_entity(req.entity, ctx.target)
        )
