"""UserPermissionAccess: the calling user's own effective user permissions, one row, read by SOQL.

"Represents the permissions of the current user" (one row; a ``Permissions<Name>`` boolean per user
permission, from the profile, permission sets and groups).
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userpermissionaccess.htm
(not in our stored docs; read this way by SalesforceLabs/OrgCheck and jetstreamapp/jetstream:
``SELECT PermissionsModifyAllData, PermissionsModifyMetadata FROM UserPermissionAccess``). Its Id is the
all-zero Id (UNVERIFIED).
"""

from __future__ import annotations

from functools import cache
from types import MappingProxyType
from typing import Any

from leastforce.emulator.rules.user_access import effective_permissions
from leastforce.emulator.store.schema import FieldDef, SObjectDef, load_schema
from leastforce.emulator.store.txn import Caller, Txn

NAME = "UserPermissionAccess"
ROW_ID = "000000000000000AAA"


@cache
def definition() -> SObjectDef:
    """The virtual sObject: Id and a Permissions<Name> boolean per user permission of the org."""
    fields = {"Id": FieldDef("Id", "ID", "id", False, False, False)}
    for name, label in load_schema().permissions.items():
        fields[f"Permissions{name}"] = FieldDef(f"Permissions{name}", label, "boolean", False, False, False)
    return SObjectDef(NAME, "User Permission Access", MappingProxyType(fields), (), setup=False)


def row(txn: Txn, caller: Caller) -> dict[str, Any]:
    """The caller's row (a system caller, or one with no user, holds every permission)."""
    names = load_schema().permissions
    held = (
        frozenset(names)
        if caller.system or not caller.user_id
        else effective_permissions(txn, caller.user_id)
    )
    return {"Id": ROW_ID, **{f"Permissions{name}": name in held for name in names}}
