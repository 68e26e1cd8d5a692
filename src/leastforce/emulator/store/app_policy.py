"""The 2025-2026 restrictions on OAuth apps and users, as the local org keeps them.

- An app may be **blocked** by an admin (Setup > Connected Apps OAuth Usage > Block): every token request
  and authorization fails with OAUTH_APP_BLOCKED (KB 000232413,
  https://help.salesforce.com/apex/HTViewSolution?id=000232413&language=en_US).
- An app is a connected app or an **External Client App** (``kind``); an ECA that is not installed here
  cannot be used at all (no bypass permission, unlike connected apps).
  https://help.salesforce.com/s/articleView?id=xcloud.external_client_apps.htm
- **High-risk IPs**: since April 24, 2026 a user connecting through a connected app or the API from an
  anonymizing VPN, proxy or high-risk IP is frozen and all its OAuth refresh tokens are revoked
  (KB 005318944, https://help.salesforce.com/s/articleView?id=005318944&type=1). The local org cannot
  tell a VPN from another address: the admin endpoint lists the addresses it must treat as high-risk.
"""

from __future__ import annotations

import json

from leastforce.emulator.store.txn import Txn

APP_KINDS = ("connected_app", "external_client_app")


def set_policy(txn: Txn, app_id: str, *, blocked: bool | None = None, kind: str | None = None) -> None:
    """Record an app's blocked flag and/or kind (the others keep their value)."""
    if kind is not None and kind not in APP_KINDS:
        raise ValueError(f"kind must be one of {', '.join(APP_KINDS)}, got {kind!r}")
    current = policy(txn, app_id)
    txn.conn.execute(
        "INSERT INTO _app_policy (app_id, blocked, kind) VALUES (?, ?, ?) ON CONFLICT(app_id) DO UPDATE SET "
        "blocked = excluded.blocked, kind = excluded.kind",
        (
            app_id,
            int(bool(current["blocked"]) if blocked is None else blocked),
            current["kind"] if kind is None else kind,
        ),
    )


def policy(txn: Txn, app_id: str) -> dict[str, object]:
    """``{"blocked": bool, "kind": str}`` for an app (defaults: not blocked, a connected app)."""
    row = txn.conn.execute("SELECT blocked, kind FROM _app_policy WHERE app_id = ?", (app_id,)).fetchone()
    if row is None:
        return {"blocked": False, "kind": "connected_app"}
    return {"blocked": bool(row["blocked"]), "kind": str(row["kind"])}


def set_installed(txn: Txn, app_id: str, installed: bool) -> None:
    txn.conn.execute("UPDATE _app_secret SET installed = ? WHERE app_id = ?", (int(installed), app_id))


def set_admin_approved(txn: Txn, app_id: str, admin_approved: bool) -> None:
    """Permitted Users: "Admin approved users are pre-authorized" (True) or "All users may self-authorize"."""
    txn.update("ConnectedApplication", app_id, {"OptionsAllowAdminApprovedUsersOnly": admin_approved})


def app_id_by_name(txn: Txn, name: str) -> str | None:
    rows = txn.find("ConnectedApplication", Name=name)
    return str(rows[0]["Id"]) if rows else None


def high_risk_ips(txn: Txn) -> frozenset[str]:
    return frozenset(json.loads(txn.meta("high_risk_ips") or "[]"))


def set_high_risk_ips(txn: Txn, ips: list[str]) -> None:
    txn.set_meta("high_risk_ips", json.dumps(sorted(set(ips))))


def contain(txn: Txn, user_id: str) -> None:
    """What Salesforce does on API traffic from a high-risk IP: freeze the user, revoke its tokens."""
    logins = txn.find("UserLogin", UserId=user_id)
    if logins:
        txn.update("UserLogin", logins[0]["Id"], {"IsFrozen": True})
    else:
        txn.insert("UserLogin", {"UserId": user_id, "IsFrozen": True})
    for token in txn.find("OauthToken", UserId=user_id):
        txn.delete("OauthToken", token["Id"])
    txn.conn.execute("DELETE FROM _session WHERE user_id = ?", (user_id,))
