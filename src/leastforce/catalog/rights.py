"""Rules between object rights, field Edit needs Read, and the object rights that user permissions imply.

Object rights: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
("PermissionsCreate: Requires PermissionsRead for the same object to be true"; Delete requires Read and Edit;
ModifyAllRecords requires Read, Edit, Delete and ViewAllRecords.)
"""

from __future__ import annotations

from collections.abc import Iterable

from leastforce.values.model import FieldRight, ObjectRight

_R = ObjectRight

# right -> the rights it needs on the same object (already transitive).
_NEEDS: dict[ObjectRight, frozenset[ObjectRight]] = {
    _R.READ: frozenset(),
    _R.CREATE: frozenset({_R.READ}),
    _R.EDIT: frozenset({_R.READ}),
    _R.DELETE: frozenset({_R.READ, _R.EDIT}),
    _R.VIEW_ALL_RECORDS: frozenset({_R.READ}),
    _R.MODIFY_ALL_RECORDS: frozenset({_R.READ, _R.EDIT, _R.DELETE, _R.VIEW_ALL_RECORDS}),
    # View All Fields (API 63.0+) makes every field readable; its own prerequisite is UNVERIFIED,
    # Read is the conservative assumption.
    _R.VIEW_ALL_FIELDS: frozenset({_R.READ}),
}

# Modify All Data enables Read/Create/Edit/Delete/View All/Modify All on all standard and custom objects:
#   KB 000321298 https://help.salesforce.com/s/articleView?id=000321298&type=1
# View All Data gives Read on all objects, ignoring sharing ("You need Read on all objects (Sharing is
# ignored in this case)"), i.e. Read + View All Records:
#   http://www.salesforcehacker.com/2013/03/what-can-view-all-data-do.html [3P]
# Neither gives View All Fields: such users "must still be assigned field permissions":
#   https://help.salesforce.com/s/articleView?id=platform.users_profiles_view_all_mod_all.htm
_IMPLIED: dict[str, frozenset[ObjectRight]] = {
    "ViewAllData": frozenset({_R.READ, _R.VIEW_ALL_RECORDS}),
    "ModifyAllData": frozenset(
        {_R.READ, _R.CREATE, _R.EDIT, _R.DELETE, _R.VIEW_ALL_RECORDS, _R.MODIFY_ALL_RECORDS}
    ),
}
# The user permissions that imply object access on every object, in that order: View All Data, Modify All
# Data. They do not reach fields (see leastforce.access.fields).
OBJECT_ACCESS_PERMISSIONS: tuple[str, ...] = tuple(_IMPLIED)


def close_object_rights(rights: Iterable[ObjectRight]) -> frozenset[ObjectRight]:
    """The rights plus every right they need on the same object (Create/Edit need Read, ...)."""
    closed: set[ObjectRight] = set()
    for right in rights:
        closed.add(right)
        closed |= _NEEDS[right]
    return frozenset(closed)


def close_field_rights(rights: frozenset[FieldRight]) -> frozenset[FieldRight]:
    """The field rights plus Read when Edit is there; ``rights`` itself (the same object) when complete.

    FieldPermissions.PermissionsEdit "Requires PermissionsRead for the same field to be true":
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
    """
    if FieldRight.EDIT in rights and FieldRight.READ not in rights:
        return rights | {FieldRight.READ}
    return rights


def needed_rights(right: ObjectRight) -> frozenset[ObjectRight]:
    """The rights that ``right`` itself needs (not including itself)."""
    return _NEEDS[right]


def implied_object_rights(user_permissions: Iterable[str]) -> frozenset[ObjectRight]:
    """Object rights on every object that the given user permissions grant (View/Modify All Data)."""
    implied: set[ObjectRight] = set()
    for name in user_permissions:
        implied |= _IMPLIED.get(name.removeprefix("Permissions"), frozenset())
    return frozenset(implied)
