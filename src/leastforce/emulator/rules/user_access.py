"""The emulator's own view of what a user may do: profile + active assignments + groups - muting.

Order follows Salesforce: a profile's permissions live on its profile-owned permission set; permission
set assignments add sets; a permission set group adds its component sets, minus what the group's
muting permission set mutes *inside that group only*; expired assignments (ExpirationDate passed)
grant nothing. https://help.salesforce.com/s/articleView?id=platform.perm_set_groups_muting.htm
"""

from __future__ import annotations

from datetime import UTC, datetime

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store import db
from leastforce.emulator.store.schema import SObjectDef
from leastforce.emulator.store.txn import Caller, Txn

OBJECT_FLAGS = (  # ObjectPermissions flags, in describe order
    "PermissionsRead",
    "PermissionsCreate",
    "PermissionsEdit",
    "PermissionsDelete",
    "PermissionsViewAllRecords",
    "PermissionsModifyAllRecords",
    "PermissionsViewAllFields",
)
_VERB_FLAG = {
    "read": "PermissionsRead",
    "create": "PermissionsCreate",
    "update": "PermissionsEdit",
    "delete": "PermissionsDelete",
}


def granting_sets(txn: Txn, user_id: str) -> tuple[list[str], list[tuple[list[str], str | None]]]:
    """(permission set Ids granted directly incl. the profile's, [(group component set Ids, muting set Id)])."""
    user = txn.get("User", user_id)
    if user is None:
        return [], []
    direct: list[str] = [
        ps["Id"] for ps in txn.find("PermissionSet", ProfileId=user["ProfileId"], IsOwnedByProfile=True)
    ]
    groups: list[tuple[list[str], str | None]] = []
    now = db.format_datetime(datetime.now(UTC))
    for psa in txn.find("PermissionSetAssignment", AssigneeId=user_id):
        if psa["ExpirationDate"] and str(psa["ExpirationDate"]) <= now:
            continue
        if psa["PermissionSetGroupId"]:
            groups.append(group_members(txn, psa["PermissionSetGroupId"]))
        elif psa["PermissionSetId"] and psa["PermissionSetId"] not in direct:
            direct.append(psa["PermissionSetId"])
    return direct, groups


def group_members(txn: Txn, group_id: str) -> tuple[list[str], str | None]:
    """(component permission set Ids, muting permission set Id or None) of a group."""
    sets: list[str] = []
    muting: str | None = None
    for comp in txn.find("PermissionSetGroupComponent", PermissionSetGroupId=group_id):
        if txn.get("MutingPermissionSet", comp["PermissionSetId"]) is not None:
            muting = comp["PermissionSetId"]
        else:
            sets.append(comp["PermissionSetId"])
    return sets, muting


def enabled_permissions(txn: Txn, sobject: str, record_id: str | None) -> set[str]:
    """User permission names set true on a PermissionSet / MutingPermissionSet / Profile row."""
    row = txn.get(sobject, record_id)
    if row is None:
        return set()
    so = txn.sobject(sobject)
    return {name for name in so.permission_names if row["Permissions" + name]}


def effective_permissions(txn: Txn, user_id: str) -> frozenset[str]:
    """The user permissions ``user_id`` holds now."""
    direct, groups = granting_sets(txn, user_id)
    held: set[str] = set()
    for ps_id in direct:
        held |= enabled_permissions(txn, "PermissionSet", ps_id)
    for sets, muting in groups:
        group_perms: set[str] = set()
        for ps_id in sets:
            group_perms |= enabled_permissions(txn, "PermissionSet", ps_id)
        held |= group_perms - enabled_permissions(txn, "MutingPermissionSet", muting)
    return frozenset(held)


def object_rights(txn: Txn, user_id: str, sobject: str) -> frozenset[str]:
    """ObjectPermissions flags (``PermissionsRead`` ...) the user holds on ``sobject``."""
    direct, groups = granting_sets(txn, user_id)
    held: set[str] = set()
    for ps_id in direct:
        held |= _flags(txn, ps_id, sobject)
    for sets, muting in groups:
        group_flags: set[str] = set()
        for ps_id in sets:
            group_flags |= _flags(txn, ps_id, sobject)
        held |= group_flags - (_flags(txn, muting, sobject) if muting else set())
    perms = effective_permissions(txn, user_id)
    if "ModifyAllData" in perms:
        held |= set(OBJECT_FLAGS)
    elif "ViewAllData" in perms:
        held |= {"PermissionsRead", "PermissionsViewAllRecords"}
    return frozenset(held)


def _flags(txn: Txn, parent_id: str, sobject: str) -> set[str]:
    rows = txn.find("ObjectPermissions", ParentId=parent_id, SobjectType=sobject)
    return {flag for row in rows for flag in OBJECT_FLAGS if row[flag]}


# Setup objects only users holding one of these permissions can access ("Special Access Rules" in the
# Object Reference; the other setup objects stay open to every API user, UNVERIFIED):
_SETUP_READERS: dict[str, frozenset[str]] = {
    # https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-permissionset.html
    "PermissionSet": frozenset(
        {"ViewSetup", "ManageSessionPermissionSets", "AssignPermissionSets", "ManageProfilesPermissionsets"}
    ),
    # https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-objectpermissions.html
    "ObjectPermissions": frozenset({"ViewSetup"}),
    # https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-fieldpermissions.html
    "FieldPermissions": frozenset({"ViewSetup"}),
    # https://developer.salesforce.com/docs/atlas.en-us.264.0.object_reference.meta/object_reference/sforce_api_objects_setupentityaccess.htm
    "SetupEntityAccess": frozenset({"ViewSetup"}),
    # https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-permissionsetassignment.html
    "PermissionSetAssignment": frozenset({"ViewSetup", "AssignPermissionSets", "ManageUsers"}),
}


def can_read_object(txn: Txn, caller: Caller, so: SObjectDef) -> bool:
    """Whether ``caller`` may query ``so``: its object permission, or for the setup objects with special
    access rules (_SETUP_READERS) one of their permissions; other setup objects are open to every API
    user. A user who may not is told the object does not exist (INVALID_TYPE on query, NOT_FOUND on
    retrieve), as Salesforce hides objects a user cannot access (UNVERIFIED for these objects)."""
    if caller.system or not caller.user_id:
        return True
    readers = _SETUP_READERS.get(so.name)
    if readers is not None:
        return bool(readers & effective_permissions(txn, caller.user_id))
    if so.name in READ_PERMISSIONS:
        return bool(READ_PERMISSIONS[so.name] & effective_permissions(txn, caller.user_id))
    if so.setup or not permissionable_object(so.name):
        return True
    return "PermissionsRead" in object_rights(txn, caller.user_id, so.name)


# Objects whose every row only holders of these permissions read; anyone else reads just the rows that
# name them in the given field. LoginHistory: "With one exception, only users with Manage Users or Monitor
# Login History permissions can access this object. The exception is that, in API version 37.0 and later,
# all users can retrieve their own login history records." (v264.0; v234.0 and older name Manage Users only)
# https://developer.salesforce.com/docs/atlas.en-us.264.0.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm
OWN_ROWS_UNLESS: dict[str, tuple[str, frozenset[str]]] = {
    "LoginHistory": ("UserId", frozenset({"ManageUsers", "MonitorLoginHistory"})),
}


def own_rows_field(txn: Txn, caller: Caller, so: SObjectDef) -> str | None:
    """The field that must name ``caller`` on every row it may read of ``so``, or None (every row)."""
    rule = OWN_ROWS_UNLESS.get(so.name)
    if rule is None or caller.system or not caller.user_id:
        return None
    field, readers = rule
    return None if readers & effective_permissions(txn, caller.user_id) else field


# Objects whose reading takes a user permission instead of an object permission (any one suffices).
# EventLogFile: "Accessing this object requires View Event Log Files and API Enabled user permissions.
# Users with View All Data permission can view event log files."
# https://developer.salesforce.com/docs/atlas.en-us.210.0.api.meta/api/sforce_api_objects_eventlogfile.htm
READ_PERMISSIONS: dict[str, frozenset[str]] = {
    "EventLogFile": frozenset({"ViewEventLogFiles", "ViewAllData"})
}


def permissionable_object(sobject: str) -> bool:
    """Objects without object permissions (Task, Note, ...) are open to every user (sharing aside)."""
    from leastforce.emulator.rules.perms import catalog_object

    std = catalog_object(sobject)
    return std is None or bool(std.permissionable)


def check_object_access(txn: Txn, caller: Caller, so: SObjectDef, verb: str) -> None:
    """Raise as Salesforce does when ``caller`` lacks the object permission for ``verb``."""
    if verb == "read" and not can_read_object(txn, caller, so):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    if caller.system or so.setup or not caller.user_id or not permissionable_object(so.name):
        return
    rights = object_rights(txn, caller.user_id, so.name)
    if "PermissionsRead" not in rights:
        # Without Read the object does not exist for the user.
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    if _VERB_FLAG[verb] not in rights:
        raise ApiError(403, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
