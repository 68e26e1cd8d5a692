"""The journal of an apply: every write acknowledged by the org, in order, and how to undo it.

Undo runs the journal backwards: a created record is deleted, an updated one gets its old field values
back, a deleted row is created again with its old values (it gets a new Id: Salesforce has no undelete for
setup rows through REST). Rows of a permission set or profile created in the same apply are not deleted one
by one: deleting the set (or the profile) deletes them, as Salesforce cascades.
A created User can never be undone: Salesforce does not delete users (only deactivates them).
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_user.htm
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leastforce.errors import AuthError, OrgError, TransientOrgError
from leastforce.planning.changes import Action, Change
from leastforce.values.model import frozen_map

UNDO_ROUNDS = 4  # on top of the client's own retries: undo tries harder than the forward path


@dataclass(frozen=True)
class Entry:
    """One acknowledged write: the change and the Id of the record it touched."""

    change: Change
    record_id: str
    values: Mapping[str, Any] = field(default_factory=frozen_map)  # what was sent, refs resolved

    def describe(self) -> str:
        verb = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "deleted"}[
            self.change.action
        ]
        return f"{verb} {self.change.sobject} {self.record_id} ({self.change.setup})"


@dataclass
class Journal:
    """Writes done so far, oldest first."""

    entries: list[Entry] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    @property
    def point_of_no_return(self) -> Entry | None:
        """The first write that cannot be undone (a created User), if any."""
        return next(
            (e for e in self.entries if e.change.sobject == "User" and e.change.action is Action.CREATE), None
        )


Send = Callable[[str, str, Any, Mapping[str, str] | None], Any]  # (method, path, json, params) -> body


def undo(journal: Journal, send: Send) -> list[Entry]:
    """Undo every entry, newest first. Returns the entries that could not be undone (empty = org restored)."""
    cascaded = _cascaded(journal)
    left: list[Entry] = []
    for entry in reversed(journal.entries):
        if entry.record_id in cascaded:
            continue
        try:
            _with_rounds(lambda e=entry: _undo_one(e, send))  # type: ignore[misc]
        except OrgError:
            left.append(entry)
    return left


def _cascaded(journal: Journal) -> set[str]:
    """Rows whose parent set (or the profile owning it) was created here: deleting the parent removes them."""
    created_parents = {
        e.record_id
        for e in journal.entries
        if e.change.action is Action.CREATE and e.change.sobject == "PermissionSet"
    }
    created_parents |= {
        str(e.values.get("_owned_set", "")) for e in journal.entries if e.change.sobject == "Profile"
    }
    return {
        e.record_id
        for e in journal.entries
        if e.change.action is Action.CREATE
        and e.change.sobject in ("ObjectPermissions", "FieldPermissions", "SetupEntityAccess")
        and str(e.values.get("ParentId", "")) in created_parents
    }


def _with_rounds(call: Callable[[], Any]) -> Any:
    for attempt in range(UNDO_ROUNDS):
        try:
            return call()
        except (TransientOrgError, AuthError):
            if attempt == UNDO_ROUNDS - 1:
                raise
    return None


def _undo_one(entry: Entry, send: Send) -> None:
    change = entry.change
    if change.action is Action.CREATE:
        if change.sobject == "User":
            raise OrgError(f"user {entry.record_id} cannot be deleted (Salesforce keeps users)")
        results = send("DELETE", "composite/sobjects", None, {"ids": entry.record_id, "allOrNone": "true"})
    elif change.action is Action.UPDATE:
        record = {"attributes": {"type": change.sobject}, "Id": entry.record_id, **dict(change.before)}
        results = send("PATCH", "composite/sobjects", {"allOrNone": True, "records": [record]}, None)
    else:
        record = {"attributes": {"type": change.sobject}, **dict(change.before)}
        results = send("POST", "composite/sobjects", {"allOrNone": True, "records": [record]}, None)
    failed = [r for r in results or [] if not r.get("success")]
    if failed and not _already_gone(change, failed[0]):
        errors = failed[0].get("errors") or [{}]
        raise OrgError(
            str(errors[0].get("message", "undo failed")), error_code=str(errors[0].get("statusCode", ""))
        )


def _already_gone(change: Change, result: Mapping[str, Any]) -> bool:
    """A delete that finds nothing (the record went with its parent) has done its job."""
    codes = {str(e.get("statusCode", "")) for e in result.get("errors") or []}
    return change.action is Action.CREATE and bool(
        codes & {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND"}
    )
