"""The JSON shape of an audit (inside the sf envelope's ``result``); also what the HTML report embeds."""

from __future__ import annotations

from typing import Any

from leastforce.checks.audit.drift import UserDrift
from leastforce.checks.audit.model import AuditResult, Finding, Severity, UserAudit


def finding_json(finding: Finding) -> dict[str, Any]:
    rule = finding.rule
    return {
        "rule": finding.rule_id,
        "severity": rule.severity.value,
        "title": rule.title,
        "subject": finding.subject,
        "item": finding.item,
        "evidence": list(finding.evidence),
        "remediation": rule.remediation,
        "source": rule.source,
    }


def _user_json(audit: UserAudit, matrix: tuple[str, ...]) -> dict[str, Any]:
    user = audit.user
    return {
        "username": user.username,
        "name": user.name,
        "id": user.id,
        "profile": audit.profile,
        "license": user.user_license,
        "active": user.is_active,
        "frozen": user.is_frozen,
        "integration": audit.integration,
        "reasons": [r.value for r in audit.reasons],
        "connected_apps": list(audit.tokens),
        "assigned": [
            {
                "kind": a.kind.value,
                "name": f"{a.namespace}__{a.name}" if a.namespace else a.name,
                "label": a.label,
                "expires": a.expires.isoformat() if a.expires else None,
            }
            for a in audit.assigned
        ],
        "worst": audit.worst.value if audit.worst else None,
        "excess": audit.excess,
        "risky_permissions": list(audit.risky_permissions),
        "matrix": {p: p in audit.risky_permissions for p in matrix},
        "findings": [finding_json(f) for f in audit.findings],
    }


def drift_json(item: UserDrift) -> dict[str, Any]:
    return {
        "username": item.username,
        "new": item.is_new,
        "gained_permissions": list(item.gained_permissions),
        "lost_permissions": list(item.lost_permissions),
        "gained_objects": {k: list(v) for k, v in item.gained_objects.items()},
        "lost_objects": {k: list(v) for k, v in item.lost_objects.items()},
        "new_assignments": list(item.new_assignments),
        "removed_assignments": list(item.removed_assignments),
        "profile_change": list(item.profile_change) if item.profile_change else None,
    }


def audit_json(result: AuditResult) -> dict[str, Any]:
    """Plain JSON values: summary counts, integration users with findings, org-wide holders, drift."""
    counts = result.counts()
    worst = result.worst()
    out: dict[str, Any] = {
        "instance_url": result.instance_url,
        "taken_at": result.taken_at.isoformat(),
        "summary": {
            "integration_users": len(result.users),
            "findings": sum(counts.values()),
            "by_severity": {s.value: counts[s] for s in Severity},
            "worst": worst.value if worst else None,
        },
        "matrix_permissions": list(result.matrix_permissions),
        "users": [_user_json(u, result.matrix_permissions) for u in result.users],
        "human_findings": [finding_json(f) for f in result.human_findings],
        "org_wide": [
            {
                "permission": o.permission,
                "label": o.label,
                "holders": [
                    {
                        "username": h.username,
                        "active": h.is_active,
                        "integration": h.integration,
                        "evidence": list(h.evidence),
                    }
                    for h in o.holders
                ],
            }
            for o in result.org_wide
        ],
        "since": result.since.isoformat() if result.since else None,
        "drift": None if result.drift is None else [drift_json(d) for d in result.drift],
    }
    return out
