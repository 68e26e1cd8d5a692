"""apply: carry out a ChangeSet against an org, in Salesforce's order, and undo it all if a step fails.

Every write goes through sObject Collections (``composite/sobjects``) with ``allOrNone: true``, up to 200
records of ONE sObject type per call: setup objects (PermissionSet, ObjectPermissions, User,
PermissionSetAssignment ...) cannot share a call with other types, and assignments go in calls of their own.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html

The profile is created through the REST API's Profile object, whose documented calls include create()
("Operations can include creating a custom profile"; Name, UserLicenseId and Permissions* fields):
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_profile.htm
The Tooling API's Profile documents only GET and HEAD as REST methods (so no create there):
https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_profile.htm
and a Metadata API deploy is asynchronous, zip-based and not a REST call the journal could undo record by
record. The new profile's permission set (IsOwnedByProfile) then takes the object and field rows.

Safety: each acknowledged write goes in a Journal. When a step fails (an error from Salesforce, a
timeout or dropped connection after the client's retries, a session that cannot be renewed, the request
limit), the journal is undone newest first, and ApplyError says what failed, why, and whether the org is
as before. A created User cannot be undone (Salesforce does not delete users), so the user is created after
everything else that may fail on its own, and a failure after it stops without undoing, saying exactly what
was done: re-running apply plans just what is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from leastforce.errors import OrgError, WriteError
from leastforce.org.apply.journal import Entry, Journal, undo
from leastforce.org.client import OrgClient
from leastforce.org.soql import soql
from leastforce.planning.changes import Action, Change, ChangeSet

BATCH = 200  # records per sObject Collections call


class ApplyError(OrgError):
    """A step failed. ``restored``: the org is as before; else ``done`` lists what stays in the org."""

    def __init__(
        self,
        message: str,
        *,
        failed: Change,
        cause: OrgError,
        restored: bool,
        done: tuple[Entry, ...] = (),
    ) -> None:
        super().__init__(message, error_code=cause.error_code, status=cause.status, hint=cause.hint)
        self.failed = failed
        self.cause = cause
        self.restored = restored
        self.done = done


class PlanBlocked(OrgError):
    """The plan has blockers (a package permission set or license missing in the org): nothing was done."""


@dataclass(frozen=True)
class ApplyResult:
    """What apply did: one entry per record written, in order."""

    entries: tuple[Entry, ...]
    calls: int


def apply(changes: ChangeSet, client: OrgClient) -> ApplyResult:
    """Carry out ``changes``; on failure undo what was done (see the module docstring) and raise ApplyError."""
    if changes.blockers:
        raise PlanBlocked(
            "cannot apply: " + "; ".join(f.message for f in changes.blockers),
            hint="fix these in the org first (install the package, buy the license), then plan again",
        )
    start = client.calls
    journal = Journal()
    resolved: dict[str, str] = {}
    for batch in _batches(changes.changes):
        try:
            _run(batch, client, resolved, journal)
        except OrgError as exc:
            raise _failure(batch[0], exc, journal, client) from None
        except (Exception, KeyboardInterrupt) as exc:  # a bug or Ctrl+C mid-apply: still undo
            cause = OrgError(f"interrupted by {type(exc).__name__}")
            raise _failure(batch[0], cause, journal, client) from exc
    return ApplyResult(tuple(journal.entries), client.calls - start)


def _batches(changes: tuple[Change, ...]) -> Iterator[list[Change]]:
    """Consecutive changes of one step, sObject and verb, at most BATCH each (profiles one by one: their own
    set's Id must be read before rows refer to it)."""
    batch: list[Change] = []
    for change in changes:
        same = batch and (batch[0].step, batch[0].sobject, batch[0].action) == (
            change.step,
            change.sobject,
            change.action,
        )
        if batch and (not same or len(batch) >= BATCH or change.sobject == "Profile"):
            yield batch
            batch = []
        batch.append(change)
    if batch:
        yield batch


def _values(change: Change, resolved: Mapping[str, str]) -> dict[str, Any]:
    values = dict(change.values)
    for fld, key in change.refs.items():
        if key not in resolved:
            raise OrgError(f"internal: {key} was not created before {change.key}")
        values[fld] = resolved[key]
    return values


def _run(batch: list[Change], client: OrgClient, resolved: dict[str, str], journal: Journal) -> None:
    first = batch[0]
    sent = [_values(c, resolved) for c in batch]
    if first.action is Action.DELETE:
        ids = ",".join(c.record_id for c in batch)
        results = client.request("DELETE", "composite/sobjects", params={"ids": ids, "allOrNone": "true"})
    else:
        records = [
            {"attributes": {"type": c.sobject}, **({"Id": c.record_id} if c.record_id else {}), **v}
            for c, v in zip(batch, sent, strict=True)
        ]
        method = "POST" if first.action is Action.CREATE else "PATCH"
        results = client.request(method, "composite/sobjects", json={"allOrNone": True, "records": records})
    _check(batch, results)
    for change, values, result in zip(batch, sent, results, strict=True):
        record_id = str(result.get("id") or change.record_id)
        journal.add(Entry(change, record_id, values))
        if change.action is Action.CREATE:
            resolved[change.key] = record_id
    if first.sobject == "Profile" and first.action is Action.CREATE:
        # Journalled first, so that undo deletes the profile even if this read fails.
        owned = _owned_set(client, journal.entries[-1].record_id)
        resolved["ProfileSet:" + first.key.split(":", 1)[1]] = owned
        last = journal.entries[-1]
        journal.entries[-1] = Entry(last.change, last.record_id, {**last.values, "_owned_set": owned})


def _owned_set(client: OrgClient, profile_id: str) -> str:
    rows = client.query(
        soql(
            "SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = true AND ProfileId = {pid}", pid=profile_id
        )
    )
    if not rows:
        raise OrgError(f"profile {profile_id} has no permission set of its own")
    return str(rows[0]["Id"])


def _check(batch: list[Change], results: Any) -> None:
    """allOrNone: any failed record means nothing of the call was written. Name the record that failed."""
    if not isinstance(results, list) or len(results) != len(batch):
        raise OrgError(f"unexpected answer to a {batch[0].sobject} collection call")
    for change, result in zip(batch, results, strict=True):
        errors = result.get("errors") or []
        real = [e for e in errors if e.get("statusCode") != "ALL_OR_NONE_OPERATION_ROLLED_BACK"]
        if not result.get("success") and real:
            first = real[0]
            raise WriteError(
                f"{change.setup}: {first.get('message', '')}",
                error_code=str(first.get("statusCode", "")),
                status=400,
            )


def _failure(change: Change, exc: OrgError, journal: Journal, client: OrgClient) -> ApplyError:
    why = f"{type(exc).__name__}: {exc}" + (f" [{exc.error_code}]" if exc.error_code else "")
    what = f"apply failed at: {change.setup} ({change.api()[:200]})\n  because {why}"
    if not journal.entries:
        return ApplyError(
            what + "\n  nothing had been changed: the org is as before",
            failed=change,
            cause=exc,
            restored=True,
        )
    if journal.point_of_no_return is not None:
        done = "\n".join(f"  - {e.describe()}" for e in journal.entries)
        return ApplyError(
            f"{what}\n  the user was already created (Salesforce cannot delete users), so nothing was undone."
            f"\n  the org now holds:\n{done}\n  re-run apply to finish the job",
            failed=change,
            cause=exc,
            restored=False,
            done=tuple(journal.entries),
        )
    left = undo(journal, _sender(client))
    if not left:
        return ApplyError(
            f"{what}\n  the {len(journal.entries)} change(s) already made were undone: the org is as before",
            failed=change,
            cause=exc,
            restored=True,
        )
    remains = "\n".join(f"  - {e.describe()}" for e in left)
    return ApplyError(
        f"{what}\n  undo was incomplete; these changes remain in the org:\n{remains}\n"
        "  re-run apply to finish the job (it plans only what is missing)",
        failed=change,
        cause=exc,
        restored=False,
        done=tuple(left),
    )


def _sender(client: OrgClient) -> Callable[[str, str, Any, Mapping[str, str] | None], Any]:
    def send(method: str, path: str, body: Any, params: Mapping[str, str] | None) -> Any:
        return client.request(method, path, json=body, params=params)

    return send
