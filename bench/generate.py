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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import shape
from bench.sizes import Size
from leastforce.catalog.loader import load_catalog
from leastforce.emulator.schema import load_schema
from leastforce.emulator.store import Caller, OrgStore

ORGS_DIR = Path(__file__).resolve().parent / "orgs"
UPFLOW_USER = "upflow@bench.example"
EXPLAIN_FIELD = "Contact.Email"
PAST = "2025-06-30T00:00:00.000+0000"
FUTURE = "2027-12-31T00:00:00.000+0000"


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


@dataclass
class _Org:
    """What the seed made, and what the generator made so far (Ids)."""

    store: OrgStore
    rng: random.Random
    profiles: dict[str, str]  # profile name -> Id
    owned: dict[str, str]  # profile Id -> its owned set Id
    licenses: dict[str, str]  # user license name -> Id
    psl_id: str

    def rows(self, soql: str) -> list[dict[str, Any]]:
        return self.store.query(
            soql, caller=Caller(self.store.admin_user_id, system=True), batch_size=10**9
        ).records

    def insert(self, sobject: str, rows: Any) -> list[str]:
        return self.store.bulk_insert(sobject, rows)


def generate(size: Size, state_dir: Path) -> dict[str, Any]:
    """Seed a fresh org in ``state_dir`` and fill it; returns the row counts per table."""
    store = OrgStore.open(state_dir, seed=True)
    try:
        org = _load(store, random.Random(f"leastforce-bench-{size.name}"))
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
        users = _users(org, size, custom, sets, integration_sets, groups)
        _upflow(org)
        return {"users": users, **_counts(org)}
    finally:
        store.close()


def _load(store: OrgStore, rng: random.Random) -> _Org:
    org = _Org(store, rng, {}, {}, {}, "")
    org.profiles = {r["Name"]: r["Id"] for r in org.rows("SELECT Id, Name FROM Profile")}
    owned = org.rows("SELECT Id, ProfileId FROM PermissionSet WHERE IsOwnedByProfile = true")
    org.owned = {r["ProfileId"]: r["Id"] for r in owned}
    org.licenses = {r["Name"]: r["Id"] for r in org.rows("SELECT Id, Name FROM UserLicense")}
    org.psl_id = org.rows("SELECT Id FROM PermissionSetLicense")[0]["Id"]
    return org


def _profile(org: _Org, name: str, license_name: str, perms: set[str]) -> str:
    """A profile and its owned permission set (as Salesforce makes them)."""
    flags = {f"Permissions{p}": True for p in perms}
    license_id = org.licenses[license_name]
    [pid] = org.insert(
        "Profile", [{"Name": name, "UserLicenseId": license_id, "UserType": "Standard", **flags}]
    )
    label = f"{pid[:15]}_128_09_04_12_1"
    values = {"Name": "X" + label, "Label": label, "IsOwnedByProfile": True, "ProfileId": pid}
    [owned] = org.insert("PermissionSet", [{**values, "Type": "Profile", "LicenseId": license_id, **flags}])
    org.profiles[name], org.owned[pid] = pid, owned
    return pid


def _custom_profiles(org: _Org, size: Size) -> list[str]:
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
        _profile(org, f"{roles[i % len(roles)]} User {i + 1}", "Salesforce", perms)
        for i in range(size.profiles)
    ]


def _with_dependencies(perms: set[str], known: set[str]) -> set[str]:
    catalog = load_catalog()
    out = set(perms)
    for name in perms:
        out |= set(catalog.required_permissions(name))
    return out & known


def _permission_sets(org: _Org, size: Size) -> tuple[list[str], list[str]]:
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
    org: _Org, parents: list[str], budgets: list[int], objects: dict[str, list[str]]
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
    org: _Org, size: Size, sets: list[str], grants: dict[str, list[shape.Grant]]
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


def _muting(org: _Org, index: int, granted: list[shape.Grant]) -> str:
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


def _users(
    org: _Org,
    size: Size,
    custom: list[str],
    sets: list[str],
    integration_sets: list[str],
    groups: list[tuple[str, str]],
) -> int:
    """Humans (mostly on the custom profiles) and about 1% integration users (Integration license, PSL)."""
    rng = org.rng
    standard = ["Standard User", "Read Only", "Minimum Access - Salesforce", "System Administrator"]
    human_profiles = custom + [org.profiles[n] for n in standard]
    human_weights = [
        w * 85 / sum(shape.zipf_weights(len(custom))) for w in shape.zipf_weights(len(custom))
    ] + [7, 3, 3, 2]
    api_profiles = [
        org.profiles["Minimum Access - API Only Integrations"],
        org.profiles["Salesforce API Only System Integrations"],
    ]
    integrations = max(2, size.users // 100)
    step = size.users // integrations
    rows, plans = [], []
    for i in range(size.users):
        is_integration = i % step == 0 and i // step < integrations
        profile = (
            rng.choice(api_profiles) if is_integration else rng.choices(human_profiles, human_weights)[0]
        )
        rows.append(
            _user_row(
                f"user{i + 1:06d}@{size.name.lower()}.bench.example", profile, active=rng.random() > 0.03
            )
        )
        plans.append((is_integration, profile))
    ids = org.insert("User", rows)
    org.insert(
        "UserLogin", ({"UserId": u, "IsFrozen": rng.random() < 0.005, "IsPasswordLocked": False} for u in ids)
    )
    set_weights = shape.zipf_weights(len(sets))
    psas: list[dict[str, Any]] = []
    for uid, (is_integration, profile) in zip(ids, plans, strict=True):
        psas.append({"AssigneeId": uid, "PermissionSetId": org.owned[profile], "IsActive": True})
        chosen = (
            rng.sample(integration_sets, min(len(integration_sets), rng.randint(1, 2)))
            if is_integration
            else []
        )
        chosen += list(
            dict.fromkeys(
                rng.choices(sets, set_weights, k=0 if is_integration else shape.assignment_count(rng))
            )
        )
        for set_id in chosen:
            roll = rng.random()
            expires = PAST if roll < 0.05 else FUTURE if roll < 0.09 else None
            psas.append(
                {"AssigneeId": uid, "PermissionSetId": set_id, "ExpirationDate": expires, "IsActive": True}
            )
        if groups and not is_integration and rng.random() < 0.15:
            gid, agg = rng.choice(groups)
            psas.append(
                {"AssigneeId": uid, "PermissionSetId": agg, "PermissionSetGroupId": gid, "IsActive": True}
            )
    org.insert("PermissionSetAssignment", psas)
    api_users = [uid for uid, (flag, _) in zip(ids, plans, strict=True) if flag]
    org.insert(
        "PermissionSetLicenseAssign",
        ({"AssigneeId": u, "PermissionSetLicenseId": org.psl_id} for u in api_users),
    )
    org.insert("OauthToken", _tokens(api_users, rng))
    return len(ids)


def _user_row(username: str, profile_id: str, *, active: bool = True) -> dict[str, Any]:
    name = username.split("@")[0]
    return {
        "Username": username,
        "LastName": name,
        "Name": name,
        "Email": username,
        "Alias": name[-8:],
        "CommunityNickname": name,
        "IsActive": active,
        "UserType": "Standard",
        "ProfileId": profile_id,
        "TimeZoneSidKey": "GMT",
        "LocaleSidKey": "en_US",
        "EmailEncodingKey": "UTF-8",
        "LanguageLocaleKey": "en_US",
        "LastLoginDate": "2026-10-01T09:00:00.000+0000",
    }


def _tokens(user_ids: list[str], rng: random.Random) -> Iterator[dict[str, Any]]:
    for i, uid in enumerate(user_ids):
        yield {
            "UserId": uid,
            "AppName": f"Bench App {i % 7 + 1}",
            "CreatedDate": "2026-01-15T10:00:00.000+0000",
            "LastUsedDate": PAST if rng.random() < 0.2 else "2026-11-01T10:00:00.000+0000",
            "UseCount": rng.randint(1, 5000),
        }


def _upflow(org: _Org) -> None:
    """The integration user of examples/upflow.yaml, set up to pass it."""
    pid = _profile(org, "Upflow API Profile", "Salesforce Integration", {"ApiEnabled", "ApiUserOnly"})
    row = {
        "Name": "Upflow_Permissions",
        "Label": "Upflow Permissions",
        "Type": "Regular",
        "IsCustom": True,
        "LicenseId": org.psl_id,
    }
    [ps] = org.insert(
        "PermissionSet", [row | {"PermissionsApiEnabled": True, "PermissionsCanApproveUninstalledApps": True}]
    )
    view = {"PermissionsRead": True, "PermissionsViewAllRecords": True, "PermissionsViewAllFields": True}
    org.insert(
        "ObjectPermissions",
        [
            {"ParentId": ps, "SobjectType": "Account", **view, "PermissionsEdit": True},
            {"ParentId": ps, "SobjectType": "Contact", **view},
        ],
    )
    [uid] = org.insert("User", [_user_row(UPFLOW_USER, pid)])
    org.insert("UserLogin", [{"UserId": uid, "IsFrozen": False, "IsPasswordLocked": False}])
    org.insert("PermissionSetLicenseAssign", [{"AssigneeId": uid, "PermissionSetLicenseId": org.psl_id}])
    org.insert(
        "PermissionSetAssignment",
        [{"AssigneeId": uid, "PermissionSetId": s, "IsActive": True} for s in (org.owned[pid], ps)],
    )


def _counts(org: _Org) -> dict[str, int]:
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
