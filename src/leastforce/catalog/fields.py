"""Which fields take field-level security (FLS), and why a field does not.

A field without FLS has no FieldPermissions row: Salesforce rejects one ("isn't permissionable" /
"You cannot deploy to a required field"), and its access follows the object instead. Describe calls say
so per field (``permissionable``); the bundled v64.0 reference has no such property, so the catalog
derives it with ``field_security_exemption`` (tools/gen_catalog.py writes the result into objects.json).
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
"""

from __future__ import annotations

import enum


class NoFieldSecurity(enum.Enum):
    """Why a field takes no field-level security (the value is the reason as shown to people)."""

    # Id, audit fields, IsDeleted, SystemModstamp: set by Salesforce, readable by anyone who can read the record.
    SYSTEM = "system field: set by Salesforce and always readable with the record"
    # OwnerId: always readable; changed through ownership transfer, not through field permissions.
    OWNER = "record owner: always readable, changed by transferring the record"
    # Address / location compounds: FLS is set on their component fields (BillingCity ...).
    COMPOUND = "compound field: field-level security is set on its component fields"
    # Not nillable, createable and not a boolean: required on every record, so always readable and editable
    # with the object. Deploying FieldPermissions for one fails: "You cannot deploy to a required field".
    # https://docs.zuora.com/zuora-cpq/manage-subscriptions/advanced-cpq-x-functionalities/opportunity-product-sync/permissions-and-security-updates/field-level-security--zqu__oppprodsyncgroupingkey__c
    REQUIRED = "required field: always readable and editable with the object"
    # A custom master-detail field is required by definition and follows its master record's access
    # (UNVERIFIED: no page seen here states it; for custom fields read ``permissionable`` from describe).
    MASTER_DETAIL = "master-detail field: access follows the master record"
    # A catalog fact without a derivable reason (hand-curated objects.yaml rows).
    OTHER = "no field-level security (reason not recorded)"


SYSTEM_FIELDS = frozenset(
    {
        "Id",
        "CreatedById",
        "CreatedDate",
        "IsDeleted",
        "LastModifiedById",
        "LastModifiedDate",
        "SystemModstamp",
    }
)
OWNER_FIELD = "OwnerId"
COMPOUND_TYPES = frozenset({"address", "location"})


def field_security_exemption(
    name: str, type_: str, nillable: bool, createable: bool
) -> NoFieldSecurity | None:
    """Why a standard field takes no FLS, from its describe properties; None when it takes FLS.

    A field that is not nillable, is createable and is not a boolean (booleans are never nillable but take
    FLS) is taken as required. This over-approximates: a non-nillable field with a default on create does
    take FLS, but the v64.0 reference carries no ``defaultedOnCreate`` to tell (e.g. Task.Status).
    """
    if name in SYSTEM_FIELDS:
        return NoFieldSecurity.SYSTEM
    if name == OWNER_FIELD:
        return NoFieldSecurity.OWNER
    if type_ in COMPOUND_TYPES:
        return NoFieldSecurity.COMPOUND
    if not nillable and createable and type_ != "boolean":
        return NoFieldSecurity.REQUIRED
    return None
