"""Audit: every integration user of an org, what it can do beyond what it declared, and who holds the
org's most powerful permissions.

``audit(snapshot, catalog, options)`` is pure: a full OrgSnapshot in, an AuditResult out. Rules live in
data/audit_rules.yaml (title, severity, remediation, source); the code only decides when a rule fires
(``audit_user``), which users count (``audit_find``) and what a manifest declares (``audit_declared``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from leastforce.access.grants import EffectiveAccess
from leastforce.access.index import AccessIndex
from leastforce.access.resolve import resolve_all
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.types import Risk
from leastforce.checks.audit.declared import Declared, declared_access
from leastforce.checks.audit.escalation import EscalationGraph, EscalationPath
from leastforce.checks.audit.find import candidates, integration_reasons, token_holders
from leastforce.checks.audit.holders import census, org_holders
from leastforce.checks.audit.logins import UserLogins
from leastforce.checks.audit.mfa import mfa_findings
from leastforce.checks.audit.model import (
    AuditResult,
    Finding,
    Holder,
    OrgWide,
    Reason,
    Rule,
    Severity,
    UserAudit,
    load_rules,
)
from leastforce.checks.audit.user import evidence, excess_count, risky_permissions, user_findings
from leastforce.checks.explain.paths import Target, TargetKind
from leastforce.checks.explain.who_has import who_has
from leastforce.desired.types import MANAGED_MARKER
from leastforce.manifest.model import Manifest
from leastforce.values.model import OrgSnapshot

__all__ = [
    "AuditOptions",
    "AuditResult",
    "Finding",
    "Rule",
    "Severity",
    "UserAudit",
    "audit",
    "load_rules",
]

# Org-wide: who holds these, by every path (the question every security review starts with).
ORG_WIDE_PERMISSIONS = ("ModifyAllData", "ViewAllData", "AuthorApex", "ManageUsers")


@dataclass(frozen=True)
class AuditOptions:
    """``named``: (manifest, username) pairs from --manifest/--user; ``now``: default snapshot.taken_at."""

    named: tuple[tuple[Manifest, str], ...] = ()
    now: datetime | None = None


def audit(snapshot: OrgSnapshot, catalog: Catalog, options: AuditOptions = AuditOptions()) -> AuditResult:
    """Find the integration users, run the rules on each, and list the org-wide holders."""
    now = options.now or snapshot.taken_at
    index = AccessIndex.build(snapshot, catalog)
    manifests = {user.casefold(): m for m, user in options.named}
    declared = {key: declared_access(m, catalog) for key, m in manifests.items()}
    holders = token_holders(snapshot)
    graph = EscalationGraph(index, now)
    users: list[UserAudit] = []
    # Only users who may be integration users are resolved (the same rule without resolving: find.py).
    maybe = candidates(snapshot, index, manifests)
    for access in resolve_all(snapshot, catalog, now, index=index, only=maybe):
        reasons = integration_reasons(access, holders, manifests)
        if not reasons:
            continue
        key = access.user.username.casefold()
        audit = _user_audit(access, reasons, catalog, snapshot, manifests.get(key), declared.get(key), now)
        users.append(_with_escalation(audit, graph.shortest(access.user)))
    users.sort(key=lambda u: (-(u.worst.rank if u.worst else -1), u.user.username.casefold()))
    integration_ids = frozenset(u.user.id for u in users)
    rights = org_holders(index, now, integration_ids)
    tiers, counts = census(rights)
    matrix = sorted(
        (p for p in catalog.permissions.values() if p.risk is Risk.CRITICAL), key=lambda p: p.label
    )
    return AuditResult(
        instance_url=snapshot.instance_url,
        taken_at=snapshot.taken_at,
        users=tuple(users),
        org_wide=_org_wide(snapshot, catalog, index, integration_ids, now),
        matrix_permissions=tuple(p.name for p in matrix),
        matrix_labels=tuple(p.label for p in matrix),
        human_findings=_human_findings(snapshot, integration_ids, [m for m, _ in options.named]),
        holders=rights,
        tier_rollup=tiers,
        right_counts=counts,
    )


def _user_audit(
    access: EffectiveAccess,
    reasons: tuple[Reason, ...],
    catalog: Catalog,
    snapshot: OrgSnapshot,
    manifest: Manifest | None,
    declared: Declared | None,
    now: datetime,
) -> UserAudit:
    tokens = tuple(t for t in snapshot.oauth_tokens if t.user_id == access.user.id)
    return UserAudit(
        user=access.user,
        reasons=reasons,
        integration=manifest.integration if manifest else "",
        profile=access.profile.name if access.profile else access.user.profile_name,
        findings=tuple(
            sorted(
                (
                    *user_findings(access, catalog, declared, tokens, now),
                    *mfa_findings(access, catalog, tokens, UserLogins.of(snapshot, access.user.id)),
                ),
                key=lambda f: -f.severity.rank,
            )
        ),
        risky_permissions=tuple(name for name, _ in risky_permissions(access, catalog)),
        excess=excess_count(access, catalog, declared),
        tokens=tuple(sorted({t.app_name for t in tokens})),
        assigned=access.assigned_sets,
    )


def _with_escalation(audit: UserAudit, path: EscalationPath | None) -> UserAudit:
    """Add the shortest path to System Administrator-equivalent access as a finding (none when the user
    already holds it: its critical-permission finding says so)."""
    if path is None or not path.steps:
        return audit if path is None else replace(audit, escalation=path)
    steps = tuple(f"{i}. {step} ({step.source})" for i, step in enumerate(path.steps, start=1))
    found = Finding("escalation-path", audit.user.username, path.target, steps)
    ordered = sorted((*audit.findings, found), key=lambda f: -f.severity.rank)
    return replace(audit, findings=tuple(ordered), escalation=path)


def _org_wide(
    snapshot: OrgSnapshot,
    catalog: Catalog,
    index: AccessIndex,
    integration_ids: frozenset[str],
    now: datetime,
) -> tuple[OrgWide, ...]:
    out = []
    for name in ORG_WIDE_PERMISSIONS:
        perm = catalog.permissions.get(name)
        target = Target(TargetKind.PERMISSION, name, label=perm.label if perm else name)
        found = who_has(snapshot, target, catalog, now=now, index=index)
        holders = tuple(
            Holder(user.username, user.is_active, user.id in integration_ids, evidence(grants))
            for user, grants in found
        )
        out.append(OrgWide(name, target.label, holders))
    return tuple(out)


def integration_only_sets(snapshot: OrgSnapshot, manifests: list[Manifest]) -> Mapping[str, str]:
    """Permission set Id -> name, for sets meant for integration users only: the manifests' sets, and
    sets leastforce manages (description marker) that are not a role's set."""
    names = {ps.name.casefold() for m in manifests for ps in m.permission_sets}
    roles = {f"{m.integration}_{r.name}".casefold() for m in manifests for r in m.roles}
    out = {}
    for set_id, ps in snapshot.permission_sets.items():
        if ps.is_owned_by_profile:
            continue
        name = ps.full_name.casefold()
        managed = ps.description.startswith(MANAGED_MARKER) and not any(name.startswith(r) for r in roles)
        if name in names or managed:
            out[set_id] = ps.full_name
    return out


def _human_findings(
    snapshot: OrgSnapshot, integration_ids: frozenset[str], manifests: list[Manifest]
) -> tuple[Finding, ...]:
    """Humans holding an integration's set with no end date: access granted for a setup task that stays.

    https://help.salesforce.com/s/articleView?id=platform.perm_sets_assignment_expiration.htm
    """
    only = integration_only_sets(snapshot, manifests)
    out = []
    for row in snapshot.assignments:
        user = snapshot.users.get(row.user_id)
        if user is None or user.id in integration_ids:
            continue
        if row.permission_set_id not in only or row.expires is not None:
            continue
        name = only[row.permission_set_id]
        out.append(Finding("integration-set-on-human", user.username, name, (f"permission set {name}",)))
    return tuple(sorted(out, key=lambda f: (f.subject.casefold(), f.item)))
