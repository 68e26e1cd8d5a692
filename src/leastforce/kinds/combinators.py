"""``all:`` (every item must hold) and ``any:`` (one item must hold; build takes the least risky one).

Both are given the registry's ``kind_of`` when built (kinds/__init__.py), for their items.
"""

from __future__ import annotations

from leastforce.catalog.catalog import Catalog
from leastforce.errors import Problem
from leastforce.kinds.base import NOTHING, CheckContext, Chosen, Contribution, Held, Kind, KindOf
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.kinds.risk import Cost, choose
from leastforce.values import problem_codes as codes
from leastforce.values.requirements import AllOf, AnyOf, Requirement


def _joined(items: tuple[Requirement, ...], joiner: str, shown: int, kind_of: KindOf) -> str:
    """The items named in one line; more than ``shown`` name the first ones and count the rest."""
    parts = [kind_of(item).short(item, shown) for item in items]
    if len(parts) > shown:  # long alternatives (a whole granular setup) are summed up
        parts = [*parts[: shown - 1], f"{len(parts) - shown + 1} more"]
    return "(" + joiner.join(parts) + ")"


class AllOfKind(Kind[AllOf]):
    key = "all"

    def __init__(self, kind_of: KindOf) -> None:
        self.kind_of = kind_of

    def describe(self, req: AllOf, catalog: Catalog | None) -> str:
        return "all of"

    def short(self, req: AllOf, shown: int) -> str:
        return _joined(req.items, " + ", shown, self.kind_of)

    def cost(self, req: AllOf, catalog: Catalog, held: Held = NOTHING) -> Cost:
        total = Cost()
        for item in req.items:
            total = total + self.kind_of(item).cost(item, catalog, held)
        return total

    def contribute(self, req: AllOf, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution(then=req.items)

    def check(self, req: AllOf, ctx: CheckContext) -> RequirementResult:
        items = [ctx.check(item) for item in req.items]
        statuses = {r.status for r in items}
        status = next((s for s in (Status.MISSING, Status.NOT_CHECKED) if s in statuses), Status.PASSED)
        grants = tuple(dict.fromkeys(g for r in items for g in r.satisfied_by))
        fix = " ".join(r.fix for r in items if r.status is Status.MISSING)
        missing = tuple(m for r in items if r.status is Status.MISSING for m in r.missing)
        return RequirementResult(req, status, grants, tuple(items), missing, fix)


class AnyOfKind(Kind[AnyOf]):
    key = "any"

    def __init__(self, kind_of: KindOf) -> None:
        self.kind_of = kind_of

    def describe(self, req: AnyOf, catalog: Catalog | None) -> str:
        return "any of"

    def short(self, req: AnyOf, shown: int) -> str:
        return _joined(req.items, " or ", shown, self.kind_of)

    def cost(self, req: AnyOf, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return min((self.kind_of(item).cost(item, catalog, held) for item in req.items), default=Cost())

    def contribute(self, req: AnyOf, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        index, reason = choose([self.kind_of(item).cost(item, catalog, held) for item in req.items])
        chosen = Chosen(
            alternatives=tuple(self.kind_of(item).short(item, 4) for item in req.items),
            index=index,
            reason=reason,
            short=tuple(self.kind_of(item).short(item, 2) for item in req.items),
        )
        return Contribution(then=(req.items[index],), choice=chosen)

    def validate(self, req: AnyOf, catalog: Catalog) -> list[Problem]:
        if len(req.items) == 1:
            message = "`any:` with a single item; write the item itself"
            return [Problem("warning", message, req.position, codes.SINGLE_ANY)]
        return []

    def check(self, req: AnyOf, ctx: CheckContext) -> RequirementResult:
        items = [ctx.check(item) for item in req.items]
        winner = next((r for r in items if r.status is Status.PASSED), None)
        if winner is not None:
            return RequirementResult(req, Status.PASSED, winner.satisfied_by, tuple(items))
        if any(r.status is Status.NOT_CHECKED for r in items):
            return RequirementResult(req, Status.NOT_CHECKED, (), tuple(items))
        fix = "Any one of: " + " Or: ".join(f"({i}) {r.fix}" for i, r in enumerate(items, start=1))
        return RequirementResult(req, Status.MISSING, (), tuple(items), ("one of the alternatives",), fix)
