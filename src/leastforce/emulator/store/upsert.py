"""Upsert by external ID: find the records whose key field holds the value, then create or update.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm: no match creates
a record, one match updates it, several matches write nothing and answer 300 with the matching records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store import writes
from leastforce.emulator.store.schema import FieldDef, SObjectDef
from leastforce.emulator.store.txn import Caller, Txn


@dataclass(frozen=True)
class UpsertResult:
    """The record written and whether it was created; ``matches`` (nothing written) when several match."""

    record_id: str | None
    created: bool
    matches: tuple[str, ...] = ()


def key_field(so: SObjectDef, name: str) -> FieldDef:
    """The External ID (or idLookup) field ``name`` of ``so``.

    An unknown field is the documented 404 NOT_FOUND ("Incorrect external ID field", dome_upsert.htm); a
    field that is not an External ID gets INVALID_FIELD worded as clients report it
    ("Field name provided, X is not an External ID or indexed field for Y"; status 400 UNVERIFIED)."""
    found = so.field(name)
    if found is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    if not found.id_lookup or found.name == "Id":
        raise ApiError(
            400,
            "INVALID_FIELD",
            f"Field name provided, {found.name} is not an External ID or indexed field for {so.name}",
        )
    return found


def matching(txn: Txn, sobject: str, field: str, value: str) -> list[str]:
    """The Ids of the records whose ``field`` equals ``value``."""
    so = txn.sobject(sobject)
    key = key_field(so, field)
    return [str(row["Id"]) for row in txn.find(so.name, **{key.name: value})]


def upsert(
    txn: Txn, sobject: str, field: str, value: str, values: Mapping[str, Any], caller: Caller
) -> UpsertResult:
    """Create the record (with ``field`` = ``value``) or update the one record that matches."""
    so = txn.sobject(sobject)
    key = key_field(so, field)
    found = matching(txn, so.name, key.name, value)
    if len(found) > 1:
        return UpsertResult(None, False, tuple(found))
    body = {k: v for k, v in values.items() if k.lower() != key.name.lower()}
    if not found:
        return UpsertResult(writes.create(txn, so.name, {**body, key.name: value}, caller), True)
    writes.update(txn, so.name, found[0], body, caller)
    return UpsertResult(found[0], False)
