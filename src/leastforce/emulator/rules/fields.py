"""Field-level checks for a write: unknown or read-only fields, value types, Ids, required fields.

Messages are Salesforce's REST ones:
- unknown field: INVALID_FIELD "No such column 'X' on sobject of type Y" (REST create/update responses);
- read-only field: INVALID_FIELD_FOR_INSERT_UPDATE "Unable to create/update fields: X. Please check the
  security settings of this field and verify that it is read/write for your profile or permission set.";
- required: REQUIRED_FIELD_MISSING "Required fields are missing: [X]";
- malformed Id: MALFORMED_ID "<Field label>: id value of incorrect type: <value>";
- Id of nothing: INVALID_CROSS_REFERENCE_KEY "invalid cross reference id".
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#i1421192
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store import db
from leastforce.emulator.store.ids import sobject_for_prefix, to18
from leastforce.emulator.store.schema import FieldDef, SObjectDef
from leastforce.emulator.store.txn import Txn

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_READ_ONLY_MSG = (
    "Unable to create/update fields: {fields}. Please check the security settings of this field and verify "
    "that it is read/write for your profile or permission set."
)
# Non-nillable fields Salesforce fills in itself when a create leaves them out.
_DEFAULTED = frozenset(
    {"OwnerId", "CommunityNickname", "DigestFrequency", "DefaultGroupNotificationFrequency"}
)
_DEFAULTED_BY_OBJECT = {
    "Task": {"Status": "Not Started", "Priority": "Normal"},
    "Lead": {"Status": "Open - Not Contacted"},
    "EmailMessage": {"Status": "0"},
    "Folder": {"AccessType": "Public"},
    "ContentVersion": {"SharingOption": "A", "SharingPrivacy": "N", "Origin": "C", "ContentLocation": "S"},
}


def clean_values(
    txn: Txn,
    so: SObjectDef,
    values: Mapping[str, Any],
    *,
    creating: bool,
    editable: Callable[[str], bool] = lambda _name: True,
) -> dict[str, Any]:
    """Canonical field names -> stored values; raises ApiError for the first problem found.

    Fields the caller may not edit (field-level security) are refused like read-only fields."""
    out: dict[str, Any] = {}
    read_only: list[str] = []
    for key, value in values.items():
        if key == "attributes" or (key == "Id" and not creating):
            continue
        field = so.field(key)
        if field is None:
            raise ApiError(
                400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {so.name}", (key,)
            )
        if not (field.createable if creating else field.updateable) or not editable(field.name):
            read_only.append(field.name)
            continue
        out[field.name] = _coerce(txn, so, field, value)
    if read_only:
        raise ApiError(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            _READ_ONLY_MSG.format(fields=", ".join(read_only)),
            tuple(read_only),
        )
    if creating:
        _apply_defaults(txn, so, out)
        derive_name(so, out, {})
    _check_required(so, out, creating)
    return out


def derive_name(so: SObjectDef, values: dict[str, Any], old: Mapping[str, Any]) -> None:
    """Name of User/Contact/Lead is "FirstName LastName", computed by Salesforce."""
    name = so.fields.get("Name")
    if name is None or name.createable or "LastName" not in so.fields:
        return
    if "FirstName" in values or "LastName" in values or not old:
        first = values.get("FirstName", old.get("FirstName") if old else None)
        last = values.get("LastName", old.get("LastName") if old else None)
        values["Name"] = " ".join(str(p) for p in (first, last) if p)


def _apply_defaults(txn: Txn, so: SObjectDef, out: dict[str, Any]) -> None:
    if "OwnerId" in so.fields and out.get("OwnerId") is None:
        out["OwnerId"] = txn.actor
    if so.name == "User":
        out.setdefault("CommunityNickname", str(out.get("Username", "user")).split("@")[0][:40])
        out.setdefault("DigestFrequency", "D")
        out.setdefault("DefaultGroupNotificationFrequency", "N")
    for name, value in _DEFAULTED_BY_OBJECT.get(so.name, {}).items():
        out.setdefault(name, value)


def _check_required(so: SObjectDef, out: Mapping[str, Any], creating: bool) -> None:
    missing = [
        f.name
        for f in so.fields.values()
        if f.createable
        and not f.nillable
        and f.type != "boolean"
        and f.name not in _DEFAULTED
        and (out.get(f.name) in (None, "") if creating else (f.name in out and out[f.name] in (None, "")))
    ]
    if missing:
        raise ApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(missing)}]",
            tuple(missing),
        )


def _coerce(txn: Txn, so: SObjectDef, field: FieldDef, value: Any) -> Any:
    if value is None:
        return None
    kind = field.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _json_error("boolean", value)
    if kind in ("reference", "id"):
        return _reference(txn, field, value)
    if kind in ("int",):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _json_error("int", value)
        try:
            return int(value)
        except ValueError as exc:
            raise _json_error("int", value) from exc
    if kind in ("double", "currency", "percent"):
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise _json_error("double", value) from exc
    if kind == "datetime":
        return _datetime(value)
    if kind == "date":
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError as exc:
            raise _json_error("date", value) from exc
    if not isinstance(value, str | int | float):
        raise _json_error("string", value)
    if kind == "email" and value != "" and not _EMAIL.match(str(value)):
        # [{"message":"Email: invalid email address: not an email","errorCode":"INVALID_EMAIL_ADDRESS",
        # "fields":["Email"]}] from a real org (jesperkristensen/node-salesforce-connection,
        # salesforce-test.js); which addresses Salesforce accepts is UNVERIFIED (local@domain.tld here).
        raise ApiError(
            400, "INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {value}", (field.name,)
        )
    return str(value)


def _reference(txn: Txn, field: FieldDef, value: Any) -> str:
    full = to18(value) if isinstance(value, str) else None
    if full is None:
        raise ApiError(
            400, "MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", (field.name,)
        )
    target = sobject_for_prefix(full[:3])
    if not field.reference_to or target in field.reference_to:
        if target is not None and txn.schema.get(target) and txn.get(target, full) is not None:
            return full
        raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", (field.name,))
    raise ApiError(400, "MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", (field.name,))


def _datetime(value: Any) -> str:
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # +0000 -> +00:00
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _json_error("datetime", value) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return db.format_datetime(parsed)


def _json_error(kind: str, value: Any) -> ApiError:
    # Jackson's wording in Salesforce's JSON_PARSER_ERROR responses (UNVERIFIED in full).
    return ApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from VALUE_STRING value {value} or request may be missing "
        "a required field",
    )
