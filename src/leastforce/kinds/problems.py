"""Shared pieces of the kinds' manifest checks: object names, custom suffixes, problem values."""

from __future__ import annotations

from leastforce.catalog.catalog import Catalog
from leastforce.errors import Problem
from leastforce.values import problem_codes as codes
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import Requirement

# Suffixes of objects the org defines (custom objects, metadata types, external objects, events ...):
# the bundled catalog cannot know them.
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_custom_objects.htm
CUSTOM_SUFFIXES = ("__c", "__mdt", "__x", "__e", "__b", "__kav", "__dlm")


def is_custom_object(name: str) -> bool:
    return name.endswith(CUSTOM_SUFFIXES)


def object_name_problems(atom: Requirement, name: str, catalog: Catalog) -> list[Problem]:
    """An object must be named by API name and take object permissions (history, share, feed and team
    member objects do not: the error says what grants access to them instead)."""
    obj = catalog.find_object(name)
    without = catalog.object_without_permissions(name)
    if obj is None and without is not None:
        instead = f"; what gives access instead: {without.access_from}" if without.access_from else ""
        message = f"{name} (object access [{keys(atom)}]): {without.reason}{instead}"
        return [error(atom, message, codes.OBJECT_NOT_PERMISSIONABLE)]
    if obj is None:
        if is_custom_object(name):
            return []
        message = (
            f"object {name!r} is not in leastforce's catalog of standard objects; make sure the org has it"
        )
        return [warning(atom, message, codes.UNKNOWN_OBJECT)]
    problems = []
    if obj.name != name:
        problems.append(error(atom, f"object {name!r}: write its API name {obj.name!r}", codes.OBJECT_API_NAME))
    if obj.permissionable is False:
        note = obj.note or "it takes no object permissions"
        message = f"{obj.name} (object access [{keys(atom)}]): {note}"
        problems.append(error(atom, message, codes.OBJECT_NOT_PERMISSIONABLE))
    return problems


def keys(atom: Requirement) -> str:
    rights: frozenset[ObjectRight] = getattr(atom, "rights", frozenset())
    return ", ".join(sorted(r.key for r in rights))


def error(atom: Requirement, message: str, code: str) -> Problem:
    return Problem("error", message, atom.position, code)


def warning(atom: Requirement, message: str, code: str) -> Problem:
    return Problem("warning", message, atom.position, code)




# Fields that take no field-level security: describe says ``permissionable: false`` and Salesforce refuses
# FieldPermissions rows for them ("isn't permissionable", FIELD_INTEGRITY_EXCEPTION); required fields are
# readable and editable with the object ("You cannot deploy to a required field").
# https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
# (Field.permissionable) and FieldPermissions:
# https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-fieldpermissions.html
_SYSTEM_FIELDS = frozenset(
    {
        "Id",
        "IsDeleted",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
        "LastActivityDate",
        "LastViewedDate",
        "LastReferencedDate",
        "MasterRecordId",
    }
)


def field_access_problems(atom: Requirement, obj: str, names: tuple[str, ...], catalog: Catalog) -> list[Problem]:
    """Fields (of a standard object the catalog knows) that take no field-level security: errors, with
    the reason and what gives access instead (the object's own access)."""
    found = catalog.find_object(obj)
    known = found.fields if found is not None else {}
    out = []
    for name in names:
        fld = known.get(name)
        if fld is None or fld.permissionable:
            continue
        why = _not_permissionable_reason(fld)
        message = (
            f"{obj}.{name} takes no field-level security ({why}): leave it out; "
            f"Read on {obj} makes it readable"
        )
        out.append(error(atom, message, codes.FIELD_NOT_PERMISSIONABLE))
    return out


def _not_permissionable_reason(fld: object) -> str:
    """The catalog's reason when it has one (``not_permissionable_reason``), else one read off the facts."""
    reason = str(getattr(fld, "not_permissionable_reason", "") or "")
    if reason:
        return reason
    name = str(getattr(fld, "name", ""))
    if getattr(fld, "type", "") == "id" or name in _SYSTEM_FIELDS:
        return "a system field"
    if name == "Name":
        return "the name field"
    if name == "OwnerId":
        return "the owner field, set by record ownership"
    if getattr(fld, "nillable", True) is False:
        return "a required field"
    return "Salesforce manages its access with the object's"
