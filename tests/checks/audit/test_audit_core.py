"""audit() over snapshots built in memory: each rule fires on the user that has the problem, and only there."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from leastforce.catalog import load_catalog
from leastforce.checks.audit.declared import declared_access
from leastforce.checks.audit.model import Reason, Severity, load_rules
from leastforce.checks.audit.run import AuditOptions, audit, integration_only_sets
from leastforce.manifest import load_manifest
from leastforce.render.json.audit import audit_report
from leastforce.values.model import OAuthToken
from support.factories import NOW, OrgBuilder
from support.paths import ROOT

UPFLOW = ROOT / "examples" / "upflow.yaml"
API_PROFILE = "Minimum Access - API Only Integrations"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def upflow():
    return load_manifest(UPFLOW).manifest


def _clean_upflow(builder: OrgBuilder) -> OrgBuilder:
    """The Upflow user exactly as the manifest asks."""
    return (
        builder.profile(
            "Upflow API Profile",
            perms=["ApiEnabled", "ApiUserOnly", "ChatterInternalUser"],
            license="Salesforce Integration",
        )
        .permission_set(
            "Upflow_Permissions",
            perms=["ApiEnabled", "CanApproveUninstalledApps"],
            objects={
                "Account": "read,edit,view_all_records,view_all_fields",
                "Contact": "read,view_all_records,view_all_fields",
            },
        )
        .user("upflow@acme.com", profile="Upflow API Profile")
        .assign("upflow@acme.com", "Upflow_Permissions")
        .psl("upflow@acme.com", "Salesforce API Integration")
    )


def _token(snap, username, app, *, created_days=10, used_days=1):
    user = snap.user_by_username(username)
    return OAuthToken(
        user.id,
        app,
        id=f"0CQ{len(snap.oauth_tokens):012d}",
        created=NOW - timedelta(days=created_days),
        last_used=NOW - timedelta(days=used_days),
        use_count=5,
    )


def _with_tokens(snap, *tokens):
    return replace(snap, oauth_tokens=snap.oauth_tokens + tokens)


def test_rules_file_is_complete():
    rules = load_rules()
    assert "critical-permission" in rules
    for rule in rules.values():
        assert rule.title and rule.remediation and rule.source.startswith(("https://", "leastforce"))
        assert isinstance(rule.severity, Severity)


def test_clean_upflow_user_has_nothing_above_low(catalog, upflow):
    snap = _clean_upflow(OrgBuilder()).user("alice@acme.com", profile="Standard User").build()
    snap = _with_tokens(snap, _token(snap, "upflow@acme.com", "Upflow"))
    result = audit(snap, catalog, AuditOptions(named=((upflow, "upflow@acme.com"),)))
    assert [u.user.username for u in result.users] == ["upflow@acme.com"]
    user = result.users[0]
    assert set(user.reasons) >= {
        Reason.INTEGRATION_LICENSE,
        Reason.API_ONLY,
        Reason.OAUTH_TOKEN,
        Reason.NAMED,
    }
    assert all(f.severity.rank <= Severity.LOW.rank for f in result.findings()), list(result.findings())
    # the declared high-risk permission is reported as info, with its path
    declared = [f for f in user.findings if f.rule_id == "declared-risky-permission"]
    assert [f.item for f in declared] == ["CanApproveUninstalledApps"]
    assert declared[0].evidence == ("permission set Upflow_Permissions",)
    assert user.excess == 0
    assert not result.fails(Severity.LOW)


def test_system_administrator_and_undeclared_critical_permissions(catalog, upflow):
    snap = (
        OrgBuilder()
        .profile("System Administrator", perms=["ModifyAllData", "ViewAllData", "ApiEnabled", "ViewSetup"])
        .user("upflow@acme.com", profile="System Administrator", license="Salesforce")
        .build()
    )
    result = audit(snap, catalog, AuditOptions(named=((upflow, "upflow@acme.com"),)))
    (user,) = result.users
    rules = {(f.rule_id, f.item) for f in user.findings}
    assert ("system-administrator-profile", "System Administrator") in rules
    assert ("critical-permission", "ModifyAllData") in rules
    assert ("critical-permission", "ViewAllData") in rules
    assert ("expiring-password", "PasswordNeverExpires") in rules
    mad = next(f for f in user.findings if f.item == "ModifyAllData")
    assert mad.evidence == ("profile System Administrator",)
    assert result.fails(Severity.CRITICAL)
    assert user.worst is Severity.CRITICAL


def test_undeclared_object_and_field_access_down_to_the_field(catalog, upflow):
    builder = _clean_upflow(OrgBuilder()).permission_set(
        "Extra", objects={"Opportunity": "read", "Account": "delete"}, fields={"Lead.Email": "read"}
    )
    snap = builder.assign("upflow@acme.com", "Extra").build()
    result = audit(snap, catalog, AuditOptions(named=((upflow, "upflow@acme.com"),)))
    found = {(f.rule_id, f.item): f for f in result.users[0].findings}
    assert ("undeclared-object-access", "Opportunity: read") in found
    assert ("undeclared-object-access", "Account: delete") in found
    assert ("undeclared-field-access", "Lead.Email: read") in found
    assert found[("undeclared-object-access", "Opportunity: read")].evidence == ("permission set Extra",)
    # Contact fields are covered by the declared View All Fields
    assert not any(i.startswith("Contact.") for _, i in found)


def test_evidence_names_the_group_and_the_set(catalog):
    snap = (
        OrgBuilder()
        .permission_set("Danger", perms=["AuthorApex"])
        .group("Ops_Group", sets=["Danger"])
        .user("bot@acme.com", profile="Integration Sync Profile")
        .assign("bot@acme.com", "Ops_Group")
        .build()
    )
    result = audit(snap, catalog)
    (user,) = result.users
    assert user.reasons == (Reason.INTEGRATION_PROFILE,)
    apex = next(f for f in user.findings if f.item == "AuthorApex")
    assert apex.rule_id == "critical-permission"
    assert apex.evidence == ("permission set group Ops_Group (via permission set Danger)",)
    assert any(f.rule_id == "no-manifest" for f in user.findings)
    authors = next(o for o in result.org_wide if o.permission == "AuthorApex")
    assert [(h.username, h.integration) for h in authors.holders] == [("bot@acme.com", True)]


def test_tokens_on_inactive_frozen_and_stale_users(catalog):
    snap = (
        OrgBuilder()
        .user("gone@acme.com", active=False)
        .user("cold@acme.com", frozen=True)
        .user("old@acme.com")
        .user("fresh@acme.com")
        .build()
    )
    snap = _with_tokens(
        snap,
        _token(snap, "gone@acme.com", "Zap"),
        _token(snap, "cold@acme.com", "Zap"),
        _token(snap, "old@acme.com", "Legacy", created_days=400, used_days=120),
        _token(snap, "fresh@acme.com", "Zap", used_days=89),
    )
    result = audit(snap, catalog)
    by_user = {u.user.username: {f.rule_id for f in u.findings} for u in result.users}
    assert "inactive-user-with-tokens" in by_user["gone@acme.com"]
    assert "frozen-user-with-tokens" in by_user["cold@acme.com"]
    assert "stale-token" in by_user["old@acme.com"]
    assert "stale-token" not in by_user["fresh@acme.com"]
    assert by_user["fresh@acme.com"].isdisjoint({"inactive-user-with-tokens", "frozen-user-with-tokens"})


def test_human_with_integration_set_and_no_expiry(catalog, upflow):
    builder = _clean_upflow(OrgBuilder()).user("alice@acme.com").user("bob@acme.com")
    snap = (
        builder.assign("alice@acme.com", "Upflow_Permissions")
        .assign("bob@acme.com", "Upflow_Permissions", expires=NOW + timedelta(days=2))
        .build()
    )
    result = audit(snap, catalog, AuditOptions(named=((upflow, "upflow@acme.com"),)))
    assert [(f.rule_id, f.subject, f.item) for f in result.human_findings] == [
        ("integration-set-on-human", "alice@acme.com", "Upflow_Permissions")
    ]
    assert set(integration_only_sets(snap, [upflow]).values()) == {"Upflow_Permissions"}


def test_password_never_expires_leaves_only_the_ui_login_finding(catalog):
    snap = (
        OrgBuilder()
        .profile("Connector Profile", perms=["ApiEnabled", "PasswordNeverExpires"])
        .user("conn@acme.com", profile="Connector Profile")
        .build()
    )
    (user,) = audit(snap, catalog).users
    rules = {f.rule_id for f in user.findings}
    assert "not-api-only" in rules and "expiring-password" not in rules


def test_declared_access_includes_every_any_alternative(catalog):
    manifest = load_manifest(ROOT / "examples" / "ticketing.yaml").manifest
    declared = declared_access(manifest, catalog)
    # build picks Manage Connected Apps; Modify All Data is the other alternative the manifest allows
    assert {"CustomizeApplication", "ManageRemoteAccess", "ModifyAllData"} <= declared.permissions


def test_json_shape(catalog, upflow):
    snap = _clean_upflow(OrgBuilder()).build()
    data = audit_report(audit(snap, catalog, AuditOptions(named=((upflow, "upflow@acme.com"),)))).dump()
    assert data["summary"]["integrationUsers"] == 1
    assert set(data["summary"]["bySeverity"]) == {"critical", "high", "medium", "low", "info"}
    user = data["users"][0]
    assert user["username"] == "upflow@acme.com" and user["integration"] == "Upflow"
    assert [c["permission"] for c in user["matrix"]] == data["matrixPermissions"]
    assert {"rule", "severity", "title", "evidence", "remediation", "source"} <= set(user["findings"][0])
    assert [o["permission"] for o in data["orgWide"]] == [
        "ModifyAllData",
        "ViewAllData",
        "AuthorApex",
        "ManageUsers",
    ]


def test_the_fast_json_dump_of_holders_equals_pydantics(catalog):
    from leastforce.render.json.audit import AuditOutput, UserRightsOutput, audit_output, audit_report

    snap = (
        OrgBuilder()
        .profile("System Administrator", perms=["ModifyAllData", "ViewAllData", "ApiEnabled", "ViewSetup"])
        .user("admin@acme.com", profile="System Administrator", license="Salesforce")
        .user("root@acme.com", profile="System Administrator", license="Salesforce", active=False)
        .user("alice@acme.com", profile="Standard User")
        .build()
    )
    result = audit(snap, catalog)
    fast = audit_output(result, api_calls=3, html=None).dump()
    assert fast["holders"]  # the admins hold critical rights
    # the slow, validated way: every holder a UserRightsOutput, the whole result through pydantic
    holders = tuple(UserRightsOutput.model_validate(h) for h in fast["holders"])
    slow = AuditOutput(**dict(audit_report(result)), api_calls=3, html=None, holders=holders)
    standard = slow.model_dump(mode="json", by_alias=True)
    assert fast == standard and list(fast) == list(standard)  # same values, same key order
    assert all(list(h) == list(standard["holders"][0]) for h in fast["holders"])
    admin, root = fast["holders"]  # username order; users holding nothing are not listed
    assert (admin["username"], admin["active"], root["active"]) == ("admin@acme.com", True, False)
    assert [r["right"] for r in admin["rights"]][:2] == ["ModifyAllData", "ViewAllData"]  # critical first
    assert admin["rights"][0] == {
        "right": "ModifyAllData",
        "tier": "critical",
        "paths": ["profile System Administrator"],
    }


def test_holders_json_is_the_csv_rows_grouped_by_user(catalog):
    """`--json` groups the holders per user; `--format csv` has one row per (user, right): the same pairs,
    hostile names escaped, secrets redacted in both."""
    import csv
    import io

    import orjson

    from leastforce.render.csv import audit_csv
    from leastforce.render.json import json_text, success_envelope
    from leastforce.render.json.audit import audit_output
    from leastforce.values import secrets

    odd = 'q"uo\\te\u202e\nx@acme.com'
    snap = (
        OrgBuilder()
        .profile("System Administrator", perms=["ModifyAllData", "ViewAllData", "ApiEnabled", "ViewSetup"])
        .profile("Sync s3cr3t-token-value", perms=["ApiEnabled", "ApiUserOnly", "ViewAllData"])
        .user("admin@acme.com", profile="System Administrator", license="Salesforce")
        .user(odd, profile="System Administrator", license="Salesforce", active=False)
        .user("sync@acme.com", profile="Sync s3cr3t-token-value", license="Salesforce Integration")
        .user("alice@acme.com", profile="Standard User")
        .build()
    )
    result = audit(snap, catalog)
    secrets.forget_all()
    secrets.register("s3cr3t-token-value")
    try:
        text = json_text(success_envelope(audit_output(result, api_calls=3, html=None)))
        rows = list(csv.DictReader(io.StringIO(secrets.redact(audit_csv(result)))))  # as the command does
    finally:
        secrets.forget_all()
    holders = orjson.loads(text)["result"]["holders"]
    assert [h["username"] for h in holders] == sorted((h["username"] for h in holders), key=str.casefold)
    assert {h["username"] for h in holders} == {odd, "admin@acme.com", "sync@acme.com"}
    pairs = {(h["username"], r["right"], " | ".join(r["paths"])) for h in holders for r in h["rights"]}
    plain = {(r["username"], r["right"], r["path"]) for r in rows if "@acme.com" in r["username"][-9:]}
    assert {p for p in pairs if p[0] != odd} == plain - {
        p for p in plain if "x@acme.com" in p[0] and "uo" in p[0]
    }
    assert sum(1 for p in pairs if p[0] == odd) == sum(1 for r in rows if "uo" in r["username"]) > 0
    assert "s3cr3t" not in text and any("[REDACTED]" in r["path"] for r in rows)
