"""The HTML observe report in headless Chromium: no console errors, org data stays text, the rights
table sorts and the verdict tiles filter. Skipped cleanly without chromium and chromium-driver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leastforce.render.html.observe import render_html
from support.browser import MISSING, chromium
from support.observe import observe_sample
from support.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts"
EVIL = "<script>alert(1)</script>"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(MISSING, reason="needs chromium and chromium-driver"),
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    yield from chromium(tmp_path / "chromium-profile")


def test_observe_report_renders_sorts_and_filters(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    page = tmp_path / "observe.html"
    page.write_text(render_html(observe_sample(label=EVIL), ("removed Contact read",)), encoding="utf-8")
    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-ready") == "1"
    assert [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")] == []
    assert EVIL in browser.find_element(By.TAG_NAME, "body").text
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 2
    assert "3 API call(s)" in browser.find_element(By.ID, "headline").text
    table = browser.find_element(By.ID, "rights-table")
    header = table.find_elements(By.TAG_NAME, "th")[1]

    def objects() -> list[str]:
        return [
            r.find_elements(By.TAG_NAME, "td")[1].text
            for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")
        ]

    header.click()
    ascending = objects()
    header.click()
    assert objects() == list(reversed(ascending)) and ascending == sorted(ascending, key=str.lower)
    tile = browser.find_element(By.CSS_SELECTOR, ".tile[data-verdict='unused']")
    tile.click()
    rows = browser.find_elements(By.CSS_SELECTOR, "tr[data-verdict='unused']")
    assert rows and all(not r.is_displayed() for r in rows)
    tile.click()
    assert all(r.is_displayed() for r in rows)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "observe-report.png"))
    assert (ARTIFACTS / "observe-report.png").stat().st_size > 10_000
