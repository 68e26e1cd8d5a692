"""The people of a synthetic org: users on their profiles, their assignments, permission set licenses and
OAuth tokens, and the Upflow integration user that verify is measured on."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from bench import shape
from bench.sizes import Size
from bench.writer import OrgWriter, add_profile

UPFLOW_USER = "upflow@bench.example"
PAST = "2025-06-30T00:00:00.000+0000"
FUTURE = "2027-12-31T00:00:00.000+0000"


def add_users(
    org: OrgWriter,
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


def add_upflow(org: OrgWriter) -> None:
    """The integration user of examples/upflow.yaml, set up to pass it."""
    pid = add_profile(org, "Upflow API Profile", "Salesforce Integration", {"ApiEnabled", "ApiUserOnly"})
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
