"""Fill an emulated org with a synthetic, realistically shaped permission state, through the store.

Rows go in with ``OrgStore.bulk_insert`` (no rules, no effects, chunked), so the generator writes what
Salesforce itself would have written: each profile's owned permission set, one assignment row per user
for it, a group's aggregate set (Type 'Group'), UserLogin rows. Orgs are cached under bench/orgs/ by size
and generator version (``cached_org``); a cache entry is only used once complete (``done.json``).

Simplifications (stated in docs/benchmarks.md): custom objects exist only as permission rows; group
aggregate sets carry no object/field rows; license counts are not enforced (bulk rows bypass rules).
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import shape
from bench.people import add_upflow, add_users
from bench.sizes import Size
from bench.writer import OrgWriter, add_profile, open_writer
from leastforce.catalog.loader import load_catalog
from leastforce.emulator.store.org_store import Caller, OrgStore
from leastforce.emulator.store.schema import load_schema

ORGS_DIR = Path(__file__).resolve().parent / "orgs"
EXPLAIN_FIELD = "Contact.Email"


def cached_org(size: Size, root: Path = ORGS_DIR) -> Path:
    """The state directory of ``size``'s org, generated on first use (then reused)."""
    target = root / size.key
    if (target / "done.json").exists():
        return target
    partial = root / (size.key + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    started = time.perf_counter()
    counts = generate(size, partial)
    counts["generate_s"] = round(time.perf_counter() - started, 2)
    (partial / "done.json").write_text(json.dumps(counts, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def generate(size: Size, state_dir: Path) -> dict[str, Any]:
    """Seed a fresh org in ``state_dir`` and fill it; returns the row counts per table."""
    store = OrgStore.open(state_dir, seed=True)
    try:
        org = open_writer(store, random.Random(f"leastforce-bench-{size.name}"))
        objects = shape.object_fields(load_schema(), size.objects, org.rng)
        seeded_fields = len(org.rows("SELECT Id FROM FieldPermissions"))
        custom = _custom_profiles(org, size)
        sets, integration_sets = _permission_sets(org, size)
        parents = [org.owned[p] for p in custom] + sets
        weights = [5.0] * len(custom) + shape.zipf_weights(len(sets), 0.7, 3.0)
        grants = _grant_rows(
            org,
            parents,
            shape.budgets(size.field_rows - seeded_fields, weights, cap=sum(map(len, objects.values()))),
            objects,
        )
        groups = _groups(org, size, sets, grants)
        users = add_users(org, size, custom, sets, integration_sets, groups)
        add_upflow(org)
        return {"users": users, **_counts(org)}
    finally:
        store.close()


def _custom_profiles(org: OrgWriter, size: Size) -> list[str]:
    roles = (
        "Sales",
        "Support",
        "Marketing",
        "Finance",
        "Operations",
        "Partner Ops",
        "Legal",
        "HR",
        "IT",
        "Field",
    )
    perms = {"ApiEnabled", "RunReports", "EditTask", "EditEvent", "ChatterInternalUser"}
    return [
        add_profile(org, f"{roles[i % len(roles)]} User {i + 1}", "Salesforce", perms)
        for i in range(size.profiles)
    ]


def _with_dependencies(perms: set[str], known: set[str]) -> set[str]:
    catalog = load_catalog()
    out = set(perms)
    for name in perms:
        out |= set(catalog.required_permissions(name))
    return out & known


def _permission_sets(org: OrgWriter, size: Size) -> tuple[list[str], list[str]]:
    """The long tail of sets; about 1 in 20 is an integration set on the API Integration PSL."""
    known = set(load_schema().sobjects["PermissionSet"].permission_names)
    rows, integration = [], []
    for i in range(size.permission_sets):
        is_integration = i % 20 == 7
        perms = {"ApiEnabled"} if is_integration else shape.set_permissions(org.rng, known)
        row = {
            "Name": f"Bench_Set_{i + 1}",
            "Label": f"Bench Set {i + 1}",
            "Type": "Regular",
            "IsCustom": True,
        }
        row |= {f"Permissions{p}": True for p in _with_dependencies(perms, known)}
        if is_integration:
            row["LicenseId"] = org.psl_id
        rows.append(row)
        integration.append(is_integration)
    ids = org.insert("PermissionSet", rows)
    return ids, [i for i, flag in zip(ids, integration, strict=True) if flag]


def _grant_rows(
    org: OrgWriter, parents: list[str], budgets: list[int], objects: dict[str, list[str]]
) -> dict[str, list[shape.Grant]]:
    grants = {p: shape.grants_for(b, objects, org.rng) for p, b in zip(parents, budgets, strict=True)}
    org.insert(
        "ObjectPermissions",
        (
            {"ParentId": p, "SobjectType": g.sobject, **dict.fromkeys(g.flags, True)}
            for p, gs in grants.items()
            for g in gs
        ),
    )
    org.insert("FieldPermissions", _field_rows(grants))
    return grants


def _field_rows(grants: dict[str, list[shape.Grant]]) -> Iterator[dict[str, Any]]:
    for parent, items in grants.items():
        for g in items:
            for name, edit in g.fields:
                yield {
                    "ParentId": parent,
                    "SobjectType": g.sobject,
                    "Field": name,
                    "PermissionsRead": True,
                    "PermissionsEdit": edit,
                }


def _groups(
    org: OrgWriter, size: Size, sets: list[str], grants: dict[str, list[shape.Grant]]
) -> list[tuple[str, str]]:
    """Permission set groups of 2..5 sets; three in four with a muting set that mutes Edit and Delete
    on one component object, Read on a few component fields and a user permission. Returns (group, aggregate)."""
    rows = [
        {"DeveloperName": f"Bench_Group_{i + 1}", "MasterLabel": f"Bench Group {i + 1}", "Status": "Updated"}
        for i in range(size.groups)
    ]
    group_ids = org.insert("PermissionSetGroup", rows)
    aggregates = org.insert(
        "PermissionSet",
        [
            {
                "Name": "X" + g,
                "Label": f"Bench Group {i + 1}",
                "Type": "Group",
                "PermissionSetGroupId": g,
                "IsCustom": True,
            }
            for i, g in enumerate(group_ids)
        ],
    )
    components: list[dict[str, Any]] = []
    for i, gid in enumerate(group_ids):
        members = org.rng.sample(sets, min(len(sets), org.rng.randint(2, 5)))
        components += [{"PermissionSetGroupId": gid, "PermissionSetId": s} for s in members]
        if i % 4 != 3:
            components.append(
                {
                    "PermissionSetGroupId": gid,
                    "PermissionSetId": _muting(org, i, [g for s in members for g in grants.get(s, [])]),
                }
            )
    org.insert("PermissionSetGroupComponent", components)
    return list(zip(group_ids, aggregates, strict=True))


def _muting(org: OrgWriter, index: int, granted: list[shape.Grant]) -> str:
    values = {
        "DeveloperName": f"Bench_Group_{index + 1}_Muting",
        "MasterLabel": f"Bench Group {index + 1} Muting",
    }
    [mid] = org.insert("MutingPermissionSet", [values | {"PermissionsExportReport": True}])
    if granted:
        target = org.rng.choice(granted)
        org.insert(
            "ObjectPermissions",
            [
                {
                    "ParentId": mid,
                    "SobjectType": target.sobject,
                    "PermissionsEdit": True,
                    "PermissionsDelete": True,
                }
            ],
        )
        fields = [f for f, _ in target.fields[:3]]
        org.insert(
            "FieldPermissions",
            [
                {"ParentId": mid, "SobjectType": target.sobject, "Field": f, "PermissionsRead": True}
                for f in fields
            ],
        )
    return mid


def _counts(org: OrgWriter) -> dict[str, int]:
    tables = (
        "PermissionSet",
        "ObjectPermissions",
        "FieldPermissions",
        "PermissionSetAssignment",
        "PermissionSetGroup",
        "MutingPermissionSet",
        "Profile",
    )
    return {
        t: org.store.query(
            f"SELECT COUNT() FROM {t}", caller=Caller(org.store.admin_user_id, system=True)
        ).total_size
        for t in tables
    }
