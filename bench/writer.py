"""Writing a synthetic org: the store, the random generator and the Ids the seed made."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from leastforce.emulator.store.org_store import Caller, OrgStore


@dataclass
class OrgWriter:
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


def open_writer(store: OrgStore, rng: random.Random) -> OrgWriter:
    org = OrgWriter(store, rng, {}, {}, {}, "")
    org.profiles = {r["Name"]: r["Id"] for r in org.rows("SELECT Id, Name FROM Profile")}
    owned = org.rows("SELECT Id, ProfileId FROM PermissionSet WHERE IsOwnedByProfile = true")
    org.owned = {r["ProfileId"]: r["Id"] for r in owned}
    org.licenses = {r["Name"]: r["Id"] for r in org.rows("SELECT Id, Name FROM UserLicense")}
    org.psl_id = org.rows("SELECT Id FROM PermissionSetLicense")[0]["Id"]
    return org


def add_profile(org: OrgWriter, name: str, license_name: str, perms: set[str]) -> str:
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
