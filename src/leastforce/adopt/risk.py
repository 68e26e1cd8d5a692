"""The grants an admin should question first, riskiest first: for the comment block at the top.

Permissions are ranked by the catalog's risk tiers (catalog/data/risk.yaml: critical, high, medium; low
ones are not listed). Object rights that reach every record whatever the sharing rank as
leastforce.kinds.risk ranks them: Modify All Records high, View All Records medium.
"""

from __future__ import annotations

from leastforce.access.grants import EffectiveAccess
from leastforce.adopt.model import RiskyGrant
from leastforce.adopt.sources import sources
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.types import Risk
from leastforce.kinds.risk import OBJECT_RANK
from leastforce.values.model import ObjectRight

LISTED = (Risk.CRITICAL, Risk.HIGH, Risk.MEDIUM)
_BY_RANK = {risk.rank: risk for risk in Risk}
_RECORD_WIDE = (ObjectRight.MODIFY_ALL_RECORDS, ObjectRight.VIEW_ALL_RECORDS)


def risky_grants(access: EffectiveAccess, catalog: Catalog) -> tuple[RiskyGrant, ...]:
    """Every listed-tier permission and record-wide object right the user holds, riskiest first
    (then permissions before objects, then by name)."""
    found: list[tuple[int, int, str, RiskyGrant]] = []
    for name in access.permissions:
        perm = catalog.permissions.get(name)
        if perm is None or perm.risk not in LISTED:
            continue
        assert perm.risk is not None
        what = f"{name} ({perm.label})" if perm.label else name
        found.append(
            (-perm.risk.rank, 0, name, RiskyGrant(perm.risk, what, sources(access.permissions[name])))
        )
    for obj, rows in access.objects.items():
        for right in _RECORD_WIDE:
            if rows.get(right):
                risk = _BY_RANK[OBJECT_RANK[right]]
                what = f"{right.label} on {obj}"
                found.append(
                    (-risk.rank, 1, f"{obj}:{right.key}", RiskyGrant(risk, what, sources(rows[right])))
                )
                break  # Modify All Records includes View All Records: the riskier one says it
    return tuple(item for *_, item in sorted(found, key=lambda t: t[:3]))
