"""What makes a field right hold: Salesforce's field-visibility rule, stated once.

Besides a FieldPermissions row for the field itself (Edit needs Read: catalog.rights.close_field_rights),
field Read comes from, in this order:
- View All Fields on the field's object: "If the View All Fields object permission is enabled ...
  PermissionsRead equals true for all queried fields for that object."
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
- the View All Fields (Global) user permission, ``ViewAllFieldsGlobal`` (only third-party sources describe
  it so far: UNVERIFIED);
- for a field without field-level security (Id, CreatedDate ...: no FieldPermissions rows exist for them),
  Read on its object, which View All Data and Modify All Data imply (FieldPermissions doc, above).
View All Data and Modify All Data reach no other field: such users "must still be assigned field
permissions" https://help.salesforce.com/s/articleView?id=platform.users_profiles_view_all_mod_all.htm
Field Edit comes only from a FieldPermissions row.
"""

from __future__ import annotations

from collections.abc import Collection

from leastforce.catalog.rights import close_object_rights, implied_object_rights
from leastforce.values.model import FieldRight, ObjectRight

GLOBAL_FIELD_READ = "ViewAllFieldsGlobal"

# A route is an object right on the field's object, or a user permission.
Route = ObjectRight | str


def field_routes(right: FieldRight, *, open_field: bool) -> tuple[Route, ...]:
    """Besides the field's own FieldPermissions row, what grants ``right`` on a field, in order.

    ``open_field``: the field has no field-level security.
    """
    if right is not FieldRight.READ:
        return ()
    return (ObjectRight.VIEW_ALL_FIELDS, GLOBAL_FIELD_READ, *((ObjectRight.READ,) if open_field else ()))


def holds_field_right(
    right: FieldRight,
    *,
    field_rights: Collection[FieldRight],
    object_rights: Collection[ObjectRight],
    permissions: Collection[str],
    open_field: bool,
) -> bool:
    """Whether one source's rights grant ``right`` on a field: its rights on the field, on the field's
    object (View All Data / Modify All Data's object rights are added here) and its user permissions."""
    if right in field_rights:
        return True
    on_object = close_object_rights([*object_rights, *implied_object_rights(permissions)])
    return any(
        route in on_object if isinstance(route, ObjectRight) else route in permissions
        for route in field_routes(right, open_field=open_field)
    )
