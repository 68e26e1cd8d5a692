"""The audit's text and HTML renderers: exact text for a small org, escaping and structure of the page."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from leastforce.catalog import load_catalog
from leastforce.checks.audit.run import audit
from leastforce.render.html.audit import chart_bars, headline, render_html
from leastforce.render.text.audit import render
from support.factories import OrgBuilder

EXPECTED = """\
Audit of https://example.my.salesforce.com: 1 integration user(s), 5 finding(s)
  critical 2  high 1  medium 1  low 0  info 1
  Worst: critical

bot@acme.com  (no manifest; profile Integration Sync)
  why listed: profile named for an integration
  [critical] Holds a critical permission the integration does not declare: AuthorApex
      - permission set group Ops_Group (via permission set Danger)
      fix: Remove the permission from the profile or permission set named in the evidence (Setup > Permission Sets or Profiles > System Permissions), or declare it in the manifest with its reason if the integration truly needs it.
  [critical] Integration user can make itself a System Administrator (escalation path): CustomizeApplication
      - 1. deploy Apex or metadata that runs in system mode and grants it any permission (https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_classes_perms_enforcing.htm)
      fix: Remove the permission the first step relies on (Assign Permission Sets, Manage Profiles and Permission Sets, Manage Users / Manage Internal Users, Modify Metadata, Manage Connected Apps ...) from the profile or permission set that grants it; a leaked token of this user can follow the steps in the evidence. `leastforce explain --escalation --user U` lists every path. Steps marked UNVERIFIED follow our reading of documentation that leaves the rule open.
  [high] Privileged integration user that can log in to the UI falls under phishing-resistant MFA (2026): AuthorApex
      - AuthorApex: permission set group Ops_Group (via permission set Danger)
      - no OAuth token on record; no login history read (not in this snapshot)
      - way out: the Salesforce Integration license and API Only User where the vendor allows it
      fix: Salesforce enforces phishing-resistant MFA (security keys, built-in authenticators) on UI and SSO logins of users with the System Administrator profile, Modify All Data, View All Data, Customize Application or Author Apex (sandboxes from 2026-06-22, production from 2026-07-01). Remove those permissions if the integration does not need them; otherwise make the user API only (the Salesforce Integration license with the Minimum Access - API Only Integrations profile, or API Only User) where the vendor allows it, and connect with an OAuth flow (JWT bearer or client credentials) instead of a password.
  [medium] Integration user can log in to the UI and its password expires: PasswordNeverExpires
      - API Only User is not granted
      - Password Never Expires is not granted
      fix: Make the user API only (API Only User on its profile, or the Salesforce Integration license), or give its profile Password Never Expires, so the integration does not stop when the password ages out.

Risky rights org-wide (every holder and path: --format csv)
  critical: 1 right(s) held by 1 active, 0 inactive user(s)
  high: 0 right(s) held by 0 active, 0 inactive user(s)
  medium: 0 right(s) held by 0 active, 0 inactive user(s)
    [critical] Author Apex (AuthorApex): 1 active, 0 inactive

Who holds the org's most powerful permissions
  Modify All Data (ModifyAllData): 0 user(s)
  View All Data (ViewAllData): 0 user(s)
  Author Apex (AuthorApex): 1 user(s)
    bot@acme.com [integration]: permission set group Ops_Group (via permission set Danger)
  Manage Users (ManageUsers): 0 user(s)
"""


def _snapshot(label: str = "Danger"):
    snap = (
        OrgBuilder()
        .permission_set("Danger", perms=["AuthorApex"])
        .group("Ops_Group", sets=["Danger"])
        .user("bot@acme.com", profile="Integration Sync")
        .assign("bot@acme.com", "Ops_Group")
        .assign("bot@acme.com", "Danger")
        .build()
    )
    sets = {
        k: (v.with_changes(label=label) if v.name == "Danger" else v) for k, v in snap.permission_sets.items()
    }
    return replace(snap, permission_sets=sets)


def test_text_exact():
    snap = (
        OrgBuilder()
        .permission_set("Danger", perms=["AuthorApex"])
        .group("Ops_Group", sets=["Danger"])
        .user("bot@acme.com", profile="Integration Sync")
        .assign("bot@acme.com", "Ops_Group")
        .build()
    )
    assert render(audit(snap, load_catalog())) == EXPECTED


def test_html_escapes_org_data_and_embeds_json_safely():
    evil = '</script><script>alert("x")</script>'
    page = render_html(audit(_snapshot(evil), load_catalog()))
    assert evil not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert page.count("<script") == 2  # the JSON block and the page's own script
    block = re.search(r'<script type="application/json" id="audit-data">(.*?)</script>', page, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["users"][0]["assigned"][1]["label"] == evil
    # no remote assets: nothing loaded from elsewhere (links to sources are plain <a> links)
    assert "<link" not in page and not re.search(r"<(img|script|iframe|object)[^>]*\ssrc=", page)
    assert "url(" not in page


def test_html_sections_and_chart():
    result = audit(_snapshot(), load_catalog())
    page = render_html(result)
    for needle in (
        "Integration users",
        "Excess access per integration",
        "Critical permissions by user",
        "Findings by integration user",
        "Who holds the org",
        "@media print",
        "<svg",
    ):
        assert needle in page
    (bar,) = chart_bars(result.users)
    assert bar.label == "bot@acme.com" and bar.value == 1 and bar.severity == "critical"
    assert headline(result).startswith("1 of 1 integration user(s) hold critical")
