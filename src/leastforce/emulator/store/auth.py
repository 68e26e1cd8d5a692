"""Users' passwords, sessions, connected apps, login history and the daily request counter.

Access tokens look like Salesforce session ids: ``<15-char org id>!<opaque>``.
Pre-authorization: with "Admin approved users are pre-authorized"
(ConnectedApplication.OptionsAllowAdminApprovedUsersOnly) a user may use the app only when a profile or
permission set of theirs has SetupEntityAccess to it (SetupEntityType 'ConnectedApplication').
https://help.salesforce.com/s/articleView?id=sf.connected_app_manage_oauth.htm
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.rules.user_access import granting_sets
from leastforce.emulator.store import app_policy, db
from leastforce.emulator.store.txn import Txn

SESSION_SECONDS = 2 * 3600  # the default session timeout (2 hours)


def find_user(txn: Txn, username: str) -> dict[str, Any] | None:
    """The user with this username (case-insensitive, as Salesforce logins are), for the OAuth endpoints."""
    rows = list(db.select(txn.conn, txn.sobject("User"), [("Username", "=", (username,), True)]))
    if not rows:
        return None
    row = rows[0]
    profile = txn.get("Profile", row["ProfileId"])
    login = txn.find("UserLogin", UserId=row["Id"])
    return {
        "Id": row["Id"],
        "Username": row["Username"],
        "IsActive": bool(row["IsActive"]),
        "ProfileId": row["ProfileId"],
        "ProfileName": profile["Name"] if profile else None,
        "IsFrozen": bool(login and login[0]["IsFrozen"]),
        "Email": row["Email"],
    }


def _hash(salt: str, password: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 20_000).hex()


def set_password(txn: Txn, user_id: str, password: str) -> None:
    salt = secrets.token_hex(8)
    txn.conn.execute(
        "INSERT INTO _password (user_id, salt, hash) VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
        "salt = excluded.salt, hash = excluded.hash",
        (user_id, salt, _hash(salt, password)),
    )


def check_password(txn: Txn, user_id: str, password: str) -> bool:
    row = txn.conn.execute("SELECT salt, hash FROM _password WHERE user_id = ?", (user_id,)).fetchone()
    return row is not None and hmac.compare_digest(row["hash"], _hash(row["salt"], password))


def create_session(txn: Txn, org_id: str, user_id: str, app: str | None) -> str:
    token = f"{org_id[:15]}!{secrets.token_urlsafe(72)}"
    now = time.time()
    txn.conn.execute(
        "INSERT INTO _session (token, user_id, app, created, expires) VALUES (?, ?, ?, ?, ?)",
        (token, user_id, app, now, now + SESSION_SECONDS),
    )
    return token


def session_user(txn: Txn, token: str) -> str | None:
    row = txn.conn.execute("SELECT user_id, expires FROM _session WHERE token = ?", (token,)).fetchone()
    if row is None or row["expires"] < time.time():
        return None
    return str(row["user_id"])


def session_app(txn: Txn, token: str) -> str | None:
    row = txn.conn.execute("SELECT app, expires FROM _session WHERE token = ?", (token,)).fetchone()
    if row is None or row["expires"] < time.time():
        return None
    return str(row["app"]) if row["app"] else None


def revoke_session(txn: Txn, token: str) -> None:
    txn.conn.execute("DELETE FROM _session WHERE token = ?", (token,))


def expire_sessions(txn: Txn) -> None:
    """Expire every session now (the server's 'expire tokens' fault)."""
    txn.conn.execute("UPDATE _session SET expires = 0")


def add_connected_app(
    txn: Txn,
    name: str,
    *,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    certificate: str | None = None,
    installed: bool = True,
    admin_preauthorized: bool = True,
    run_as_user_id: str | None = None,
    callback_url: str = "http://localhost:1717/OauthRedirect",
) -> dict[str, Any]:
    """Create a ConnectedApplication and its OAuth settings; returns connected_app()'s dict."""
    app_id = txn.insert(
        "ConnectedApplication", {"Name": name, "OptionsAllowAdminApprovedUsersOnly": admin_preauthorized}
    )
    key = consumer_key or "3MVG9" + secrets.token_urlsafe(60)[:80]
    txn.conn.execute(
        "INSERT INTO _app_secret (app_id, consumer_key, consumer_secret, certificate, installed, run_as_user_id,"
        " callback_url) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            app_id,
            key,
            consumer_secret or secrets.token_hex(32).upper(),
            certificate,
            int(installed),
            run_as_user_id,
            callback_url,
        ),
    )
    found = connected_app(txn, key)
    assert found is not None
    return found


def connected_app(txn: Txn, client_id: str) -> dict[str, Any] | None:
    row = txn.conn.execute("SELECT * FROM _app_secret WHERE consumer_key = ?", (client_id,)).fetchone()
    if row is None:
        return None
    app = txn.get("ConnectedApplication", row["app_id"])
    if app is None:
        return None
    return app_policy.policy(txn, row["app_id"]) | {
        "Id": app["Id"],
        "Name": app["Name"],
        "consumer_key": row["consumer_key"],
        "consumer_secret": row["consumer_secret"],
        "certificate": row["certificate"],
        "installed": bool(row["installed"]),
        "admin_preauthorized": bool(app["OptionsAllowAdminApprovedUsersOnly"]),
        "run_as_user_id": row["run_as_user_id"],
        "callback_url": row["callback_url"],
    }


def is_app_preauthorized(txn: Txn, app_id: str, user_id: str) -> bool:
    """Whether a profile or permission set of the user grants access to the app (SetupEntityAccess)."""
    direct, groups = granting_sets(txn, user_id)
    parents = list(direct) + [ps for sets, _muting in groups for ps in sets]
    return any(txn.find("SetupEntityAccess", ParentId=parent, SetupEntityId=app_id) for parent in parents)


def record_login(
    txn: Txn,
    user_id: str,
    status: str,
    application: str,
    *,
    login_type: str = "Remote Access 2.0",
    browser: str = "Unknown",
    api_type: str = "REST",
) -> None:
    """One LoginHistory row. A client of the token endpoint has no browser: "Unknown", as headless
    clients appear in real login history (UNVERIFIED: the object reference only says "The current
    browser version")."""
    txn.insert(
        "LoginHistory",
        {
            "UserId": user_id,
            "LoginTime": db.format_datetime(datetime.now(UTC)),
            "LoginType": login_type,
            "Status": status,
            "Application": application,
            "Browser": browser,
            "ApiType": api_type,
            "SourceIp": "127.0.0.1",
        },
    )


def touch_token(txn: Txn, user_id: str, app_name: str) -> None:
    """Record use of an OAuth token (one OauthToken row per user and app)."""
    now = db.format_datetime(datetime.now(UTC))
    rows = txn.find("OauthToken", UserId=user_id, AppName=app_name)
    if rows:
        txn.update(
            "OauthToken", rows[0]["Id"], {"LastUsedDate": now, "UseCount": int(rows[0]["UseCount"] or 0) + 1}
        )
    else:
        txn.insert(
            "OauthToken",
            {
                "UserId": user_id,
                "AppName": app_name,
                "LastUsedDate": now,
                "UseCount": 1,
                "DeleteToken": secrets.token_hex(8),
            },
        )


@dataclass
class RequestCounter:
    """API requests counted today (UTC day), against the org's daily limit."""

    day: str
    used_today: int

    @classmethod
    def load(cls, txn: Txn) -> RequestCounter:
        return cls(txn.meta("requests_day") or _today(), int(txn.meta("requests_used") or 0))

    def used(self) -> int:
        if self.day != _today():
            self.day, self.used_today = _today(), 0
        return self.used_today

    def count(self, maximum: int) -> int:
        """One more request; REQUEST_LIMIT_EXCEEDED past ``maximum``."""
        if self.used() + 1 > maximum:
            raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        self.used_today += 1
        return self.used_today

    def save(self, txn: Txn) -> None:
        txn.set_meta("requests_day", self.day)
        txn.set_meta("requests_used", str(self.used()))


def _today() -> str:
    return datetime.now(UTC).date().isoformat()
