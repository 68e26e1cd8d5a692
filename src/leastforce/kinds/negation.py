"""``not:``: the item must NOT hold ("the integration user must not be API only", "must not hold Modify
All Data"). It grants nothing; verify passes only when the item fails, and when it holds the fix names
every grant that gives it, to be taken away there."""

from __future__ import annotations

from leastforce.access.grants import describe_grant
from leastforce.catalog.catalog import Catalog
from leastforce.errors import Problem
from leastforce.kinds.base import NOTHING, CheckContext, Contribution, Held, Kind, KindOf
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.kinds.risk import Cost
from leastforce.values.requirements import NotReq


class NotKind(Kind[NotReq]):
    key = "not"

    def __init__(self, kind_of: KindOf) -> None:
        self.kind_of = kind_of

    def describe(self, req: NotReq, catalog: Catalog | None) -> str:
        return f"not: {self.kind_of(req.item).describe(req.item, catalog)}"

    def short(self, req: NotReq, shown: int) -> str:
        return f"not {self.kind_of(req.item).short(req.item, shown)}"

    def cost(self, req: NotReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return Cost()  # refusing a right never adds risk

    def contribute(self, req: NotReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution(negated=(req.item,))

    def validate(self, req: NotReq, catalog: Catalog) -> list[Problem]:
        return self.kind_of(req.item).validate(req.item, catalog)

    def check(self, req: NotReq, ctx: CheckContext) -> RequirementResult:
        inner = ctx.check(req.item)
        if inner.status is Status.NOT_CHECKED:
            return RequirementResult(req, Status.NOT_CHECKED, (), (inner,), inner.missing)
        if inner.status is Status.MISSING:
            return RequirementResult(req, Status.PASSED, (), (inner,))
        what = self.kind_of(req.item).describe(req.item, ctx.catalog)
        user = ctx.access.user.username
        sources = "; ".join(dict.fromkeys(describe_grant(g) for g in inner.satisfied_by)) or "its license"
        fix = (
            f"{user} must not have {what}, but holds it through {sources}: take it away there (clear it in"
            f" that profile or permission set, or remove {user}'s assignment of the set)."
        )
        return RequirementResult(req, Status.MISSING, inner.satisfied_by, (), (f"has {what}",), fix)
