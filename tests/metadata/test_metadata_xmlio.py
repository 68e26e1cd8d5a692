"""Parsing and writing metadata XML: every corpus file round-trips; leniency; safety."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leastforce.errors import MetadataError
from leastforce.metadata import Element, MetadataDocument, parse_metadata, write_metadata
from support.paths import SHARED, needs

CORPUS = SHARED / "corpus"


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and "rest" not in p.relative_to(CORPUS).parts and p.name != "SOURCES.md"
    )


FILES = _corpus_files()
needs_corpus = needs(CORPUS, "corpus")


def _id(p: Path) -> str:
    return str(p.relative_to(CORPUS))


@needs_corpus
def test_corpus_has_every_kind_of_file() -> None:
    roots = {parse_metadata(p.read_bytes(), filename=str(p)).root for p in FILES}
    assert {"PermissionSet", "Profile", "PermissionSetGroup"} <= roots
    assert any(p.suffix == ".profile" for p in FILES)
    assert any("objectSettings" in p.name for p in FILES)


@needs_corpus
@pytest.mark.parametrize("path", FILES or [CORPUS], ids=_id)  # [CORPUS]: missing, so needs() reports it
def test_corpus_file_round_trips(path: Path) -> None:
    doc = parse_metadata(path.read_bytes(), filename=str(path))
    text = write_metadata(doc)
    again = parse_metadata(text, filename="written")
    # Writing puts elements in WSDL order; apart from that, nothing is lost or changed.
    assert again == doc.in_wsdl_order()
    assert write_metadata(again) == text
    if doc == doc.in_wsdl_order():
        assert again == doc


def _normalised(raw: str) -> str:
    """The quirks of hand-edited files that Salesforce tools don't write (and we don't keep)."""
    raw = raw.replace("\r\n", "\n").replace('encoding="UTF-8" ?>', 'encoding="UTF-8"?>')
    raw = re.sub(r"\n\s*>", ">", raw)  # Prettier's <description\n    >
    raw = re.sub(r"[ \t]+\n", "\n", raw)
    return raw.rstrip("\n") + "\n"


@needs_corpus
@pytest.mark.parametrize("path", FILES or [CORPUS], ids=_id)  # [CORPUS]: missing, so needs() reports it
def test_canonical_corpus_file_is_written_byte_for_byte(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    doc = parse_metadata(raw, filename=str(path))
    if doc != doc.in_wsdl_order() or "\t" in raw or "\n\n" in raw.rstrip("\n"):
        pytest.skip("hand-ordered or hand-indented file")
    assert write_metadata(doc) == _normalised(raw)


def test_write_exact_format_and_escaping() -> None:
    doc = MetadataDocument(
        "PermissionSet",
        (
            Element("label", "Ops"),
            Element("description", 'Bob\'s "tool" & <x>'),
            Element("userPermissions", children=(Element("name", "ApiEnabled"), Element("enabled", "true"))),
        ),
    )
    assert write_metadata(doc) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <description>Bob&apos;s &quot;tool&quot; &amp; &lt;x&gt;</description>\n"
        "    <label>Ops</label>\n"
        "    <userPermissions>\n"
        "        <enabled>true</enabled>\n"
        "        <name>ApiEnabled</name>\n"
        "    </userPermissions>\n"
        "</PermissionSet>\n"
    )


def test_unknown_elements_keep_alphabetical_place_and_fragment_has_no_xmlns() -> None:
    doc = MetadataDocument(
        "PermissionSet",
        (Element("userPermissions", children=(Element("name", "X"),)), Element("agentAccesses", "a")),
        namespace="",
    )
    text = write_metadata(doc)
    assert "<PermissionSet>\n    <agentAccesses>a</agentAccesses>\n    <userPermissions>" in text
    assert parse_metadata(text, filename="f").namespace == ""


LENIENT = (
    '<?xml version="1.0" encoding="UTF-8" ?>\r\n'
    '<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">\r\n'
    "    <!-- a comment -->\r\n"
    "    <description\r\n    >Line one\r\nline two</description>\r\n"
    "    <label>L</label>\r\n"
    "    <userPermissions><enabled>True</enabled><name>ApiEnabled</name></userPermissions>\r\n"
    "</PermissionSet>\r\n"
)


def test_parse_is_lenient() -> None:
    doc = parse_metadata(LENIENT.encode(), filename="l.permissionset-meta.xml")
    assert [c.tag for c in doc.children] == ["description", "label", "userPermissions"]
    assert doc.text("description") == "Line one\nline two"
    perm = next(doc.find_all("userPermissions"))
    assert perm.child_text("enabled") == "True"  # kept as written
    assert perm.flag("enabled")
    assert parse_metadata(LENIENT, filename="str input") == doc


def test_carriage_return_in_text_survives() -> None:
    doc = MetadataDocument("PermissionSet", (Element("label", "a\rb"),))
    assert parse_metadata(write_metadata(doc), filename="x") == doc


def test_malformed_xml_reports_file_and_line() -> None:
    text = '<?xml version="1.0"?>\n<PermissionSet>\n    <label>x</lable>\n</PermissionSet>\n'
    with pytest.raises(MetadataError) as info:
        parse_metadata(text, filename="bad.permissionset-meta.xml")
    assert info.value.position is not None
    assert info.value.position.file == "bad.permissionset-meta.xml"
    assert info.value.position.line == 3
    assert "bad.permissionset-meta.xml:3" in str(info.value)


XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    "<PermissionSet><label>&x;</label></PermissionSet>"
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    "<PermissionSet><label>&lol3;</label></PermissionSet>"
)


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtd_and_entities_are_rejected(text: str) -> None:
    with pytest.raises(MetadataError, match="DOCTYPE") as info:
        parse_metadata(text.encode(), filename="evil.xml")
    assert info.value.position is not None
    assert info.value.position.line == 2


def test_undeclared_entity_is_an_error_not_an_expansion() -> None:
    with pytest.raises(MetadataError):
        parse_metadata("<PermissionSet><label>&x;</label></PermissionSet>", filename="e.xml")


def test_mixed_content_is_rejected() -> None:
    with pytest.raises(MetadataError, match="mixes text"):
        parse_metadata("<PermissionSet><a>t<b>u</b></a></PermissionSet>", filename="m.xml")
