"""The HTML audit report in headless Chromium: no console errors, org data stays text, tables sort.

Needs Debian's chromium and chromium-driver (.ci/run installs them); skipped cleanly without them.
A screenshot is saved under test-artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from leastforce.catalog import load_catalog
from leastforce.checks.audit.drift import drift
from leastforce.checks.audit.run import AuditOptions, audit
from leastforce.manifest import load_manifest
from leastforce.render.html.audit import render_html
from leastforce.values.model import OAuthToken
from support.factories import NOW, OrgBuilder
from support.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts"
EVIL = "<script>alert(1)</script>"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs chromium and chromium-driver"),
]


def _report(tmp_path: Path) -> Path:
    manifest = load_manifest(ROOT / "examples" / "upflow.yaml").manifest
    builder = (
        OrgBuilder()
        .profile("Upflow API Profile", perms=["ApiEnabled", "ApiUserOnly"], license="Salesforce Integration")
        .profile("System Administrator", perms=["ModifyAllData", "ViewAllData", "ManageUsers", "ViewSetup"])
        .permission_set(
            "Upflow_Permissions", perms=["ApiEnabled"], objects={"Account": "read,view_all_records"}
        )
        .permission_set("Danger", perms=["AuthorApex", "CustomizeApplication"], objects={"Lead": "read,edit"})
        .group("Ops_Group", sets=["Danger"])
        .user("upflow@acme.com", profile="Upflow API Profile")
        .user("legacy-etl@acme.com", profile="System Administrator")
        .user("ops-bot@acme.com", profile="Integration Sync")
        .user("admin@acme.com", profile="System Administrator")
        .assign("upflow@acme.com", "Upflow_Permissions")
        .assign("upflow@acme.com", "Danger")
        .assign("ops-bot@acme.com", "Ops_Group")
    )
    before = builder.build()
    snap = builder.permission_set("Later", perms=["ViewSetup"]).assign("upflow@acme.com", "Later").build()
    sets = {
        k: (v.with_changes(label=EVIL) if v.name == "Danger" else v) for k, v in snap.permission_sets.items()
    }
    legacy = snap.user_by_username("legacy-etl@acme.com")
    assert legacy is not None
    token = OAuthToken(
        legacy.id, "Old ETL", created=NOW - timedelta(days=300), last_used=NOW - timedelta(days=120)
    )
    snap = replace(snap, permission_sets=sets, oauth_tokens=(token,))
    result = audit(snap, load_catalog(), AuditOptions(named=((manifest, "upflow@acme.com"),)))
    changes = drift(before, snap, load_catalog(), [u.user.username for u in result.users])
    result = replace(result, drift=changes, since=before.taken_at)
    page = tmp_path / "audit.html"
    page.write_text(render_html(result), encoding="utf-8")
    return page


@pytest.fixture
def browser(tmp_path: Path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1280,2000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_report_renders_without_console_errors_and_keeps_org_data_as_text(browser, tmp_path):
    from selenium.webdriver.common.by import By

    page = _report(tmp_path)
    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-ready") == "1"  # the script ran
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    # the hostile label is shown as text, and no script element came from org data
    assert EVIL in browser.find_element(By.TAG_NAME, "body").text
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 2
    assert "hold critical or high-risk access" in browser.find_element(By.ID, "headline").text
    # sorting the users table by user name, twice, reverses the order
    table = browser.find_element(By.ID, "users-table")
    header = table.find_elements(By.TAG_NAME, "th")[0]

    def names() -> list[str]:
        return [
            r.find_elements(By.TAG_NAME, "td")[0].text
            for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")
        ]

    header.click()
    ascending = names()
    header.click()
    assert names() == list(reversed(ascending)) and ascending == sorted(ascending)
    # severity tiles hide and show finding rows
    tile = browser.find_element(By.CSS_SELECTOR, ".tile[data-severity='critical']")
    tile.click()
    rows = browser.find_elements(By.CSS_SELECTOR, "tr[data-severity='critical']")
    assert rows and all(not r.is_displayed() for r in rows)
    tile.click()
    header.click()
    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(ARTIFACTS / "audit-report.png"))
    assert (ARTIFACTS / "audit-report.png").stat().st_size > 10_000
