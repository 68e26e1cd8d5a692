"""Markup from a manifest never executes in `leastforce guide --format html`: every string is text, no
``<script>``, no event-handler attribute, no ``javascript:`` link (a fix in render/guide.py: only http(s)
URLs become links). Markdown output escapes raw HTML and never autolinks another scheme.

The audit report's escaping is tested by its owner in tests/test_audit_html_browser.py (headless Chromium).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html
from markdown_it import MarkdownIt

from leastforce.cli import main

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</code></pre><iframe src=javascript:alert(1)>",
    "{{ 7*7 }} {% raw %}",
    "[click](javascript:alert(1)) <javascript:alert(1)>",
    "&lt;b&gt; &amp; &#x3c;script&#x3e;",
]  # bidi and control characters never reach the guide: the manifest refuses them (test_hostile_output.py)
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "main",
    "section",
    "footer",
    "nav",
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "a",
    "strong",
    "em",
    "span",
    "div",
    "details",
    "summary",
    "small",
    "br",
    "hr",
    "caption",
    "kbd",
    "aside",
    "article",
    "b",
    "i",
    "sup",
    "abbr",
    "label",
    "input",
    "h5",
    "h6",
    "blockquote",
}


def manifest_text(payload: str, docs: str = "javascript:alert(document.cookie)") -> str:
    q = json.dumps  # a JSON string is a YAML double-quoted scalar
    return (
        f"manifest: 1\nintegration: {q('Acme ' + payload)}\nsummary: {q(payload)}\ndocs: {q(docs)}\n"
        "user: {license: Salesforce}\n"
        f"permission_sets:\n  - {{name: Acme_Sync, label: {q('L ' + payload[:60])}, description: {q(payload)}}}\n"
        f"features:\n  sync:\n    summary: {q(payload)}\n    requires:\n"
        f"      - {{permission: ApiEnabled, why: {q(payload)}}}\n"
        f"      - {{object: Account, access: [read], why: {q(payload)}}}\n"
        f"troubleshooting:\n  - {{error: {q('E ' + payload)}, cause: {q(payload)}, fix: {q(payload)}}}\n"
    )


def render(path: Path, *extra: str) -> str:
    out = path.with_suffix(".out")
    with pytest.raises(SystemExit) as done:
        main(["guide", str(path), "-o", str(out), *extra])
    assert done.value.code == 0
    return out.read_text()


def assert_inert(page: str, payload: str) -> None:
    tree = html.document_fromstring(page)
    tags = {el.tag for el in tree.iter() if isinstance(el.tag, str)}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert not [a for a in el.attrib if str(a).lower().startswith("on")], html.tostring(el)[:200]
        href = str(el.get("href") or "")
        assert href == "" or href.startswith(("#", "http://", "https://")), href
        assert "javascript:" not in str(el.get("src") or "")
    text = " ".join("".join(str(t) for t in tree.itertext()).split())
    assert " ".join(payload.split()) in text, "the payload is shown as text"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_guide_html_shows_markup_as_text(payload: str, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(manifest_text(payload))
    page = render(path, "--format", "html")
    assert_inert(page, payload)
    assert "javascript:alert(document.cookie)" in page  # shown, as code
    assert 'href="javascript' not in page


@pytest.mark.parametrize("payload", PAYLOADS)
def test_guide_markdown_escapes_raw_html_and_links_only_the_web(payload: str, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(manifest_text(payload))
    text = render(path)
    # as a CommonMark viewer with raw HTML on and no link filter of its own would show it
    viewer = MarkdownIt("commonmark", {"html": True})
    viewer.validateLink = lambda url: True  # type: ignore[method-assign]
    page = viewer.render(text)
    assert_inert(f"<html><body>{page}</body></html>", payload)


def test_http_docs_still_link(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(manifest_text("plain", docs="https://example.com/setup?a=1&b=<2>"))
    page = render(path, "--format", "html")
    links = [a.get("href") for a in html.document_fromstring(page).iter("a")]
    assert "https://example.com/setup?a=1&b=<2>" in links
    assert "<https://example.com/setup?a=1&b=%3C2%3E>" in render(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["<", ">", "&", '"', "'", "<script>", "</p>", " onload=", "`", "*", "_"]),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
        ),
        min_size=1,
        max_size=8,
    )
    .map("".join)
    .filter(lambda s: s.strip() != "")
)
def test_any_manifest_text_stays_text_in_html(tmp_path: Path, payload: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(manifest_text(payload))
    with pytest.raises(SystemExit) as done:
        main(["guide", str(path), "--format", "html", "-o", str(tmp_path / "g.html")])
    if done.value.code == 2:  # a string the manifest schema refuses (e.g. too long): refused, fine
        return
    assert done.value.code == 0
    assert_inert((tmp_path / "g.html").read_text(), payload)
