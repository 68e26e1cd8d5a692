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

Safety (three states per write, docs/plan-apply.md): a write is not sent, done, or unknown (sent, no
answer: AnswerLost, Ctrl-C, a bug). A lost answer is resolved by reading the org (truth.py): done, apply
carries on; not done, it sends once more. When a step fails, every unknown write is resolved the same way,
the journal of known writes is undone newest first (undo.py: never over a change apply did not make), and
the error reports what the org holds from a fresh read, not from the journal. What may remain is saved
where the next `plan` shows it (pending.py). A created User cannot be undone (Salesforce does not delete
users), so the user is created after everything else that may fail on its own, and a failure after it
stops without undoing, saying exactly what was done: re-running apply plans just what is left.

No lost updates: an update or delete first reads its rows; a row no longer holding what plan read is a
ConflictError (someone changed it: plan again). Updates then go through sObject Rows PATCH with
If-Unmodified-Since (the row's LastModifiedDate just read), so a change in between is refused with 412:
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/intro_rest_conditional_requests.htm
(Salesforce documents no conditional DELETE, and ETags for Account rows only.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from leastforce.errors import AnswerLost, ConflictError, OrgError, WriteError
from leastforce.org.apply import pending
from leastforce.org.apply.journal import Entry, InFlight, Journal
from leastforce.org.apply.rows import differs, if_unmodified, read_by_id, row_for
from leastforce.org.apply.truth import Effect, observe, resolve
from leastforce.org.apply.undo import Interrupted, undo, with_rounds
from leastforce.org.client import OrgClient
from leastforce.org.soql import soql
from leastforce.planning.changes import Action, Change, ChangeSet

BATCH = 200  # records per sObject Collections call


class ApplyError(OrgError):
    """A step failed. ``restored``: the org is as before (read back); else ``done`` lists what stays."""

    def __init__(
        self,
        message: str,
        *,
        failed: Change,
        cause: OrgError,
        restored: bool,
        done: tuple[Entry, ...] = (),
        saved: Path | None = None,
    ) -> None:
        super().__init__(message, error_code=cause.error_code, status=cause.status, hint=cause.hint)
        self.failed = failed
        self.cause = cause
        self.restored = restored
        self.done = done
        self.saved = saved


class PlanBlocked(OrgError):
    """The plan has blockers (a package permission set or license missing in the org): nothing was done."""


@dataclass(frozen=True)
class ApplyResult:
    """What apply did: one entry per record written, in order."""

    entries: tuple[Entry, ...]
    calls: int


def apply(changes: ChangeSet, client: OrgClient, *, journal_folder: Path | None = None) -> ApplyResult:
    """Carry out ``changes``; on failure undo what was done (see the module docstring) and raise ApplyError.
    ``journal_folder``: where a report of what may remain is saved (pending.py); None saves nothing."""
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
            raise _failure(batch[0], exc, journal, client, journal_folder) from None
        except (Exception, KeyboardInterrupt) as exc:  # a bug or Ctrl+C mid-apply: still undo
            cause = OrgError(f"interrupted by {type(exc).__name__}")
            raise _failure(batch[0], cause, journal, client, journal_folder) from exc
    if journal_folder is not None:
        pending.clear(client.instance_url, journal_folder)
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
    if first.action is Action.UPDATE:
        _update(batch, sent, client, journal)
        return
    if first.action is Action.DELETE:
        batch = _still_to_delete(batch, client)
        if not batch:
            return
        sent = [{} for _ in batch]
    results = _send(batch, sent, client, journal)
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


def _send(batch: list[Change], sent: list[dict[str, Any]], client: OrgClient, journal: Journal) -> Any:
    """One collection call (see _in_flight); a lost answer found done stands for the answer."""
    answer, done = _in_flight(
        journal, client, InFlight(tuple(batch), tuple(sent)), lambda: _collection_call(batch, sent, client)
    )
    if not done:
        return answer
    if len(done) != len(batch):  # allOrNone makes this impossible; if it happens, what is there is undone
        journal.entries.extend(done)
        raise OrgError(f"{batch[0].sobject}: part of an all-or-none call is in the org")
    return [{"id": e.record_id, "success": True, "errors": []} for e in done]


def _in_flight(
    journal: Journal, client: OrgClient, flight: InFlight, call: Callable[[], Any]
) -> tuple[Any, list[Entry]]:
    """Make ``call`` with its writes in flight until answered: (the answer, []). A lost answer is resolved
    by reading the org: (None, what it shows done), or, when nothing was done, the call made once more
    (sending again cannot make a second record). Any other OrgError is an answer: with allOrNone, nothing
    of the call was written. Anything else (Ctrl-C, a bug) leaves the writes in flight for _failure."""
    journal.in_flight = flight
    try:
        answer = call()
    except AnswerLost:
        done = _resolved(flight, client)
        answer = None if done else call()
        journal.in_flight = None
        return answer, done
    except OrgError:
        journal.in_flight = None
        raise
    journal.in_flight = None
    return answer, []


def _collection_call(batch: list[Change], sent: list[dict[str, Any]], client: OrgClient) -> Any:
    first = batch[0]
    if first.action is Action.DELETE:
        ids = ",".join(c.record_id for c in batch)
        return client.request("DELETE", "composite/sobjects", params={"ids": ids, "allOrNone": "true"})
    records = [
        {"attributes": {"type": c.sobject}, **({"Id": c.record_id} if c.record_id else {}), **v}
        for c, v in zip(batch, sent, strict=True)
    ]
    method = "POST" if first.action is Action.CREATE else "PATCH"
    return client.request(method, "composite/sobjects", json={"allOrNone": True, "records": records})


def _update(batch: list[Change], sent: list[dict[str, Any]], client: OrgClient, journal: Journal) -> None:
    """Each row: still as plan read it, then PATCHed on condition it was not modified since that read."""
    fields = {k for c in batch for k in c.before}
    rows = read_by_id(client, batch[0].sobject, [c.record_id for c in batch], fields)
    for change, values in zip(batch, sent, strict=True):
        row = _unchanged_since_plan(change, rows)
        path = f"sobjects/{change.sobject}/{change.record_id}"
        headers = if_unmodified(row)
        flight = InFlight((change,), (values,))
        patch = partial(client.request, "PATCH", path, json=values, headers=headers)
        _in_flight(journal, client, flight, patch)
        journal.add(Entry(change, change.record_id, values))


def _still_to_delete(batch: list[Change], client: OrgClient) -> list[Change]:
    """The rows to delete that still hold what plan read (gone ones are dropped: nothing to do)."""
    fields = {k for c in batch for k in c.before}
    rows = read_by_id(client, batch[0].sobject, [c.record_id for c in batch], fields)
    return [c for c in batch if row_for(rows, c.record_id) is not None and _unchanged_since_plan(c, rows)]


def _unchanged_since_plan(change: Change, rows: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    row = row_for(rows, change.record_id)
    if row is None:
        raise ConflictError(f"{change.setup}: the row was deleted since plan read it; plan again")
    changed = differs(row, change.before)
    if changed:
        raise ConflictError(
            f"{change.setup}: changed in the org since plan read it ({', '.join(changed)}); plan again"
        )
    return row


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


def _failure(
    change: Change, exc: OrgError, journal: Journal, client: OrgClient, folder: Path | None
) -> ApplyError:
    why = f"{type(exc).__name__}: {exc}" + (f" [{exc.error_code}]" if exc.error_code else "")
    what = f"apply failed at: {change.setup} ({change.api()[:200]})\n  because {why}"
    try:
        return _settle(what, change, exc, journal, client, folder)
    except KeyboardInterrupt as stop:  # Ctrl-C again while settling: report from the journal, and save it
        left = stop.left if isinstance(stop, Interrupted) else list(journal.entries)
        lines = [e.describe() for e in left] + list(journal.in_flight.describe() if journal.in_flight else ())
        saved = (
            pending.save(client.instance_url, what, lines, read_back=False, folder=folder) if folder else None
        )
        listed = "\n".join(f"  - {line}" for line in lines) or "  (nothing)"
        return ApplyError(
            f"{what}\n  interrupted again while undoing; these changes may remain in the org "
            f"(from apply's journal, not read back):\n{listed}" + _saved_note(saved),
            failed=change,
            cause=exc,
            restored=False,
            done=tuple(left),
            saved=saved,
        )


def _settle(
    what: str, change: Change, exc: OrgError, journal: Journal, client: OrgClient, folder: Path | None
) -> ApplyError:
    """Resolve the unknown, undo the known, read back what the org holds, and say so."""
    unknown = _resolve_in_flight(journal, client)
    if not journal.entries and not unknown:
        return ApplyError(
            what + "\n  nothing had been changed: the org is as before",
            failed=change,
            cause=exc,
            restored=True,
        )
    kept_user = journal.point_of_no_return is not None
    left = [] if kept_user else undo(journal, client)
    try:
        observed = with_rounds(lambda: observe(journal.entries, client))
    except OrgError:  # the org cannot be read back: say so, and fall back on what undo knows
        observed = None
    if observed is None:
        done = tuple(journal.entries) if kept_user else tuple(left)
        lines = [e.describe() for e in done]
    else:
        remaining = [o for o in observed if o.effect is not Effect.ABSENT]
        done = tuple(o.entry for o in remaining)
        lines = [o.describe() for o in remaining]
    if not done and not unknown:
        checked = (
            "" if observed is not None else " (undo succeeded; the org could not be read back to confirm)"
        )
        return ApplyError(
            f"{what}\n  the {len(journal.entries)} change(s) already made were undone: the org is as before"
            + checked,
            failed=change,
            cause=exc,
            restored=True,
        )
    lines += unknown
    saved = (
        pending.save(client.instance_url, what, lines, read_back=observed is not None, folder=folder)
        if folder
        else None
    )
    listed = "\n".join(f"  - {line}" for line in lines)
    source = "" if observed is not None else " (the org could not be read back: from apply's journal)"
    if kept_user:
        head = "the user was already created (Salesforce cannot delete users), so nothing was undone."
        body = f"\n  the org now holds{source}:\n{listed}\n  re-run apply to finish the job"
    else:
        head = f"undo was incomplete; these changes remain in the org{source}:"
        body = f"\n{listed}\n  re-run apply to finish the job (it plans only what is missing)"
    return ApplyError(
        f"{what}\n  {head}{body}" + _saved_note(saved),
        failed=change,
        cause=exc,
        restored=False,
        done=done,
        saved=saved,
    )


def _resolve_in_flight(journal: Journal, client: OrgClient) -> list[str]:
    """Turn the unknown call into known entries; if the org cannot be read, say what stays unknown."""
    if journal.in_flight is None:
        return []
    try:
        journal.entries.extend(_resolved(journal.in_flight, client))
    except OrgError:
        return list(journal.in_flight.describe())
    journal.in_flight = None
    return []


def _resolved(in_flight: InFlight, client: OrgClient) -> list[Entry]:
    """resolve(), trying as hard as undo does: the answer matters more than the call count."""
    result: list[Entry] = with_rounds(lambda: resolve(in_flight, client))
    return result


def _saved_note(saved: Path | None) -> str:
    return f"\n  saved to {saved}: `leastforce plan` shows it until an apply completes" if saved else ""
