"""``audit --json``, and the data the HTML report embeds: summary counts, integration users with their
findings, org-wide holders of critical permissions, and drift since an older snapshot."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from leastforce.checks.audit.drift import UserDrift
from leastforce.checks.audit.escalation import EscalationPath
from leastforce.checks.audit.holders import HeldRight, UserRights
from leastforce.checks.audit.model import AuditResult, Finding, Severity, UserAudit
from leastforce.render.json.base import JsonModel


class FindingOutput(JsonModel):
    """One rule's finding; ``rule`` is its id in checks/audit/data/audit_rules.yaml."""

    rule: str
    severity: str
    title: str
    subject: str
    item: str
    evidence: tuple[str, ...]
    remediation: str
    source: str


class AssignedOutput(JsonModel):
    """An active permission set, permission set group ... assigned to the user (``ns__Name``)."""

    kind: str
    name: str
    label: str
    expires: str | None


class MatrixCell(JsonModel):
    """Whether the user holds one of the report's critical permissions."""

    permission: str
    held: bool


class StepOutput(JsonModel):
    """One escalation step: the rule (checks/audit/data/escalation.yaml), the action, its source; an
    unverified rule is our reading of documentation that leaves it open."""

    edge: str
    action: str
    source: str
    verified: bool


class EscalationOutput(JsonModel):
    """The shortest path to System Administrator-equivalent access (``target``); no steps: holds it."""

    target: str
    steps: tuple[StepOutput, ...]


def escalation_output(path: EscalationPath) -> EscalationOutput:
    steps = tuple(
        StepOutput(edge=s.edge, action=s.action, source=s.source, verified=s.verified) for s in path.steps
    )
    return EscalationOutput(target=path.target, steps=steps)


class AuditUserOutput(JsonModel):
    username: str
    name: str
    id: str
    profile: str
    license: str
    active: bool
    frozen: bool
    integration: str
    reasons: tuple[str, ...]
    connected_apps: tuple[str, ...]
    assigned: tuple[AssignedOutput, ...]
    worst: str | None
    excess: int
    risky_permissions: tuple[str, ...]
    matrix: tuple[MatrixCell, ...]
    findings: tuple[FindingOutput, ...]
    escalation: EscalationOutput | None


class BySeverity(JsonModel):
    """Findings counted per severity."""

    critical: int
    high: int
    medium: int
    low: int
    info: int


class SummaryOutput(JsonModel):
    integration_users: int
    findings: int
    by_severity: BySeverity
    worst: str | None


class HolderOutput(JsonModel):
    username: str
    active: bool
    integration: bool
    evidence: tuple[str, ...]


class OrgWideOutput(JsonModel):
    """Every user holding one critical permission, org-wide."""

    permission: str
    label: str
    holders: tuple[HolderOutput, ...]


class TierOutput(JsonModel):
    """One risk tier org-wide: distinct rights held, active and inactive users holding any."""

    tier: str
    rights: int
    active_users: int
    inactive_users: int


class RightCountOutput(JsonModel):
    """One risky right (a permission, or ``Object.ViewAllRecords`` / ``Object.ModifyAllRecords``)."""

    right: str
    label: str
    tier: str
    active_holders: int
    inactive_holders: int


class HeldRightOutput(JsonModel):
    """One risky right a user holds, with every path that grants it (as in ``audit --format csv``)."""

    right: str
    tier: str
    paths: tuple[str, ...]


class UserRightsOutput(JsonModel):
    """One user holding risky rights, org-wide, by tier then right."""

    username: str
    active: bool
    integration: bool
    rights: tuple[HeldRightOutput, ...]


class ObjectRightsOutput(JsonModel):
    """Object rights (read, edit ...) gained or lost on one object."""

    object: str
    rights: tuple[str, ...]


class DriftOutput(JsonModel):
    """One user's changes since the older snapshot; ``profileChange`` is [before, after] or null."""

    username: str
    new: bool
    gained_permissions: tuple[str, ...]
    lost_permissions: tuple[str, ...]
    gained_objects: tuple[ObjectRightsOutput, ...]
    lost_objects: tuple[ObjectRightsOutput, ...]
    new_assignments: tuple[str, ...]
    removed_assignments: tuple[str, ...]
    profile_change: tuple[str, str] | None


class AuditReport(JsonModel):
    """The audit itself (what the HTML report embeds)."""

    instance_url: str
    taken_at: str
    summary: SummaryOutput
    matrix_permissions: tuple[str, ...]
    users: tuple[AuditUserOutput, ...]
    human_findings: tuple[FindingOutput, ...]
    org_wide: tuple[OrgWideOutput, ...]
    tier_rollup: tuple[TierOutput, ...]
    rights: tuple[RightCountOutput, ...]
    since: str | None
    drift: tuple[DriftOutput, ...] | None


class AuditOutput(AuditReport):
    """``audit --json``: the report, the API calls it took and the HTML file written (or null);
    ``holders``: every user holding a risky right (one row per user and right: ``audit --format csv``);
    ``usage``: with --usage, what the usage findings rest on, or why usage is not known (else null)."""

    api_calls: int
    html: str | None
    holders: tuple[UserRightsOutput, ...]
    usage: str | None = None

    def dump(self) -> dict[str, Any]:
        """As every result, but the holders are already plain JSON objects (audit_output builds them so:
        a 20,000-user org has about 20,000 of them holding 900,000 rights, seconds as pydantic models).
        Same keys, same order as the model, whose schema they follow."""
        out = self.model_dump(mode="json", by_alias=True, exclude={"holders"})
        order = [field.alias or name for name, field in type(self).model_fields.items()]
        return {key: list(self.holders) if key == "holders" else out[key] for key in order}


def finding_output(finding: Finding) -> FindingOutput:
    rule = finding.rule
    return FindingOutput(
        rule=finding.rule_id,
        severity=rule.severity.value,
        title=rule.title,
        subject=finding.subject,
        item=finding.item,
        evidence=finding.evidence,
        remediation=rule.remediation,
        source=rule.source,
    )


def _user(audit: UserAudit, matrix: tuple[str, ...]) -> AuditUserOutput:
    user = audit.user
    return AuditUserOutput(
        username=user.username,
        name=user.name,
        id=user.id,
        profile=audit.profile,
        license=user.user_license,
        active=user.is_active,
        frozen=user.is_frozen,
        integration=audit.integration,
        reasons=tuple(r.value for r in audit.reasons),
        connected_apps=audit.tokens,
        assigned=tuple(
            AssignedOutput(
                kind=a.kind.value,
                name=f"{a.namespace}__{a.name}" if a.namespace else a.name,
                label=a.label,
                expires=a.expires.isoformat() if a.expires else None,
            )
            for a in audit.assigned
        ),
        worst=audit.worst.value if audit.worst else None,
        excess=audit.excess,
        risky_permissions=audit.risky_permissions,
        matrix=tuple(MatrixCell(permission=p, held=p in audit.risky_permissions) for p in matrix),
        findings=tuple(finding_output(f) for f in audit.findings),
        escalation=escalation_output(audit.escalation) if audit.escalation else None,
    )


def _objects(rights: dict[str, tuple[str, ...]]) -> tuple[ObjectRightsOutput, ...]:
    return tuple(ObjectRightsOutput(object=k, rights=tuple(v)) for k, v in rights.items())


def drift_output(item: UserDrift) -> DriftOutput:
    return DriftOutput(
        username=item.username,
        new=item.is_new,
        gained_permissions=item.gained_permissions,
        lost_permissions=item.lost_permissions,
        gained_objects=_objects(dict(item.gained_objects)),
        lost_objects=_objects(dict(item.lost_objects)),
        new_assignments=item.new_assignments,
        removed_assignments=item.removed_assignments,
        profile_change=item.profile_change,
    )


def _summary(result: AuditResult) -> SummaryOutput:
    counts = result.counts()
    worst = result.worst()
    return SummaryOutput(
        integration_users=len(result.users),
        findings=sum(counts.values()),
        by_severity=BySeverity(**{s.value: counts[s] for s in Severity}),
        worst=worst.value if worst else None,
    )


def audit_report(result: AuditResult) -> AuditReport:
    """The audit as plain values (the HTML report embeds ``dump()`` of it)."""
    return AuditReport(
        instance_url=result.instance_url,
        taken_at=result.taken_at.isoformat(),
        summary=_summary(result),
        matrix_permissions=result.matrix_permissions,
        users=tuple(_user(u, result.matrix_permissions) for u in result.users),
        human_findings=tuple(finding_output(f) for f in result.human_findings),
        org_wide=tuple(
            OrgWideOutput(
                permission=o.permission,
                label=o.label,
                holders=tuple(
                    HolderOutput(
                        username=h.username,
                        active=h.is_active,
                        integration=h.integration,
                        evidence=h.evidence,
                    )
                    for h in o.holders
                ),
            )
            for o in result.org_wide
        ),
        tier_rollup=tuple(
            TierOutput(
                tier=t.tier.value,
                rights=t.rights,
                active_users=t.active_users,
                inactive_users=t.inactive_users,
            )
            for t in result.tier_rollup
        ),
        rights=tuple(
            RightCountOutput(
                right=c.right,
                label=c.label,
                tier=c.tier.value,
                active_holders=c.active,
                inactive_holders=c.inactive,
            )
            for c in result.right_counts
        ),
        since=result.since.isoformat() if result.since else None,
        drift=None if result.drift is None else tuple(drift_output(d) for d in result.drift),
    )


def audit_output(
    result: AuditResult, api_calls: int, html: str | None, usage: str | None = None
) -> AuditOutput:
    """The ``audit --json`` result. Only the holders skip validation: they are written straight from our
    own typed values as UserRightsOutput's JSON (tests/checks/audit checks them against the model)."""
    report = audit_report(result)
    return AuditOutput.model_construct(
        **dict(report), api_calls=api_calls, html=html, holders=holders_json(result.holders), usage=usage
    )


def holders_json(holders: Iterable[UserRights]) -> tuple[dict[str, Any], ...]:
    """Each UserRightsOutput as JSON (camelCase keys: these fields are one word each). Users with the same
    rights share one list of rights, encoded by orjson as often as it appears: no object per (user,
    right) is made in Python."""
    shared: dict[int, list[dict[str, Any]]] = {}  # by the id of a rights tuple, alive in ``holders``
    each: dict[int, dict[str, Any]] = {}  # by the id of a HeldRight (shared by its holders too)
    out = []
    for user in holders:
        rights = shared.get(id(user.rights))
        if rights is None:
            rights = shared[id(user.rights)] = [_held_json(r, each) for r in user.rights]
        out.append(
            {
                "username": user.username,
                "active": user.active,
                "integration": user.integration,
                "rights": rights,
            }
        )
    return tuple(out)


def _held_json(right: HeldRight, each: dict[int, dict[str, Any]]) -> dict[str, Any]:
    found = each.get(id(right))
    if found is None:
        found = each[id(right)] = {"right": right.right, "tier": right.tier.value, "paths": list(right.paths)}
    return found
