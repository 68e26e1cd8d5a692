"""Describe results and record JSON, shaped as the REST API returns them.

GET /sobjects/: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm
GET /sobjects/X/describe: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store.schema import TOOLING_ONLY, FieldDef, Schema, SObjectDef

API_PATH = "/services/data/v64.0"
_NOT_QUERYABLE_UPDATE = frozenset(
    {"UserLicense", "PermissionSetLicense", "EntityDefinition", "PermissionDependency"}
)


def describe_global(schema: Schema, *, tooling: bool = False) -> dict[str, Any]:
    """describeGlobal; the Tooling API's (GET /tooling/sobjects) also lists the Tooling-only objects."""
    api_path = API_PATH + ("/tooling" if tooling else "")
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [
            _summary(so, api_path)
            for name, so in sorted(schema.sobjects.items())
            if tooling or name not in TOOLING_ONLY
        ],
    }


def _summary(so: SObjectDef, api_path: str = API_PATH) -> dict[str, Any]:
    createable = any(f.createable for f in so.fields.values())
    updateable = any(f.updateable for f in so.fields.values())
    base = f"{api_path}/sobjects/{so.name}"
    return {
        "activateable": False,
        # The associate*/deepCloneable/hasSubtypes/is* keys every describeGlobal entry carries (v47+):
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm
        # (values for a plain standard object; UNVERIFIED per object)
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": createable,
        "custom": False,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": createable and so.name not in ("User", "Profile"),
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": so.key_prefix if so.name != "EntityDefinition" else None,
        "label": so.label,
        "labelPlural": so.label + ("es" if so.label.endswith("s") else "s"),
        "layoutable": not so.setup,
        "mergeable": so.name in ("Account", "Contact", "Lead"),
        "mruEnabled": not so.setup,
        "name": so.name,
        "queryable": True,
        "replicateable": so.name not in _NOT_QUERYABLE_UPDATE,
        "retrieveable": True,
        "searchable": not so.setup,
        "triggerable": not so.setup,
        "undeletable": not so.setup,
        "updateable": updateable,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }


def describe_sobject(schema: Schema, name: str, *, tooling: bool = False) -> dict[str, Any]:
    so = schema.get(name)
    if so is None or (so.tooling_only and not tooling):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    api_path = API_PATH + ("/tooling" if tooling else "")
    result = _summary(so, api_path)
    result["fields"] = [_field(f) for f in so.fields.values()]
    result["childRelationships"] = [
        {
            "cascadeDelete": child.field == "ParentId",
            "childSObject": child.child_sobject,
            "deprecatedAndHidden": False,
            "field": child.field,
            "relationshipName": child.relationship_name,
            "restrictedDelete": False,
        }
        for child in so.children
    ]
    result["recordTypeInfos"] = []
    return result


def _field(f: FieldDef) -> dict[str, Any]:
    return {
        "name": f.name,
        "label": f.label,
        "type": f.type,
        "soapType": _SOAP_TYPES.get(f.type, "xsd:string"),
        "nillable": f.nillable,
        "createable": f.createable,
        "updateable": f.updateable,
        "defaultedOnCreate": f.type == "boolean" or f.name in ("OwnerId", "CreatedDate", "CreatedById"),
        "filterable": f.filterable and f.type not in ("textarea", "base64"),
        "permissionable": f.permissionable,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "idLookup": f.id_lookup,
        "externalId": f.external_id,
        "unique": f.name == "Username",
        "custom": f.name.endswith("__c"),
        "calculated": False,
        "autoNumber": False,
        "length": 255 if f.type in ("string", "picklist", "url", "email", "phone") else 0,
        "picklistValues": [],
    }


_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "base64": "xsd:base64Binary",
    "address": "urn:address",
}


def record_json(
    so: SObjectDef,
    row: Mapping[str, Any],
    fields: Sequence[str] | None,
    api_path: str = API_PATH,
    readable: Callable[[str], bool] = lambda _name: True,
) -> dict[str, Any]:
    """A record as GET /sobjects/X/id returns it; ``fields`` limits the fields (INVALID_FIELD if unknown
    or not ``readable`` by the caller); without ``fields`` only readable fields are returned."""
    out: dict[str, Any] = {
        "attributes": {"type": so.name, "url": f"{api_path}/sobjects/{so.name}/{row['Id']}"}
    }
    names: list[str] = []
    for wanted in fields or [n for n in so.fields if readable(n)]:
        field = so.field(wanted)
        if field is None or not readable(field.name):
            raise ApiError(400, "INVALID_FIELD", f"No such column '{wanted}' on sobject of type {so.name}")
        names.append(field.name)
    if fields and "Id" not in names:
        names.insert(0, "Id")
    for name in names:
        out[name] = row[name]
    return out
