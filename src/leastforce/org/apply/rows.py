"""Reading back the rows apply writes: how each is found without its Id (a natural key), their current
values and LastModifiedDate, and that date as the HTTP date of an If-Unmodified-Since header.

Natural keys are the fields Salesforce keeps unique per row (a set has one ObjectPermissions row per
object, one FieldPermissions row per field, one SetupEntityAccess row per entity; a user one assignment
per set): https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from leastforce.org.client import RowReader
from leastforce.org.soql import chunks, literal_list, soql

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "PermissionSet": ("Name",),
    "Profile": ("Name",),
    "User": ("Username",),
    "ObjectPermissions": ("ParentId", "SobjectType"),
    "FieldPermissions": ("ParentId", "Field"),
    "SetupEntityAccess": ("ParentId", "SetupEntityId"),
    "PermissionSetAssignment": ("AssigneeId", "PermissionSetId", "PermissionSetGroupId"),
    "PermissionSetLicenseAssign": ("AssigneeId", "PermissionSetLicenseId"),
}


# Setup objects with a LastModifiedDate (what If-Unmodified-Since compares); FieldPermissions,
# SetupEntityAccess and PermissionSetAssignment have only SystemModstamp (shared/reference/sobject-fields-v64.json,
# a real describe): their rows are checked by the read alone.
_LAST_MODIFIED = frozenset(
    {
        "PermissionSet",
        "ObjectPermissions",
        "Profile",
        "User",
        "PermissionSetLicenseAssign",
        "PermissionSetGroup",
    }
)


def key_of(sobject: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The natural-key fields present in ``values`` (KeyError for an sObject without one)."""
    return {name: values[name] for name in NATURAL_KEYS[sobject] if values.get(name) not in (None, "")}


def find_by_key(reader: RowReader, sobject: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows whose natural key equals the one in ``values`` (empty: there is none)."""
    key = key_of(sobject, values)
    if not key:
        return []
    where = " AND ".join(f"{name} = {{{name}}}" for name in key)
    return reader.query(soql(f"SELECT Id FROM {sobject} WHERE {where}", **key))


def read_by_id(
    reader: RowReader, sobject: str, ids: Iterable[str], fields: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Id -> row with ``fields``, SystemModstamp and (where the object has one) LastModifiedDate, for the
    Ids that still exist."""
    stamps = {"SystemModstamp", "LastModifiedDate"} if sobject in _LAST_MODIFIED else {"SystemModstamp"}
    names = sorted({"Id", *stamps, *fields})
    rows: dict[str, dict[str, Any]] = {}
    for part in chunks(ids):
        query = f"SELECT {', '.join(names)} FROM {sobject} WHERE Id IN {literal_list(part)}"
        rows |= {str(r["Id"])[:15]: r for r in reader.query(query)}
    return rows


def row_for(rows: Mapping[str, dict[str, Any]], record_id: str) -> dict[str, Any] | None:
    """The row of ``record_id`` (15- or 18-character Id)."""
    return rows.get(record_id[:15])


def differs(row: Mapping[str, Any], values: Mapping[str, Any]) -> list[str]:
    """The fields whose value in the row is not the one given (the names only: values stay out of messages)."""
    return sorted(name for name, value in values.items() if not _same(row.get(name), value))


def _same(current: Any, wanted: Any) -> bool:
    """Equal, or the same record Id in its 15- and 18-character forms (the org answers with 18)."""
    if isinstance(wanted, str) and isinstance(current, str) and len(wanted) == 15 and len(current) == 18:
        return wanted.isalnum() and current[:15] == wanted
    return bool(current == wanted)


def if_unmodified(row: Mapping[str, Any]) -> dict[str, str] | None:
    """The If-Unmodified-Since header for a row just read (None for objects without LastModifiedDate)."""
    stamp = row.get("LastModifiedDate")
    return {"If-Unmodified-Since": http_date(str(stamp))} if stamp else None


def http_date(stamp: str) -> str:
    """A Salesforce datetime ("2026-12-05T21:10:23.000+0000") as an HTTP date ("Sat, 05 Dec 2026 21:10:23 GMT")."""
    return format_datetime(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z"), usegmt=True)
