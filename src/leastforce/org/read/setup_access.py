"""Reading setup objects needs View Setup and Configuration: check the caller up front, and turn the org's
refusal into one clear message.

"As of Summer '20 and later, only users who have one of these permissions can access this object: View
Setup and Configuration, Manage Session Permission Set Activations, Assign Permission Sets, Manage
Profiles and Permission Sets"; ObjectPermissions, FieldPermissions and SetupEntityAccess: "only users with
the View Setup and Configuration permission can access this object".
https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-permissionset.html
https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-objectpermissions.html
A refused query answers INVALID_TYPE "sObject type 'X' is not supported" (seen by org-reading tools:
https://github.com/SalesforceLabs/OrgCheck/issues/144, https://github.com/jetstreamapp/jetstream/issues/110)
or INSUFFICIENT_ACCESS; which one for which object is UNVERIFIED, so both are mapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from leastforce.errors import OrgError, PermissionDenied
from leastforce.org.client import OrgClient

# The caller's own effective permissions, one row, no Id needed ("Represents the permissions of the
# current user"): https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userpermissionaccess.htm
# (not in our stored docs; read this way by SalesforceLabs/OrgCheck and jetstreamapp/jetstream).
SELF_CHECK = "SELECT PermissionsViewSetup FROM UserPermissionAccess"
SETUP_OBJECTS = frozenset(
    {
        "PermissionSet",
        "ObjectPermissions",
        "FieldPermissions",
        "SetupEntityAccess",
        "PermissionSetAssignment",
        "PermissionSetGroup",
        "PermissionSetGroupComponent",
        "MutingPermissionSet",
        "PermissionSetLicense",
        "PermissionSetLicenseAssign",
        "Profile",
        "UserLicense",
    }
)
HINT = "assign the connecting user a permission set with View Setup and Configuration, or connect as another user"
_TYPE = re.compile(r"sObject type '(\w+)' is not supported")


def needs_view_setup(what: str) -> PermissionDenied:
    """The one message for a caller that cannot read the org's permission setup."""
    return PermissionDenied(
        f"the connecting user needs View Setup and Configuration (ViewSetup) to read {what}",
        error_code="INSUFFICIENT_ACCESS",
        hint=HINT,
    )


def require_view_setup(client: OrgClient) -> None:
    """Raise PermissionDenied when the connecting user lacks View Setup and Configuration (one query).
    An org that does not answer the check (an old API version) is read as usual: the reads say."""
    try:
        rows = client.query(SELF_CHECK)
    except OrgError as exc:
        if exc.error_code in ("INVALID_TYPE", "INVALID_FIELD"):
            return
        raise
    if rows and rows[0].get("PermissionsViewSetup") is False:
        raise needs_view_setup(
            "PermissionSet, ObjectPermissions, FieldPermissions and the other setup objects"
        )


@contextmanager
def refusals_named() -> Iterator[None]:
    """Turn the org's refusal to read a setup object (INVALID_TYPE, INSUFFICIENT_ACCESS) into
    ``needs_view_setup``; every other error passes unchanged."""
    try:
        yield
    except OrgError as exc:
        refused = _refused_object(exc)
        if refused is None:
            raise
        raise needs_view_setup(refused) from exc


def _refused_object(exc: OrgError) -> str | None:
    found = _TYPE.search(exc.message)
    name = found.group(1) if found else ""
    if exc.error_code == "INVALID_TYPE":
        return name if name in SETUP_OBJECTS else None
    if exc.error_code.startswith("INSUFFICIENT_ACCESS"):
        named = [o for o in sorted(SETUP_OBJECTS) if re.search(rf"\b{o}\b", exc.message)]
        return ", ".join(named) if named else "the org's permission setup (PermissionSet and its children)"
    return None
