"""Undo an apply's journal, newest first, never over a change apply did not make.

A created record is deleted, an updated one gets its old field values back, a deleted row is created again
with its old values (it gets a new Id: Salesforce has no undelete for setup rows through REST). Rows of a
permission set or profile created in the same apply are not deleted one by one: deleting the set (or the
profile) deletes them, as Salesforce cascades. A created User is never undone.

An update is undone only if the row still holds what apply wrote: it is read first, and the old values go
back through sObject Rows PATCH with If-Unmodified-Since set to the LastModifiedDate just read, so a change
made in between is refused with 412 (ConflictError) instead of overwritten ("Conditional Request Headers":
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/intro_rest_conditional_requests.htm).
HTTP dates have whole seconds: a change within the same second as the read is caught by the read only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leastforce.errors import AuthError, ConflictError, OrgError, TransientOrgError
from leastforce.org.apply.journal import Entry, Journal
from leastforce.org.apply.rows import differs, if_unmodified, read_by_id, row_for
from leastforce.org.client import RowWriter
from leastforce.planning.changes import Action

UNDO_ROUNDS = 4  # on top of the client's own retries: undo tries harder than the forward path


def undo(journal: Journal, org: RowWriter) -> list[Entry]:
    """Undo every entry, newest first. Returns the entries that could not be undone (empty = org restored).
    A Ctrl-C stops it: the entries not yet undone are in ``Interrupted.left``."""
    cascaded = _cascaded(journal)
    left: list[Entry] = []
    pending = [e for e in reversed(journal.entries) if e.record_id not in cascaded]
    for index, entry in enumerate(pending):
        try:
            with_rounds(lambda e=entry: _undo_one(e, org))  # type: ignore[misc]
        except OrgError:
            left.append(entry)
        except KeyboardInterrupt:
            raise Interrupted([*left, *pending[index:]]) from None
    return left


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during undo: ``left`` are the entries not undone (whether or not the org still holds them)."""

    def __init__(self, left: list[Entry]) -> None:
        super().__init__("undo interrupted")
        self.left = left


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


def with_rounds(call: Callable[[], Any]) -> Any:
    for attempt in range(UNDO_ROUNDS):
        try:
            return call()
        except (TransientOrgError, AuthError):
            if attempt == UNDO_ROUNDS - 1:
                raise
    return None


def _undo_one(entry: Entry, org: RowWriter) -> None:
    change = entry.change
    if change.action is Action.CREATE:
        if change.sobject == "User":
            raise OrgError(f"user {entry.record_id} cannot be deleted (Salesforce keeps users)")
        results = org.request(
            "DELETE", "composite/sobjects", params={"ids": entry.record_id, "allOrNone": "true"}
        )
    elif change.action is Action.UPDATE:
        _restore(entry, org)
        return
    else:
        record = {"attributes": {"type": change.sobject}, **dict(change.before)}
        results = org.request("POST", "composite/sobjects", json={"allOrNone": True, "records": [record]})
    failed = [r for r in results or [] if not r.get("success")]
    if failed and not _already_gone(change, failed[0]):
        errors = failed[0].get("errors") or [{}]
        raise OrgError(
            str(errors[0].get("message", "undo failed")), error_code=str(errors[0].get("statusCode", ""))
        )


def _restore(entry: Entry, org: RowWriter) -> None:
    """The old values back, only over what apply wrote (see the module docstring)."""
    change = entry.change
    written = {k: v for k, v in entry.values.items() if not k.startswith("_")}
    row = row_for(read_by_id(org, change.sobject, [entry.record_id], written), entry.record_id)
    if row is None:
        raise OrgError(f"{change.sobject} {entry.record_id} is gone", error_code="ENTITY_IS_DELETED")
    changed = differs(row, written)
    if changed:
        raise ConflictError(
            f"{change.sobject} {entry.record_id} was changed by someone else since apply wrote it "
            f"({', '.join(changed)}): left as it is"
        )
    headers = if_unmodified(row)
    org.request(
        "PATCH", f"sobjects/{change.sobject}/{entry.record_id}", json=dict(change.before), headers=headers
    )


def _already_gone(change: Any, result: Mapping[str, Any]) -> bool:
    """A delete that finds nothing (the record went with its parent) has done its job."""
    codes = {str(e.get("statusCode", "")) for e in result.get("errors") or []}
    return change.action is Action.CREATE and bool(
        codes & {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND"}
    )
