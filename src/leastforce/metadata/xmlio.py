"""Lossless, safe reading and Salesforce-exact writing of metadata XML files.

A file is read into a generic tree (:class:`MetadataDocument` of :class:`Element`), so every element
survives a round trip, including ones leastforce does not interpret. Writing follows what Salesforce tools
write: ``<?xml version="1.0" encoding="UTF-8"?>``, the root with ``xmlns``, 4-space indentation, one element
per line, the five XML entities escaped, a trailing newline, and elements in the order of the Metadata API
WSDL ``xsd:sequence`` (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from leastforce.errors import MetadataError, Position
from leastforce.metadata.safe_xml import safe_parse_tree
from leastforce.metadata.wsdl import METADATA_NS, sequence_for

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
INDENT = "    "


@dataclass(frozen=True)
class Element:
    """One element: a leaf with ``text`` (``children`` empty) or a container with ``children``."""

    tag: str
    text: str = ""
    children: tuple[Element, ...] = ()

    def child_text(self, tag: str, default: str = "") -> str:
        """The text of the first child named ``tag``."""
        return next((c.text for c in self.children if c.tag == tag), default)

    def flag(self, tag: str) -> bool:
        """A boolean child, read leniently ("true", "True", "1")."""
        return self.child_text(tag).strip().lower() in ("true", "1")


@dataclass(frozen=True)
class MetadataDocument:
    """A metadata file: root element name (``PermissionSet``, ``Profile`` ...) and its children in file order.

    ``namespace`` is the root's xmlns; "" for files without one (the decomposed permission-set fragments
    that source-deploy-retrieve writes, e.g. ``objectSettings/Account.objectSettings-meta.xml``).
    """

    root: str
    children: tuple[Element, ...] = ()
    namespace: str = field(default=METADATA_NS)

    def find_all(self, tag: str) -> Iterator[Element]:
        """Top-level elements named ``tag``, in order."""
        return (c for c in self.children if c.tag == tag)

    def text(self, tag: str, default: str = "") -> str:
        """The text of the first top-level element named ``tag``."""
        return next((c.text for c in self.children if c.tag == tag), default)

    def in_wsdl_order(self) -> MetadataDocument:
        """The same document with elements (and nested elements) in Metadata API WSDL order.

        The sort is stable: elements of one group keep their relative order.
        """
        return MetadataDocument(self.root, _ordered(self.children, self.root), self.namespace)


def _ordered(children: tuple[Element, ...], type_name: str | None) -> tuple[Element, ...]:
    seq = sequence_for(type_name) if type_name else None
    items = sorted(children, key=lambda c: seq.rank(c.tag)) if seq else list(children)
    out = []
    for child in items:
        if child.children:
            child_type = seq.child_type(child.tag) if seq else None
            child = Element(child.tag, child.text, _ordered(child.children, child_type))
        out.append(child)
    return tuple(out)


def parse_metadata(data: bytes | str, *, filename: str) -> MetadataDocument:
    """Read a metadata file (SFDX ``*-meta.xml`` or Metadata API format) into a lossless tree.

    Lenient like Salesforce tools: any boolean spelling is kept as written, Prettier's ``<description\\n>``
    breaks, a space before ``?>``, comments (dropped) and CRLF line ends are accepted.
    Raises MetadataError with the file and line for malformed or unsafe XML.
    """
    root = safe_parse_tree(data, filename=filename)
    qname = etree.QName(root)
    return MetadataDocument(qname.localname, _children(root, filename), qname.namespace or "")


def _children(node: etree._Element, filename: str) -> tuple[Element, ...]:
    out = []
    for child in node:
        if not isinstance(child.tag, str):  # an unexpanded entity reference or similar
            raise MetadataError("entity references are not allowed", Position(filename, _line(child)))
        tag = etree.QName(child).localname
        if len(child):
            if (child.text or "").strip() or any((c.tail or "").strip() for c in child):
                raise MetadataError(f"<{tag}> mixes text and elements", Position(filename, _line(child)))
            out.append(Element(tag, "", _children(child, filename)))
        else:
            # XML normalises CRLF to LF on read, so text compares equal whatever the line ends were.
            out.append(Element(tag, child.text or ""))
    return tuple(out)


def _line(node: object) -> int:
    return int(getattr(node, "sourceline", 0) or 0)


def write_metadata(doc: MetadataDocument) -> str:
    """The file text Salesforce tools would write for ``doc``, elements in Metadata API WSDL order."""
    ordered = doc.in_wsdl_order()
    xmlns = f' xmlns="{ordered.namespace}"' if ordered.namespace else ""
    lines = [f"<{doc.root}{xmlns}>"]
    for child in ordered.children:
        _write(child, 1, lines)
    lines.append(f"</{doc.root}>")
    return DECLARATION + "\n".join(lines) + "\n"


def _write(el: Element, depth: int, lines: list[str]) -> None:
    pad = INDENT * depth
    if el.children:
        lines.append(f"{pad}<{el.tag}>")
        for child in el.children:
            _write(child, depth + 1, lines)
        lines.append(f"{pad}</{el.tag}>")
    else:
        lines.append(f"{pad}<{el.tag}>{escape(el.text)}</{el.tag}>")


def escape(text: str) -> str:
    """Escape text as the Metadata API does: ``& < > " '`` as entities (``&apos;`` as in retrieved files).

    A carriage return is written as ``&#13;`` so that it survives (a parser turns a raw CR LF into LF).
    """
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
        .replace("\r", "&#13;")
    )
