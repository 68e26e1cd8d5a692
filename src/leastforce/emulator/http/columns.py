"""`GET /query?q=...&columns=true`: the column metadata of a SOQL query, without running it.

Undocumented by Salesforce but used by `sf data query` (@salesforce/plugin-data, `retrieveColumns`),
which reads `columnMetadata[].columnName`, `.joinColumns` and `.aggregate`. The entry shape below is
what the plugin's tests and real answers show (UNVERIFIED against any Salesforce document).
"""

from __future__ import annotations

from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.soql.parser import parse_soql
from leastforce.emulator.soql.syntax import Aggregate, FieldPath, Query, SubQuery

_NUMBER = frozenset({"int", "double", "currency", "percent", "long"})
_TEXT = frozenset(
    {
        "string",
        "textarea",
        "picklist",
        "multipicklist",
        "email",
        "phone",
        "url",
        "id",
        "reference",
        "combobox",
        "encryptedstring",
    }
)


def column_metadata(store: Any, soql: str, *, tooling: bool = False) -> dict[str, Any]:
    """The `columns=true` answer for `soql` (MALFORMED_QUERY when it does not parse)."""
    try:
        query = parse_soql(soql)
    except Exception as exc:  # the SOQL layer's own error carries Salesforce's message
        message = getattr(exc, "message", str(exc))
        raise ApiError(400, "MALFORMED_QUERY", message) from exc
    described = _describer(store, tooling)
    root = described(query.sobject)
    return {
        "columnMetadata": _columns(query, root, described),
        "entityName": root.get("name", query.sobject),
        "groupBy": bool(query.group_by),
        "idSelected": any(
            isinstance(i, FieldPath) and i.path[-1].lower() == "id" and len(i.path) == 1 for i in query.select
        ),
        "keyPrefix": root.get("keyPrefix"),
    }


def _describer(store: Any, tooling: bool) -> Any:
    cache: dict[str, dict[str, Any]] = {}

    def described(sobject: str) -> dict[str, Any]:
        key = sobject.lower()
        if key not in cache:
            cache[key] = store.describe(sobject, tooling=tooling) if tooling else store.describe(sobject)
        return cache[key]

    return described


def _columns(query: Query, root: dict[str, Any], described: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, item in enumerate(query.select):
        if isinstance(item, FieldPath):
            out.append(_field_column(item.path, root, described))
        elif isinstance(item, Aggregate):
            arg = item.arg.text if item.arg else ""
            out.append(_entry(item.alias or f"expr{index}", f"{item.function}({arg})", aggregate=True))
        elif isinstance(item, SubQuery):
            child = _child_object(root, item.query.sobject, described)
            out.append(
                _entry(
                    item.query.sobject,
                    item.query.sobject,
                    aggregate=True,
                    joins=_columns(item.query, child, described),
                )
            )
    return out


def _child_object(root: dict[str, Any], relationship: str, described: Any) -> dict[str, Any]:
    for child in root.get("childRelationships", []):
        if str(child.get("relationshipName") or "").lower() == relationship.lower():
            return dict(described(child["childSObject"]))
    return {"name": relationship, "fields": []}


def _field_column(path: tuple[str, ...], sobject: dict[str, Any], described: Any) -> dict[str, Any]:
    fields = {str(f["name"]).lower(): f for f in sobject.get("fields", [])}
    if len(path) == 1:
        found = fields.get(path[0].lower(), {"name": path[0], "type": "string"})
        return _entry(found["name"], found["name"], field=found)
    relation = next(
        (f for f in fields.values() if str(f.get("relationshipName") or "").lower() == path[0].lower()), None
    )
    target = (
        described(relation["referenceTo"][0]) if relation and relation.get("referenceTo") else {"fields": []}
    )
    name = relation["relationshipName"] if relation else path[0]
    return _entry(
        name,
        name,
        foreign_key=relation["name"] if relation else None,
        joins=[_field_column(path[1:], target, described)],
    )


def _entry(
    name: str,
    display: str,
    *,
    aggregate: bool = False,
    field: dict[str, Any] | None = None,
    foreign_key: str | None = None,
    joins: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    kind = str((field or {}).get("type", ""))
    return {
        "aggregate": aggregate,
        "apexType": kind.capitalize() if field else None,
        "booleanType": kind == "boolean",
        "columnName": name,
        "custom": bool((field or {}).get("custom", False)),
        "displayName": display,
        "foreignKeyName": foreign_key,
        "insertable": bool((field or {}).get("createable", False)),
        "joinColumns": joins or [],
        "numberType": kind in _NUMBER,
        "textType": kind in _TEXT,
        "updatable": bool((field or {}).get("updateable", False)),
    }
