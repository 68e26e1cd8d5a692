"""One logged API call and what it needs: object and access from the HTTP method and resource, fields
from the SOQL text where the log has it.

API Total Usage rows carry HTTP_METHOD, API_RESOURCE ("/v21.0/sobjects/Account/001xx000003DGQW"),
ENTITY_NAME and STATUS_CODE; Unique Query rows carry QUERY_IDENTIFIER, "The text of the SOQL query run".
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile_apitotalusage.htm
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile_unique_query_event_elf.htm
The REST verbs: GET reads, POST on sobjects/X creates, PATCH updates, DELETE deletes
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/using_resources_working_with_records.htm).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leastforce.values.model import ObjectRight

_VERSION = re.compile(r"^/?(?:services/data/)?v\d+(?:\.\d+)?/")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FROM = re.compile(r"FROM\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_SELECT = re.compile(r"^\s*SELECT\s+", re.IGNORECASE)
# Calls that fail for want of access (403 INSUFFICIENT_ACCESS, 404 for an object the user cannot see,
# 400 INVALID_TYPE on a query): the log has the status only, not the errorCode.
DENIED_STATUSES = frozenset({400, 403, 404})


@dataclass(frozen=True)
class LoggedCall:
    """One API Total Usage row of the user (``at``: TIMESTAMP_DERIVED as written)."""

    at: str
    method: str
    resource: str
    entity: str
    family: str
    status: int
    request_id: str = ""
    app_id: str = ""


@dataclass(frozen=True)
class Need:
    """What a call needs of the org: a right on an object (``fields`` read, where the SOQL shows them)."""

    sobject: str
    right: ObjectRight
    fields: tuple[str, ...] = ()


def need_of(call: LoggedCall, soql: str | None = None) -> Need | None:
    """The object right the call exercises; None when it needs none that the log can show (describe,
    limits, Tooling, a composite call whose parts the log does not hold)."""
    if call.family.upper() not in ("REST", "SOAP", "BULK", "BULK2", ""):
        return None
    parts = [p for p in _VERSION.sub("", call.resource.split("?")[0].lstrip("/")).split("/") if p]
    head = parts[0] if parts else ""
    method = call.method.upper()
    if head in ("query", "queryAll") and method == "GET":
        sobject = call.entity or (_from(soql) if soql else "")
        return Need(sobject, ObjectRight.READ, select_fields(soql) if soql else ()) if sobject else None
    if head != "sobjects" or len(parts) < 2:
        return None
    sobject = call.entity or parts[1]
    if len(parts) == 2:
        return Need(sobject, ObjectRight.CREATE) if method == "POST" else None
    if parts[2] == "describe":
        return None
    right = {"GET": ObjectRight.READ, "HEAD": ObjectRight.READ, "PATCH": ObjectRight.EDIT}.get(method)
    if method == "DELETE":
        right = ObjectRight.DELETE
    return Need(sobject, right) if right else None


def select_fields(soql: str) -> tuple[str, ...]:
    """The plain fields of the top-level SELECT list (relationship paths, functions and subqueries left
    out); () when the text does not parse. Lenient: the log may hold any SOQL."""
    head = _SELECT.match(soql)
    if head is None:
        return ()
    items: list[str] = []
    depth, current = 0, list[str]()
    for index in range(head.end(), len(soql)):
        char = soql[index]
        if depth == 0 and _FROM.match(soql, index) and soql[index - 1].isspace():
            items.append("".join(current))
            return tuple(dict.fromkeys(i.strip() for i in items if _NAME.match(i.strip())))
        depth += (char == "(") - (char == ")")
        if depth == 0 and char == ",":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    return ()


def _from(soql: str) -> str:
    depth = 0
    for index, char in enumerate(soql):
        depth += (char == "(") - (char == ")")
        if depth == 0 and index and soql[index - 1].isspace():
            found = _FROM.match(soql, index)
            if found:
                return found.group(1)
    return ""
