"""Helpers for the plan/apply tests: a client on the emulator, plan+apply in one call, the org's
permission-related rows as comparable values, and a cheap checkpoint/restore of the emulated org."""

from __future__ import annotations

import functools
import sqlite3
from typing import Any

from leastforce.catalog import load_catalog
from leastforce.desired import DesiredSetup, desired_setup
from leastforce.emulator.store.db import table
from leastforce.manifest import load_manifest
from leastforce.org.apply.run import ApplyResult, apply
from leastforce.org.client import RetryPolicy, Session, SimpleSalesforceClient
from leastforce.org.read.for_plan import read_for_plan
from leastforce.planning.changes import ChangeSet
from leastforce.planning.diff import plan
from support.paths import ROOT

EXAMPLES = ROOT / "examples"
USERNAME = "integration@example.com"
FAST = RetryPolicy(base_delay_s=0, max_delay_s=0, timeout_s=10)


def client_for(org: Any, retry: RetryPolicy = FAST) -> SimpleSalesforceClient:
    """The admin's client; renewal logs in again (a new session of the admin), as connect() does."""

    def renew() -> Session:
        token = org.store.create_session(org.store.admin_user_id, app="leastforce tests")
        return Session(org.instance_url, token, org.ca_bundle)

    return SimpleSalesforceClient(
        Session(org.instance_url, org.admin_token, org.ca_bundle), renew=renew, retry=retry
    )


@functools.cache
def desired_for(example: str, with_optional: bool = False) -> tuple[Any, DesiredSetup]:
    """The example's manifest and desired setup (cached: values are frozen)."""
    catalog = load_catalog()
    manifest = load_manifest(EXAMPLES / f"{example}.yaml", catalog).manifest
    return manifest, desired_setup(manifest, catalog, with_optional=with_optional)


def plan_for(client: Any, desired: DesiredSetup, username: str = USERNAME) -> ChangeSet:
    catalog = load_catalog()
    return plan(desired, read_for_plan(client, desired, catalog, username), catalog, username=username)


def plan_and_apply(client: Any, desired: DesiredSetup, username: str = USERNAME) -> ApplyResult:
    return apply(plan_for(client, desired, username), client)


def install_packages(org: Any, example: str) -> None:
    """Install the managed packages the example declares (as `emulator serve --install` does)."""
    install_declared(org.store, desired_for(example)[0])


def install_declared(store: Any, manifest: Any) -> None:
    """What `emulator serve --install MANIFEST` does: install the declared packages, then set the packaged
    app's Permitted Users as the manifest's `app:` asks (the admin's Edit Policies step, which no API does)."""
    store.install_packages(manifest.packages)
    app = manifest.app
    provided = {n for p in manifest.packages for n in (p.connected_app, p.external_client_app)}
    if app is not None and app.name in provided and app.permitted_users is not None:
        store.set_app_admin_approved(app.name, app.permitted_users.value == "admin_approved")


_AUDIT = {
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "LastViewedDate",
}
_TABLES = (
    "Profile",
    "PermissionSet",
    "ObjectPermissions",
    "FieldPermissions",
    "SetupEntityAccess",
    "PermissionSetAssignment",
    "PermissionSetLicenseAssign",
    "User",
)


def org_state(store: Any) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every permission-related row, keyed by natural keys (names, not Ids), audit fields left out, so that
    two orgs holding the same setup compare equal whatever Ids their records got. Profile-owned sets have
    generated names (from the profile's Id): they are named ``owned:<profile>``."""
    conn: sqlite3.Connection = store._conn
    with store._lock:
        rows = {name: [dict(r) for r in conn.execute(f"SELECT * FROM {table(name)}")] for name in _TABLES}
    # Standard profiles' rows cannot change through the API (the emulator refuses, as Salesforce does):
    # leaving them out keeps the comparison fast (the System Administrator profile has ~1,100 field rows).
    fixed = {r["Id"] for r in rows["PermissionSet"] if r["IsOwnedByProfile"] and not r["IsCustom"]}
    for name in ("ObjectPermissions", "FieldPermissions"):
        rows[name] = [r for r in rows[name] if r["ParentId"] not in fixed]
    names = {r["Id"]: r["Name"] for r in rows["Profile"]} | {r["Id"]: r["Username"] for r in rows["User"]}
    for r in rows["PermissionSet"]:
        names[r["Id"]] = f"owned:{names.get(r['ProfileId'])}" if r["IsOwnedByProfile"] else r["Name"]

    def clean(row: dict[str, Any]) -> dict[str, Any]:
        out = {k: names.get(v, v) if isinstance(v, str) else v for k, v in row.items()}
        if row.get("IsOwnedByProfile"):
            out["Name"] = out["Label"] = names[row["Id"]]
        return {k: v for k, v in out.items() if k not in _AUDIT and k != "Id"}

    keys = {
        "Profile": ("Name",),
        "PermissionSet": ("Name",),
        "ObjectPermissions": ("ParentId", "SobjectType"),
        "FieldPermissions": ("ParentId", "Field"),
        "SetupEntityAccess": ("ParentId", "SetupEntityId"),
        "PermissionSetAssignment": ("AssigneeId", "PermissionSetId"),
        "PermissionSetLicenseAssign": ("AssigneeId", "PermissionSetLicenseId"),
        "User": ("Username",),
    }
    out: dict[str, dict[Any, dict[str, Any]]] = {}
    for name, fields in keys.items():
        cleaned = [clean(r) for r in rows[name]]
        out[name] = {tuple(c.get(f) for f in fields): c for c in cleaned}
    return out


def record(store: Any, sobject: str, record_id: str) -> dict[str, Any] | None:
    """The stored row with that Id (18 characters), or None."""
    with store._lock:
        row = store._conn.execute(f"SELECT * FROM {table(sobject)} WHERE Id = ?", (record_id,)).fetchone()
    return dict(row) if row else None


class Checkpoint:
    """The emulated org's whole database, copied in memory (SQLite backup API) and put back on restore."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._copy = sqlite3.connect(":memory:", check_same_thread=False)
        with store._lock:
            store._conn.backup(self._copy)

    def restore(self) -> None:
        with self._store._lock:
            self._copy.backup(self._store._conn)
