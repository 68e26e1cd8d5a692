"""Org-wide holders (muting, expiry), escalation paths and the MFA rule, on snapshots built in memory."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import timedelta

from leastforce.access.index import AccessIndex
from leastforce.catalog import load_catalog
from leastforce.checks.audit.escalation import EscalationGraph, escalation_report
from leastforce.checks.audit.holders import right_holders
from leastforce.checks.audit.run import audit
from leastforce.render.csv import audit_csv, safe_cell
from leastforce.values.model import OAuthToken, OrgSnapshot
from support.factories import NOW, OrgBuilder

STANDARD = "Standard User"


def done_means_org() -> OrgSnapshot:
    """A muted Export Reports, an expired Modify All Data, an integration user with Assign Permission Sets."""
    snap = (
        OrgBuilder()
        .profile(STANDARD, perms=["ApiEnabled"])
        .permission_set("Reports_Export", perms=["ExportReport", "RunReports"])
        .permission_set("Admin_Powers", perms=["ModifyAllData", "ViewAllData"])
        .permission_set("Delegated_Assign", perms=["AssignPermissionSets", "ViewSetup"])
        .permission_set(
            "Account_All", objects={"Account": "read,edit,delete,view_all_records,modify_all_records"}
        )
        .group("Reporting", sets=["Reports_Export", "Account_All"], muting={"perms": ["ExportReport"]})
        .user("muted@x.com", profile=STANDARD)
        .assign("muted@x.com", "Reporting")
        .user("expired@x.com", profile=STANDARD)
        .assign("expired@x.com", "Admin_Powers", expires=NOW - timedelta(days=1))
        .user("int@x.com", profile=STANDARD)
        .assign("int@x.com", "Delegated_Assign")
        .user("gone@x.com", profile=STANDARD, active=False)
        .assign("gone@x.com", "Admin_Powers")
        .build()
    )
    token = OAuthToken(snap.user_by_username("int@x.com").id, "Vendor App")  # type: ignore[union-attr]
    return dataclasses.replace(snap, oauth_tokens=(token,))


def holders_of(result, right: str) -> dict[str, tuple[bool, tuple[str, ...]]]:
    return {h.username: (h.active, h.paths) for h in right_holders(result.holders) if h.right == right}


def test_muted_and_expired_grants_make_no_holder() -> None:
    result = audit(done_means_org(), load_catalog())
    assert "muted@x.com" not in holders_of(result, "ExportReport")
    assert set(holders_of(result, "ModifyAllData")) == {"gone@x.com"}  # expired@ is not a holder
    # the same group's other component still grants, with the path through the group
    assert holders_of(result, "Account.ModifyAllRecords")["muted@x.com"] == (
        True,
        ("permission set Account_All via group Reporting",),
    )
    assert holders_of(result, "ModifyAllData")["gone@x.com"][0] is False  # inactive, listed apart


def test_a_right_held_several_ways_lists_each_path_once_in_tier_order() -> None:
    """A user's rights are the union of its sources': a right two sources grant lists both paths (in
    source order, once each), and the merged list stays ordered by tier, then right."""
    snap = (
        OrgBuilder()
        .profile(STANDARD, perms=["ApiEnabled", "ExportReport"])
        .permission_set("Admin_Powers", perms=["ModifyAllData", "ExportReport"])
        .permission_set("Viewer", perms=["ViewAllData"], objects={"Case": "read,view_all_records"})
        .group("Ops", sets=["Admin_Powers"])
        .user("many@x.com", profile=STANDARD)
        .assign("many@x.com", "Viewer")
        .assign("many@x.com", "Viewer")  # a repeated row (a snapshot from a half-finished apply) adds no path
        .assign("many@x.com", "Admin_Powers", expires=NOW + timedelta(days=3))
        .assign("many@x.com", "Ops")
        .user("one@x.com", profile=STANDARD)
        .assign("one@x.com", "Admin_Powers")
        .build()
    )
    result = audit(snap, load_catalog())
    many = next(u for u in result.holders if u.username == "many@x.com")
    expiring = f"permission set Admin_Powers (expires {(NOW + timedelta(days=3)).date().isoformat()})"
    assert {r.right: r.paths for r in many.rights}["ExportReport"] == (
        f"profile {STANDARD}",
        expiring,
        "permission set Admin_Powers via group Ops",
    )
    assert {r.right: r.paths for r in many.rights}["ModifyAllData"] == (
        expiring,
        "permission set Admin_Powers via group Ops",
    )
    assert {r.right: r.paths for r in many.rights}["ViewAllData"] == ("permission set Viewer",)
    ranks = [(-r.tier.rank, r.right) for r in many.rights]
    assert ranks == sorted(ranks) and {"ViewAllData", "Case.ViewAllRecords"} <= {r.right for r in many.rights}
    one = next(u for u in result.holders if u.username == "one@x.com")
    assert {r.right: r.paths for r in one.rights}["ExportReport"] == (
        f"profile {STANDARD}",
        "permission set Admin_Powers",
    )


def test_tier_rollup_counts_active_and_inactive_apart() -> None:
    result = audit(done_means_org(), load_catalog())
    critical = next(t for t in result.tier_rollup if t.tier.value == "critical")
    assert (critical.active_users, critical.inactive_users) == (1, 1)  # int@ (Assign) / gone@ (MAD)


def test_integration_user_gets_its_path_to_admin_through_assign_permission_sets() -> None:
    result = audit(done_means_org(), load_catalog())
    user = next(u for u in result.users if u.user.username == "int@x.com")
    found = next(f for f in user.findings if f.rule_id == "escalation-path")
    assert found.item == "ModifyAllData"
    assert user.escalation is not None
    assert [s.edge for s in user.escalation.steps] == ["assign-permission-set"]
    assert "assign permission set Admin_Powers to itself" in found.evidence[0]


def test_no_path_without_an_escalating_permission() -> None:
    snap = done_means_org()
    graph = EscalationGraph(AccessIndex.build(snap, load_catalog()), NOW)
    assert graph.shortest(snap.user_by_username("muted@x.com")) is None  # type: ignore[arg-type]


def test_license_gate_blocks_the_assignment() -> None:
    """A set whose user license is not the user's cannot be assigned (PermissionSetAssignment)."""
    snap = (
        OrgBuilder()
        .profile(STANDARD, perms=["ApiEnabled"])
        .permission_set("Admin_Powers", perms=["ModifyAllData"], license="Salesforce Platform")
        .permission_set("Delegated_Assign", perms=["AssignPermissionSets"])
        .user("int@x.com", profile=STANDARD)
        .assign("int@x.com", "Delegated_Assign")
        .build()
    )
    graph = EscalationGraph(AccessIndex.build(snap, load_catalog()), NOW)
    assert graph.shortest(snap.user_by_username("int@x.com")) is None  # type: ignore[arg-type]


def test_explain_lists_every_path_with_two_step_ones() -> None:
    snap = (
        OrgBuilder()
        .profile(STANDARD, perms=["ApiEnabled"])
        .permission_set("Admin_Powers", perms=["ModifyAllData"])
        .permission_set("Set_Editor", perms=["ManageProfilesPermissionsets"])
        .permission_set("Delegated_Assign", perms=["AssignPermissionSets"])
        .user("int@x.com", profile=STANDARD)
        .assign("int@x.com", "Delegated_Assign")
        .build()
    )
    graph = EscalationGraph(AccessIndex.build(snap, load_catalog()), NOW)
    report = escalation_report(graph, snap.user_by_username("int@x.com"))  # type: ignore[arg-type]
    edges = [[s.edge for s in p.steps] for p in report.paths]
    assert ["assign-permission-set"] in edges
    assert ["assign-permission-set", "edit-held-set"] in edges  # Set_Editor, then edit a held set
    assert len(report.paths[0].steps) == 1  # shortest first


def test_mfa_rule_blocks_a_privileged_user_that_can_log_in_to_the_ui() -> None:
    snap = (
        OrgBuilder()
        .profile(STANDARD, perms=["ApiEnabled"])
        .permission_set("Vendor_Perms", perms=["ViewAllData"])
        .user("int@x.com", profile=STANDARD)
        .assign("int@x.com", "Vendor_Perms")
        .build()
    )
    named = ()
    from leastforce.checks.audit.run import AuditOptions
    from support.factories import make_manifest

    named = ((make_manifest(), "int@x.com"),)
    result = audit(snap, load_catalog(), AuditOptions(named=named))
    found = next(f for u in result.users for f in u.findings if f.rule_id == "mfa-blocked")
    assert found.item == "ViewAllData"
    # Without login history the evidence says so, never that it logs in with a password.
    assert "no OAuth token on record; no login history read (not in this snapshot)" in found.evidence
    assert any("Integration license" in e for e in found.evidence)


def test_csv_rows_and_injection_safety() -> None:
    result = audit(done_means_org(), load_catalog())
    rows = list(csv.reader(io.StringIO(audit_csv(result))))
    assert rows[0] == ["username", "right", "tier", "active", "path"]
    assert ["gone@x.com", "ModifyAllData", "critical", "false", "permission set Admin_Powers"] in rows
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("-1+2") == "'-1+2" and safe_cell("@x") == "'@x" and safe_cell("ok") == "ok"


def test_catalog_tiers_at_least_thirty_risky_permissions() -> None:
    tiers = {"critical", "high", "medium"}
    risky = [p for p in load_catalog().permissions.values() if p.risk and p.risk.value in tiers]
    assert len(risky) >= 30


def test_author_apex_alone_gets_its_path_through_the_modify_metadata_it_implies() -> None:
    """Salesforce enables Modify Metadata with Author Apex (the catalog's verified dependency), and Modify
    Metadata deploys Apex given Author Apex: a user holding Author Apex alone can deploy system-mode code."""
    snap = (
        OrgBuilder()
        .profile(STANDARD, perms=["ApiEnabled"])
        .permission_set("Apex_Dev", perms=["AuthorApex"])
        .user("int@x.com", profile=STANDARD)
        .assign("int@x.com", "Apex_Dev")
        .build()
    )
    graph = EscalationGraph(AccessIndex.build(snap, load_catalog()), NOW)
    path = graph.shortest(snap.user_by_username("int@x.com"))  # type: ignore[arg-type]
    assert path is not None and [s.edge for s in path.steps] == ["deploy-system-code"]
