"""``plan --json`` and ``apply --json``: the changes in Setup and API terms, what matches, what was applied.

``values``, ``refs`` and ``before`` are Salesforce records' fields, keyed by the field's API name
(``PermissionsApiEnabled``, ``ParentId``): data keys, not ours, so they keep Salesforce's spelling
(base.DATA_KEYED_FIELDS; the schema says ``additionalProperties``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from leastforce.org.apply.journal import Entry
from leastforce.planning.changes import Change, ChangeSet
from leastforce.render.json.base import JsonModel

_BY_FIELD = "keyed by the Salesforce field's API name (data, not a leastforce key)"


class ChangeOutput(JsonModel):
    """One write: ``step`` (apply order), ``action`` create / update / delete, ``api`` the REST call."""

    step: str
    action: str
    sobject: str
    key: str
    setup: str
    api: str
    record_id: str | None
    values: dict[str, Any] = Field(description="The fields sent, " + _BY_FIELD)
    refs: dict[str, str] = Field(description="Field -> key of a record created earlier, " + _BY_FIELD)
    before: dict[str, Any] = Field(description="The old values (what undo restores), " + _BY_FIELD)


class PlanFindingOutput(JsonModel):
    """Reported, not changed: ``kind`` unmanaged / blocker / note."""

    kind: str
    subject: str
    message: str


class ChangeSetOutput(JsonModel):
    """The plan: ``inSync`` when there is nothing to change."""

    integration: str
    username: str | None
    in_sync: bool
    changes: tuple[ChangeOutput, ...]
    matches: tuple[str, ...]
    findings: tuple[PlanFindingOutput, ...]


class PlanOutput(ChangeSetOutput):
    """``plan --json``: the plan and the API calls it took to read the org."""

    api_calls: int


class AppliedOutput(JsonModel):
    """One acknowledged write and the Id of the record it touched."""

    action: str
    sobject: str
    id: str
    setup: str


class VerifyAfterOutput(JsonModel):
    """Verify after apply: ``passed`` null when there is no user to verify; ``missing`` what lacks."""

    passed: bool | None
    missing: tuple[str, ...] = ()


class ApplyOutput(JsonModel):
    """``apply --json``: the plan, the writes, the re-plan (``inSyncAfter``) and verify."""

    plan: ChangeSetOutput
    applied: tuple[AppliedOutput, ...]
    in_sync_after: bool
    verify: VerifyAfterOutput


def change_output(change: Change) -> ChangeOutput:
    return ChangeOutput(
        step=change.step.name.lower(),
        action=change.action.value,
        sobject=change.sobject,
        key=change.key,
        setup=change.setup,
        api=change.api(),
        record_id=change.record_id or None,
        values=dict(change.values),
        refs=dict(change.refs),
        before=dict(change.before),
    )


def change_set_output(changes: ChangeSet) -> ChangeSetOutput:
    return ChangeSetOutput(
        integration=changes.integration,
        username=changes.username or None,
        in_sync=changes.in_sync,
        changes=tuple(change_output(c) for c in changes.changes),
        matches=changes.matches,
        findings=tuple(
            PlanFindingOutput(kind=f.kind.value, subject=f.subject, message=f.message)
            for f in changes.findings
        ),
    )


def plan_output(changes: ChangeSet, api_calls: int) -> PlanOutput:
    return PlanOutput(**dict(change_set_output(changes)), api_calls=api_calls)


def apply_output(
    changes: ChangeSet,
    entries: tuple[Entry, ...],
    in_sync_after: bool,
    verify: VerifyAfterOutput,
) -> ApplyOutput:
    return ApplyOutput(
        plan=change_set_output(changes),
        applied=tuple(
            AppliedOutput(
                action=e.change.action.value, sobject=e.change.sobject, id=e.record_id, setup=e.change.setup
            )
            for e in entries
        ),
        in_sync_after=in_sync_after,
        verify=verify,
    )
