"""observe --html: the page holds every right with its verdict, the evidence and its limits; org text
stays text."""

from __future__ import annotations

from leastforce.checks.observe.report import LIMITS
from leastforce.render.html.observe import render_html
from support.observe import observe_sample

EVIL = "<script>alert(1)</script>"


def test_page_lists_rights_by_verdict_with_evidence_and_limits() -> None:
    page = render_html(observe_sample(), ("removed Contact read from sync",))
    assert '<tr data-verdict="used">' in page and "<td>Account</td>" in page
    assert '<tr data-verdict="unused">' in page and "<td>Contact</td>" in page
    assert '<tr data-verdict="denied">' in page and "1 (HTTP 400)" in page
    assert "removed Contact read from sync" in page
    assert all(note.split(":")[0].replace("'", "&#39;") in page for note in LIMITS)
    assert "3 API call(s) in 1 day(s)" in page


def test_org_text_is_escaped_and_the_page_has_only_its_own_scripts() -> None:
    page = render_html(observe_sample(label=EVIL + "\u202e"))
    assert EVIL not in page
    assert page.count("<script") == 2
    assert "&lt;U+202E&gt;" in page
