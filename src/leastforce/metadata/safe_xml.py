"""Parse untrusted XML safely: no DTD, no entity expansion, no network.

Its own module so that both xmlio (reading metadata files) and wsdl (validating generated XML) use it
without importing each other. The entity-expansion attacks it refuses are described at
https://owasp.org/www-community/vulnerabilities/XML_External_Entity_(XXE)_Processing
"""

from __future__ import annotations

import re

from lxml import etree

from leastforce.errors import MetadataError, Position

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def safe_parse_tree(data: bytes | str, *, filename: str) -> etree._Element:
    """Parse XML with no DTD, no entity expansion and no network; MetadataError on anything else."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    match = _DOCTYPE.search(raw)
    if match:
        line = raw.count(b"\n", 0, match.start()) + 1
        raise MetadataError(
            "DOCTYPE and ENTITY declarations are not allowed in metadata XML", Position(filename, line)
        )
    if isinstance(data, str):
        # lxml refuses str input that carries an encoding declaration; the text is UTF-8 once encoded.
        raw = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", raw, count=1)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise MetadataError(f"malformed XML: {exc.msg}", Position(filename, line, column)) from None
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise MetadataError("DOCTYPE is not allowed in metadata XML", Position(filename, 1))
    return root
