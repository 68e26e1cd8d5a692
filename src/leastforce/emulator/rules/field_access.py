"""Field-level security as the emulator enforces it: which fields of an object a user may read and edit.

A field without field permissions (``permissionable`` false in describe: Id, Name, audit fields ...) is
always readable. Modify All Data opens every field; View All Data and the object's View All Fields make
every field readable. Otherwise FieldPermissions rows of the user's sets grant Read/Edit; a group's
muting set mutes inside that group only (Read muted = Read and Edit muted; Edit muted = Edit only).
A query naming an unreadable field fails as if the field did not exist ("No such column").
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
"""

from __future__ import annotations

from dataclasses import dataclass

from leastforce.emulator.rules.user_access import (
    effective_permissions,
    granting_sets,
    object_rights,
    permissionable_object,
)
from leastforce.emulator.store.schema import SObjectDef
from leastforce.emulator.store.txn import Txn


@dataclass(frozen=True)
class FieldAccess:
    """Readable and editable field names; None means every field."""

    readable: frozenset[str] | None
    editable: frozenset[str] | None

    def can_read(self, field: str) -> bool:
        return self.readable is None or field in self.readable

    def can_edit(self, field: str) -> bool:
        return self.editable is None or field in self.editable


ALL = FieldAccess(None, None)


def field_access(txn: Txn, user_id: str, so: SObjectDef) -> FieldAccess:
    """What ``user_id`` may read and edit on ``so`` (setup objects and objects without object permissions,
    such as Task: everything; a simplification)."""
    if so.setup or not permissionable_object(so.name):
        return ALL
    perms = effective_permissions(txn, user_id)
    if "ModifyAllData" in perms:
        return ALL
    read_all = "ViewAllData" in perms or "PermissionsViewAllFields" in object_rights(txn, user_id, so.name)
    direct, groups = granting_sets(txn, user_id)
    read: set[str] = set()
    edit: set[str] = set()
    for ps_id in direct:
        r, e = _granted(txn, ps_id, so.name)
        read |= r
        edit |= e
    for sets, muting in groups:
        group_read: set[str] = set()
        group_edit: set[str] = set()
        for ps_id in sets:
            r, e = _granted(txn, ps_id, so.name)
            group_read |= r
            group_edit |= e
        muted_read, muted_edit = _granted(txn, muting, so.name) if muting else (set(), set())
        read |= group_read - muted_read
        edit |= group_edit - muted_read - muted_edit
    always = {name for name, f in so.fields.items() if not f.permissionable}
    return FieldAccess(None if read_all else frozenset(read | always), frozenset(edit | always))


def _granted(txn: Txn, parent_id: str, sobject: str) -> tuple[set[str], set[str]]:
    read: set[str] = set()
    edit: set[str] = set()
    for row in txn.find("FieldPermissions", ParentId=parent_id, SobjectType=sobject):
        name = str(row["Field"]).partition(".")[2]
        if row["PermissionsRead"]:
            read.add(name)
        if row["PermissionsEdit"]:
            edit.add(name)
    return read, edit
