"""Untrusted XML in the emulator: the safe lxml settings of leastforce/metadata/safe_xml.py (no DTD, no
entities, no network), replicated here because the emulator may not import the metadata layer.
https://owasp.org/www-community/vulnerabilities/XML_External_Entity_(XXE)_Processing
"""

from __future__ import annotations

import re

from lxml import etree

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class ParseProblem(Exception):
    """XML that could not be read: the problem text and where (1-based line and column, 0 if unknown)."""

    def __init__(self, problem: str, line: int = 0, column: int = 0) -> None:
        super().__init__(problem)
        self.problem, self.line, self.column = problem, line, column


def safe_parse(data: bytes, name: str) -> etree._Element:
    """The root element of `data`; ParseProblem for malformed XML or any DTD/entity declaration."""
    match = _DOCTYPE.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise ParseProblem(f"DOCTYPE is not allowed in {name}", line, 1)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise ParseProblem(str(exc.msg), line, column) from None


def local(el: etree._Element) -> str:
    """An element's name without its namespace."""
    return etree.QName(el).localname


def text(el: etree._Element, name: str) -> str:
    """The stripped text of the first child called `name`, '' when absent."""
    for child in el:
        if isinstance(child.tag, str) and local(child) == name:
            return (child.text or "").strip()
    return ""


def children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and local(c) == name]


def flag(el: etree._Element, name: str) -> bool:
    return text(el, name).lower() == "true"


def line_of(el: etree._Element) -> int:
    """The element's 1-based line in its file (0 when lxml does not know)."""
    value = el.sourceline
    return value if isinstance(value, int) else 0
