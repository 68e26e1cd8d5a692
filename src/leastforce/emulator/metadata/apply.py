"""Write a permission file to the store, through the same rules as REST (store/writes.py).

Two documented semantics:
- PermissionSet (and MutingPermissionSet, UNVERIFIED): the file replaces the set's contents. "When you
  deploy a permission set, you must include all of its metadata to avoid accidentally overwriting the
  permission set's contents" (API 40.0+,
  https://developer.salesforce.com/docs/platform/api-metadata/references/meta-types/metadata-permissionset.html):
  settings the file omits are removed.
- Profile: the file overlays the profile. "We designed Profile metadata deployment to overlay the existing
  Profile settings in a target org"
  (https://developer.salesforce.com/docs/atlas.en-us.216.0.api_meta.meta/api_meta/meta_profile.htm): what
  the file names is set (true or false), everything else stays as it was.
A refused write raises ComponentProblem with the line of the setting that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.metadata.content import ENTITY_ELEMENTS, PermContent, Setting
from leastforce.emulator.metadata.xml import ParseProblem
from leastforce.emulator.store import writes
from leastforce.emulator.store.txn import Caller, Txn


class Target:
    """Where one file's settings go: the row holding user permissions and the set owning the rows."""

    def __init__(self, txn: Txn, caller: Caller, sobject: str, record_id: str, parent_id: str) -> None:
        self.txn, self.caller, self.sobject = txn, caller, sobject
        self.record_id, self.parent_id = record_id, parent_id

    def write(self, sobject: str, record_id: str | None, values: Mapping[str, Any], line: int) -> str:
        try:
            if record_id is None:
                return writes.create(self.txn, sobject, values, self.caller)
            writes.update(self.txn, sobject, record_id, values, self.caller)
            return record_id
        except ApiError as exc:
            raise ParseProblem(exc.message, line, 1) from None

    def remove(self, sobject: str, record_id: str) -> None:
        try:
            writes.delete(self.txn, sobject, record_id, self.caller)
        except ApiError as exc:
            raise ParseProblem(exc.message, 0, 0) from None


def check_user_permissions(txn: Txn, sobject: str, settings: Iterable[Setting]) -> None:
    """Unknown user permission names fail with the line they are on. Wording as reported by users
    ("Unknown user permission: ManageUnlistedGroups",
    https://github.com/afawcett/forcedotcom-enterprise-architecture/issues/3; UNVERIFIED by a Salesforce page)."""
    known = set(txn.sobject(sobject).permission_names)
    for s in settings:
        if s.name not in known:
            raise ParseProblem(f"Unknown user permission: {s.name}", s.line, 1)


def apply(target: Target, content: PermContent, *, replace: bool) -> None:
    """Object, field and setup entity rows, then user permissions (so dependencies see the rows)."""
    check_user_permissions(target.txn, target.sobject, content.user)
    current = {k for k, v in (target.txn.get(target.sobject, target.record_id) or {}).items() if _on(k, v)}
    turned_off = {"Permissions" + s.name for s in content.user if not s.values["enabled"]}
    drop = current if replace else current & turned_off
    if drop:
        target.write(target.sobject, target.record_id, dict.fromkeys(drop, False), 0)
    _rows(target, "ObjectPermissions", "SobjectType", content.objects, replace)
    _rows(target, "FieldPermissions", "Field", content.fields, replace)
    for tag, settings in content.entities.items():
        _entities(target, tag, settings, replace)
    turn_on = {"Permissions" + s.name: True for s in content.user if s.values["enabled"]}
    if turn_on:
        line = max((s.line for s in content.user if s.values["enabled"]), default=0)
        target.write(target.sobject, target.record_id, turn_on, line)


def _on(key: str, value: Any) -> bool:
    return key.startswith("Permissions") and bool(value)


def _rows(target: Target, sobject: str, key: str, settings: tuple[Setting, ...], replace: bool) -> None:
    existing = {str(r[key]).lower(): r for r in target.txn.find(sobject, ParentId=target.parent_id)}
    wanted = {s.name.lower() for s in settings}
    if replace:
        for name, row in existing.items():
            if name not in wanted:
                target.remove(sobject, row["Id"])
    for s in settings:
        held = existing.get(s.name.lower())
        if held is None and not any(s.values.values()):
            continue  # "the absence of a record indicates no access"
        if held is None:
            target.write(sobject, None, {"ParentId": target.parent_id, key: s.name, **s.values}, s.line)
        else:
            target.write(sobject, str(held["Id"]), dict(s.values), s.line)


def _entities(target: Target, tag: str, settings: tuple[Setting, ...], replace: bool) -> None:
    _, sobject, name_field = ENTITY_ELEMENTS[tag]
    txn = target.txn
    rows = [
        r for r in txn.find("SetupEntityAccess", ParentId=target.parent_id) if r["SetupEntityType"] == sobject
    ]
    held = {str(r["SetupEntityId"]): r for r in rows}
    wanted: set[str] = set()
    for s in settings:
        found = txn.find(sobject, **{name_field: s.name})
        if not found:
            raise ParseProblem(
                f"In field: {tag} - no {sobject} named {s.name} found", s.line, 1
            )  # UNVERIFIED
        entity_id = str(found[0]["Id"])
        if s.values["enabled"]:
            wanted.add(entity_id)
            if entity_id not in held:
                target.write(
                    "SetupEntityAccess",
                    None,
                    {"ParentId": target.parent_id, "SetupEntityId": entity_id},
                    s.line,
                )
        elif entity_id in held:
            target.remove("SetupEntityAccess", held[entity_id]["Id"])
    if replace:
        for entity_id, row in held.items():
            if entity_id not in wanted:
                target.remove("SetupEntityAccess", row["Id"])
