"""The audit's values: severities, rules (from data/audit_rules.yaml), findings and the result.

Findings are data: ``Finding(rule_id, subject, evidence)``; a rule's title, severity and remediation
live in the data file, so tuning a rule never touches code.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources

from leastforce.access.grants import AssignedSet
from leastforce.checks.audit.drift import UserDrift
from leastforce.checks.audit.escalation import EscalationPath
from leastforce.checks.audit.holders import RightCount, TierRollup, UserRights
from leastforce.errors import InputError
from leastforce.values.model import User, frozen_map


class Severity(enum.Enum):
    """How bad a finding is; ordered by ``rank`` (critical highest)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """critical=4 ... info=0: larger is worse."""
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError as exc:
            names = ", ".join(s.value for s in cls)
            raise InputError(f"unknown severity {text!r} (use one of {names})") from exc


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


@dataclass(frozen=True)
class Rule:
    """One audit rule, as written in data/audit_rules.yaml."""

    id: str
    title: str
    severity: Severity
    remediation: str
    source: str


@functools.cache
def load_rules() -> Mapping[str, Rule]:
    """The bundled rules, keyed by id (read once, on first use)."""
    from ruamel.yaml import YAML  # lazily: nothing heavy at import time

    text = resources.files("leastforce.checks.audit").joinpath("data/audit_rules.yaml").read_text("utf-8")
    raw = YAML(typ="safe").load(text)["rules"]
    return frozen_map(
        {
            rid: Rule(
                id=rid,
                title=str(body["title"]),
                severity=Severity(str(body["severity"])),
                remediation=" ".join(str(body["remediation"]).split()),
                source=str(body["source"]),
            )
            for rid, body in raw.items()
        }
    )


@dataclass(frozen=True)
class Finding:
    """A rule that fired: on ``subject`` (a username), about ``item`` (a permission, object, field, token
    or set), with the ``evidence`` paths (which profile, set or group; which token)."""

    rule_id: str
    subject: str
    item: str = ""
    evidence: tuple[str, ...] = ()

    @property
    def rule(self) -> Rule:
        return load_rules()[self.rule_id]

    @property
    def severity(self) -> Severity:
        return self.rule.severity


class Reason(enum.Enum):
    """Why a user counts as an integration user."""

    INTEGRATION_LICENSE = "Salesforce Integration license"
    API_ONLY = "API Only User"
    OAUTH_TOKEN = "OAuth token for a connected app"
    INTEGRATION_PROFILE = "profile named for an integration"
    NAMED = "named with --manifest/--user"


@dataclass(frozen=True)
class UserAudit:
    """One integration user: why it was picked, its findings, and figures for the report."""

    user: User
    reasons: tuple[Reason, ...]
    integration: str = ""  # the manifest's integration name, when one was given
    profile: str = ""
    findings: tuple[Finding, ...] = ()
    risky_permissions: tuple[str, ...] = ()  # critical and high permissions held, sorted
    excess: int = 0  # undeclared permissions + object rights + field rights (0 without a manifest)
    tokens: tuple[str, ...] = ()  # connected apps the user has authorised
    assigned: tuple[AssignedSet, ...] = ()  # active permission sets and groups, with their labels
    escalation: EscalationPath | None = None  # shortest path to System Administrator-equivalent access

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


@dataclass(frozen=True)
class Holder:
    """A user holding an org-wide powerful permission, with every path that grants it."""

    username: str
    is_active: bool
    integration: bool
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class OrgWide:
    """Who holds one of the org's most powerful permissions (every path)."""

    permission: str
    label: str
    holders: tuple[Holder, ...]


@dataclass(frozen=True)
class AuditResult:
    """Everything the audit found; ``drift`` is filled when a --since snapshot was given."""

    instance_url: str
    taken_at: datetime
    users: tuple[UserAudit, ...]
    org_wide: tuple[OrgWide, ...]
    matrix_permissions: tuple[str, ...]  # the critical permissions shown in the report's matrix
    matrix_labels: tuple[str, ...] = ()  # their Setup labels, in the same order
    human_findings: tuple[Finding, ...] = ()  # findings on users that are not integration users
    drift: tuple[UserDrift, ...] | None = None  # with --since (see checks.drift)
    since: datetime | None = None
    holders: tuple[UserRights, ...] = ()  # every user holding a risky right, with its rights and paths
    tier_rollup: tuple[TierRollup, ...] = ()  # per tier: rights held, active and inactive holders
    right_counts: tuple[RightCount, ...] = ()  # per right: active and inactive holders (holders.census)
    rules: Mapping[str, Rule] = field(default_factory=load_rules, repr=False, compare=False)

    def findings(self) -> Iterator[Finding]:
        for audit in self.users:
            yield from audit.findings
        yield from self.human_findings

    def counts(self) -> dict[Severity, int]:
        """Findings per severity, every severity present (0 when none)."""
        out = dict.fromkeys(Severity, 0)
        for finding in self.findings():
            out[finding.severity] += 1
        return out

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings()), key=lambda s: s.rank, default=None)

    def fails(self, threshold: Severity | None) -> bool:
        """Whether any finding is at or above ``threshold`` (never, without one)."""
        if threshold is None:
            return False
        return any(f.severity.rank >= threshold.rank for f in self.findings())
