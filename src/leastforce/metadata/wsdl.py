"""The Metadata API WSDL: element order of metadata types, and validation against its XML schema.

The WSDL is the one simple-salesforce ships (``simple_salesforce/metadata.wsdl``, API 63.0). Each metadata
type is an ``xsd:complexType`` whose ``xsd:sequence`` fixes the order of its elements; a type extending
``tns:Metadata`` first carries the inherited ``fullName``. Everything here is read lazily and cached.
See https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm
and https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_profile.htm
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast

from lxml import etree

METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
_XSD = "http://www.w3.org/2001/XMLSchema"
_Q = {"xsd": _XSD}

# The WSDL makes MutingPermissionSet extend PermissionSet with a *second* required <label>, which no
# real file has (Salesforce writes one <label>, in PermissionSet's place): muting sets use PermissionSet's.
# https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_mutingpermissionset.htm
_CONTENT_MODEL_ALIASES = {"MutingPermissionSet": "PermissionSet"}


@dataclass(frozen=True)
class Sequence:
    """The ordered elements of one complex type: ``(element name, type name)`` pairs."""

    type_name: str
    elements: tuple[tuple[str, str], ...]

    def child_type(self, tag: str) -> str | None:
        """The type of element ``tag`` (without the ``tns:`` prefix), or None when unknown."""
        return next((t for n, t in self.elements if n == tag), None)

    def rank(self, tag: str) -> float:
        """Sort key of ``tag`` in this sequence.

        Elements the WSDL does not know (newer or retired, e.g. ``agentAccesses``, ``userLicense`` on old
        permission sets) go where alphabetical order puts them, since these sequences are alphabetical.
        """
        names = [n for n, _ in self.elements]
        if tag in names:
            return float(names.index(tag))
        body = names[1:] if names and names[0] == "fullName" else names
        offset = len(names) - len(body)
        return offset + bisect.bisect_left(sorted(body), tag) - 0.5


@functools.cache
def _wsdl_tree() -> etree._ElementTree:
    source = resources.files("simple_salesforce").joinpath("metadata.wsdl").read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
    return etree.ElementTree(etree.fromstring(source, parser))


def _schema_element() -> etree._Element:
    found = _wsdl_tree().find(".//xsd:schema", _Q)
    if found is None:  # pragma: no cover - the shipped WSDL always has one
        raise RuntimeError("no xsd:schema in simple_salesforce/metadata.wsdl")
    return found


@functools.cache
def _complex_types() -> dict[str, etree._Element]:
    return {ct.get("name", ""): ct for ct in _schema_element().findall("xsd:complexType", _Q)}


@functools.cache
def sequence_for(type_name: str) -> Sequence | None:
    """The element sequence of complex type ``type_name`` (base types first), or None if unknown."""
    type_name = _CONTENT_MODEL_ALIASES.get(type_name, type_name)
    node = _complex_types().get(type_name)
    if node is None:
        return None
    elements: list[tuple[str, str]] = []
    extension = node.find("xsd:complexContent/xsd:extension", _Q)
    if extension is not None:
        base = sequence_for(_local(extension.get("base", "")))
        elements.extend(base.elements if base else ())
        node = extension
    for el in node.findall("xsd:sequence/xsd:element", _Q):
        elements.append((el.get("name", ""), _local(el.get("type", ""))))
    return Sequence(type_name, tuple(elements))


def _local(qname: str) -> str:
    return qname.split(":", 1)[-1]


@functools.cache
def _schema() -> etree.XMLSchema:
    """The WSDL's schema plus global elements for the metadata types leastforce writes."""
    schema = etree.fromstring(etree.tostring(_schema_element()))
    for name in ("PermissionSet", "Profile", "PermissionSetGroup", "MutingPermissionSet", "Package"):
        el = etree.SubElement(schema, f"{{{_XSD}}}element")
        el.set("name", name)
        el.set("type", f"tns:{_CONTENT_MODEL_ALIASES.get(name, name)}")
    # The extracted schema refers to tns: and xsd: prefixes declared on the WSDL root; keep them in scope.
    wrapper = etree.Element(
        f"{{{_XSD}}}schema",
        nsmap={"xsd": _XSD, "tns": METADATA_NS},
        attrib={"elementFormDefault": "qualified", "targetNamespace": METADATA_NS},
    )
    wrapper.extend(list(schema))
    return etree.XMLSchema(wrapper)


def validate_against_wsdl(xml_text: str, type_name: str) -> list[str]:
    """Problems of ``xml_text`` as a ``type_name`` document under the Metadata API WSDL; [] when valid.

    Each message names the line and the element, without namespace noise, e.g.
    ``line 5: element 'label': This element is not expected. Expected is ( license ).``
    """
    from leastforce.errors import MetadataError
    from leastforce.metadata.safe_xml import safe_parse_tree

    try:
        root = safe_parse_tree(xml_text, filename="<xml>")
    except MetadataError as exc:
        return [str(exc)]
    problems: list[str] = []
    qname = etree.QName(root)
    if qname.localname != type_name:
        problems.append(
            f"line {root.sourceline}: root element is {qname.localname!r}, expected {type_name!r}"
        )
    if qname.namespace != METADATA_NS:
        problems.append(f"line {root.sourceline}: root element must declare xmlns={METADATA_NS!r}")
    if problems:
        return problems
    schema = _schema()
    if schema.validate(root):
        return []
    return [f"line {e.line}: {_tidy(e.message)}" for e in cast(Iterable[Any], schema.error_log)]


def _tidy(message: str) -> str:
    message = message.replace(f"{{{METADATA_NS}}}", "")
    return re.sub(r"^Element '([^']*)'", r"element '\1'", message)
