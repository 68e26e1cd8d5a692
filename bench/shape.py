"""The shape of a synthetic org, as pure choices from a seeded random generator (no I/O).

Realistic, in the ways that matter to leastforce's costs: object and field grants concentrate on a few
popular objects and a long tail of permission sets (Zipf-like weights), most users sit on a handful of
profiles, a few sets carry the risky permissions audit looks for.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from leastforce.emulator.store.schema import Schema

# Object flags in closure order (Salesforce: Create/Edit/View All need Read, Delete needs Edit, Modify All
# needs Delete and View All). https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
_FIRST = ("Account", "Contact", "Opportunity", "Case", "Lead", "Task", "Event", "Campaign")
# Everyday user permissions a long tail of sets carries (filtered by what the emulator's schema knows).
COMMON_PERMISSIONS = (
    "ApiEnabled",
    "RunReports",
    "ExportReport",
    "EditTask",
    "EditEvent",
    "ConvertLeads",
    "ImportLeads",
    "ManageCases",
    "ViewSetup",
    "CreateCustomizeReports",
    "ManageDashboards",
    "ViewAllUsers",
    "EditPublicDocuments",
    "ChatterInternalUser",
)
# Risky permissions and how often a set carries one (audit's org-wide holders).
RISKY_PERMISSIONS = (
    ("ViewAllData", 0.02),
    ("ModifyAllData", 0.01),
    ("AuthorApex", 0.01),
    ("ManageUsers", 0.02),
)


@dataclass(frozen=True)
class Grant:
    """One object a parent (permission set, profile-owned set) grants: object flags and its field rows."""

    sobject: str
    flags: tuple[str, ...]
    fields: tuple[tuple[str, bool], ...]  # (Object.Field, editable)


def object_fields(schema: Schema, count: int, rng: random.Random) -> dict[str, list[str]]:
    """``count`` objects with their permissionable fields (``Object.Field``): the emulator's standard
    objects first (popular ones leading, each padded with custom fields to 20..100), then custom objects
    ``Obj_N__c`` with 20..100 custom fields. The custom ones exist only as permission rows: the emulator's
    schema is a fixed describe, so they have no describe or records."""
    standard = [
        name
        for name, so in schema.sobjects.items()
        if not so.setup and any(f.permissionable for f in so.fields.values())
    ]
    standard.sort(key=lambda n: (_FIRST.index(n) if n in _FIRST else len(_FIRST), n))
    out: dict[str, list[str]] = {}
    for i in range(count):
        name = standard[i] if i < len(standard) else f"Obj_{i - len(standard) + 1}__c"
        so = schema.sobjects.get(name)
        own = [f.name for f in so.fields.values() if f.permissionable] if so else []
        want = max(len(own), rng.randint(20, 100))
        own += [f"Bench_{j}__c" for j in range(1, want - len(own) + 1)]
        out[name] = [f"{name}.{f}" for f in own]
    return out


def zipf_weights(n: int, exponent: float = 0.9, offset: float = 2.0) -> list[float]:
    """A long tail: item i weighs 1/(i+offset)^exponent."""
    return [1.0 / (i + offset) ** exponent for i in range(n)]


def budgets(total: int, weights: Sequence[float], cap: int, floor: int = 20) -> list[int]:
    """``total`` rows split by ``weights``, none above ``cap`` (what one parent can hold) nor below
    ``floor``: the share above ``cap`` goes to the others, in proportion (water filling)."""
    shares = [0.0] * len(weights)
    open_ = set(range(len(weights)))
    left = float(total)
    while open_ and left > 0.5:
        scale = left / sum(weights[i] for i in open_)
        full = {i for i in open_ if shares[i] + weights[i] * scale >= cap}
        if not full:
            for i in open_:
                shares[i] += weights[i] * scale
            break
        for i in full:
            left -= cap - shares[i]
            shares[i] = cap
        open_ -= full
    return [max(floor, round(x)) for x in shares]


def grants_for(budget: int, objects: dict[str, list[str]], rng: random.Random) -> list[Grant]:
    """Objects and field rows for one parent, ``budget`` field rows when the org has that many fields;
    popular objects come first more often (a weighted shuffle), each with 30%..100% of its fields, then
    topped up to the budget."""
    names = list(objects)
    weights = zipf_weights(len(names), 1.0, 1.0)
    order = sorted(range(len(names)), key=lambda i: -(rng.random() ** (1.0 / weights[i])))
    takes: list[tuple[str, int]] = []
    left = budget
    for i in order:
        if left <= 0:
            break
        fields = objects[names[i]]
        take = min(left, max(1, math.ceil(len(fields) * rng.uniform(0.3, 1.0))))
        takes.append((names[i], take))
        left -= take
    for n, (name, take) in enumerate(takes):  # top up: more fields of the objects already granted
        more = min(left, len(objects[name]) - take)
        takes[n] = (name, take + more)
        left -= more
    out = []
    for name, take in takes:
        flags = object_flags(rng)
        edit = "PermissionsEdit" in flags
        out.append(Grant(name, flags, tuple((f, edit and rng.random() < 0.4) for f in objects[name][:take])))
    return out


def object_flags(rng: random.Random) -> tuple[str, ...]:
    """Object permission flags, closed under Salesforce's rules (Delete needs Edit, ...)."""
    flags = {"PermissionsRead"}
    if rng.random() < 0.5:
        flags.add("PermissionsEdit")
        if rng.random() < 0.7:
            flags.add("PermissionsCreate")
        if rng.random() < 0.3:
            flags.add("PermissionsDelete")
    if rng.random() < 0.05:
        flags.add("PermissionsViewAllRecords")
    if rng.random() < 0.03:
        flags.add("PermissionsViewAllFields")
    if rng.random() < 0.01:
        flags |= {"PermissionsEdit", "PermissionsDelete", "PermissionsViewAllRecords"}
        flags.add("PermissionsModifyAllRecords")
    return tuple(sorted(flags))


def set_permissions(rng: random.Random, known: Iterable[str]) -> set[str]:
    """User permissions of one ordinary permission set: 0..4 everyday ones, rarely a risky one."""
    names = set(known)
    common = [p for p in COMMON_PERMISSIONS if p in names]
    out = set(rng.sample(common, rng.randint(0, min(4, len(common)))))
    out |= {p for p, chance in RISKY_PERMISSIONS if p in names and rng.random() < chance}
    return out


def assignment_count(rng: random.Random) -> int:
    """How many permission sets a human user holds: mostly 0..3, a few up to 8."""
    roll = rng.random()
    for limit, count in ((0.2, 0), (0.45, 1), (0.65, 2), (0.8, 3), (0.9, 4)):
        if roll < limit:
            return count
    return rng.randint(5, 8)
