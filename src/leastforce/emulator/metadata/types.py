"""The metadata types the local org deploys and retrieves: one entry per type, with its folder and file
suffix (as describeMetadata lists them,
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_describe.htm), how to deploy a
file, how to find the components and how to write one back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from leastforce.emulator.metadata import components, render
from leastforce.emulator.store.db import Row
from leastforce.emulator.store.txn import Caller, Txn


@dataclass(frozen=True)
class MetadataType:
    name: str
    directory: str
    suffix: str
    deploy: Callable[[Txn, Caller, str, etree._Element], bool]
    rows: Callable[[Txn], list[tuple[str, Row]]]  # (fullName, row)
    render: Callable[[Txn, Row], bytes]

    def path(self, full_name: str) -> str:
        return f"{self.directory}/{full_name}.{self.suffix}"


def _permission_sets(txn: Txn) -> list[tuple[str, Row]]:
    rows = txn.find("PermissionSet", IsOwnedByProfile=False)
    return [(str(r["Name"]), r) for r in rows if not r["PermissionSetGroupId"]]


def _profiles(txn: Txn) -> list[tuple[str, Row]]:
    return [(str(r["Name"]), r) for r in txn.find("Profile")]


def _by_developer_name(sobject: str) -> Callable[[Txn], list[tuple[str, Row]]]:
    return lambda txn: [(str(r["DeveloperName"]), r) for r in txn.find(sobject)]


TYPES: dict[str, MetadataType] = {
    t.name: t
    for t in (
        MetadataType(
            "PermissionSet", "permissionsets", "permissionset",
            components.deploy_permission_set, _permission_sets, render.permission_set,
        ),
        MetadataType("Profile", "profiles", "profile", components.deploy_profile, _profiles, render.profile),
        MetadataType(
            "PermissionSetGroup", "permissionsetgroups", "permissionsetgroup",
            components.deploy_group, _by_developer_name("PermissionSetGroup"), render.group,
        ),
        MetadataType(
            "MutingPermissionSet", "mutingpermissionsets", "mutingpermissionset",
            components.deploy_muting, _by_developer_name("MutingPermissionSet"), render.muting,
        ),
    )
}  # fmt: skip
# Deploy order: sets before the groups that name them.
DEPLOY_ORDER = ("PermissionSet", "MutingPermissionSet", "Profile", "PermissionSetGroup")
