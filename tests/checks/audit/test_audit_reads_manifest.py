"""audit reads the manifest: it never recommends what the manifest forbids, and counts what apply chose."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.audit.declared import Declared, declared_access
from leastforce.checks.audit.user import user_findings
from leastforce.manifest.model import UserSpec
from support.factories import OrgBuilder, make_manifest

CAT = load_catalog()
USER = "oauth@acme.com"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _rules(perms: list[str], declared: Declared | None) -> set[str]:
    snap = (
        OrgBuilder().profile("Connector Profile", perms=perms).user(USER, profile="Connector Profile").build()
    )
    access = effective_access(snap, USER, catalog=CAT)
    return {f.rule_id for f in user_findings(access, CAT, declared, (), NOW)}


def test_api_only_false_means_audit_never_says_make_the_user_api_only():
    assert "not-api-only" in _rules(["ApiEnabled", "PasswordNeverExpires"], Declared())
    interactive = Declared(api_only=False)
    assert "not-api-only" not in _rules(["ApiEnabled", "PasswordNeverExpires"], interactive)
    rules = _rules(["ApiEnabled"], interactive)
    assert "expiring-password" not in rules and "expiring-password-interactive" in rules
    assert not _rules(["ApiEnabled"], replace(interactive, password_never_expires=False)) & {
        "expiring-password",
        "expiring-password-interactive",
        "not-api-only",
    }


def test_the_default_profile_apply_chooses_counts_as_declared():
    declared = declared_access(make_manifest(user=UserSpec(licenses=("Salesforce",))), CAT)
    minimum = CAT.find_profile("Minimum Access - Salesforce")
    assert minimum is not None and minimum.user_permissions
    assert minimum.user_permissions <= declared.permissions
