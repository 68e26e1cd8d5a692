"""The write pipeline inside one transaction: field checks, Salesforce's rules, the write, its side effects;
and sObject Collections (one savepoint per item).

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.rules import check as rules
from leastforce.emulator.rules import fields as records
from leastforce.emulator.rules.field_access import field_access
from leastforce.emulator.store import db, effects
from leastforce.emulator.store.ids import to18
from leastforce.emulator.store.schema import SObjectDef
from leastforce.emulator.store.txn import Caller, Txn

ROLLED_BACK = ApiError(
    400,
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)


def create(txn: Txn, sobject: str, values: Mapping[str, Any], caller: Caller) -> str:
    so = txn.sobject(sobject)
    rules.check_can_write(txn, caller, so, "create")
    if "Id" in values or "id" in values:
        raise ApiError(400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Cannot specify Id in an insert call", ("Id",))
    clean = records.clean_values(txn, so, values, creating=True, editable=_editable(txn, caller, so))
    clean = rules.before_create(txn, caller, so, clean)
    record_id = txn.insert(so.name, clean)
    effects.after_create(txn, so, record_id, clean)
    return record_id


def update(txn: Txn, sobject: str, record_id: str, values: Mapping[str, Any], caller: Caller) -> None:
    so = txn.sobject(sobject)
    old = _existing(txn, so.name, record_id)
    rules.check_can_write(txn, caller, so, "update", old)
    clean = records.clean_values(txn, so, values, creating=False, editable=_editable(txn, caller, so))
    records.derive_name(so, clean, old)
    clean = rules.before_update(txn, caller, so, old, clean)
    txn.update(so.name, old["Id"], clean)
    effects.after_update(txn, so, old, clean)


def delete(txn: Txn, sobject: str, record_id: str, caller: Caller) -> None:
    so = txn.sobject(sobject)
    old = _existing(txn, so.name, record_id)
    rules.check_can_write(txn, caller, so, "delete", old)
    rules.before_delete(txn, caller, so, old)
    effects.before_delete(txn, so, old)
    txn.delete(so.name, old["Id"])
    effects.after_delete(txn, so, old)


def _editable(txn: Txn, caller: Caller, so: SObjectDef) -> Callable[[str], bool]:
    if caller.system or not caller.user_id:
        return lambda _name: True
    return field_access(txn, caller.user_id, so).can_edit


def _existing(txn: Txn, sobject: str, record_id: str) -> db.Row:
    full = to18(record_id)
    if full is None:
        raise ApiError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {record_id}",
        )
    row = txn.get(sobject, full)
    if row is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return row


def collection_items(txn: Txn, op: str, items: list[Any], caller: Caller) -> list[dict[str, Any]]:
    types = rules.collection_types(txn, op, items)
    rules.check_mixed_setup(txn, types)
    results = []
    for index, item in enumerate(items):
        txn.conn.execute(f"SAVEPOINT item{index}")
        try:
            record_id = _collection_item(txn, op, item, types[index], caller)
        except ApiError as exc:
            txn.conn.execute(f"ROLLBACK TO item{index}")
            failed = {"id": _item_id(item)} if op != "create" else {}
            results.append({**failed, "success": False, "errors": [exc.to_save_error()]})
        else:
            results.append({"id": record_id, "success": True, "errors": []})
        txn.conn.execute(f"RELEASE item{index}")
    return results


def _collection_item(txn: Txn, op: str, item: Any, sobject: str | None, caller: Caller) -> str:
    if op == "delete":
        if sobject is None:
            raise ApiError(400, "MALFORMED_ID", f"malformed id {item}")
        delete(txn, sobject, str(item), caller)
        return str(to18(str(item)))
    if sobject is None:
        raise ApiError(400, "INVALID_TYPE", "Must send a concrete entity type.")
    values = {k: v for k, v in item.items() if k != "attributes"}
    if op == "create":
        return create(txn, sobject, values, caller)
    record_id = str(values.pop("Id", values.pop("id", "")) or "")
    if not record_id:
        raise ApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", ("Id",))
    update(txn, sobject, record_id, values, caller)
    return str(to18(record_id))


def _item_id(item: Any) -> str | None:
    if isinstance(item, Mapping):
        value = item.get("Id") or item.get("id")
        return to18(str(value)) if value else None
    return to18(str(item)) if item else None


def rolled_back(result: dict[str, Any], op: str) -> dict[str, Any]:
    """A sibling's SaveResult after an allOrNone rollback (failed creates carry no ``id``, as in the
    sObject Collections create example response)."""
    if not result["success"]:
        return result
    rolled = {"id": result["id"]} if op != "create" else {}
    return {**rolled, "success": False, "errors": [ROLLED_BACK.to_save_error()]}
