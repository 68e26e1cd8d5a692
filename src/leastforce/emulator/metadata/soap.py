"""SOAP at the wire for the Metadata API: read a call's envelope, write a response envelope or a fault.

The envelope shapes are the ones jsforce (used by the Salesforce CLI) sends and parses: the call element
and its arguments in the metadata namespace inside `soapenv:Body`, the session in
`soapenv:Header/SessionHeader/sessionId`; the answer `<soapenv:Envelope><soapenv:Body><{call}Response>
<result>…`, faults as `<soapenv:Fault><faultcode>sf:CODE</faultcode><faultstring>…` with HTTP 500
(jsforce src/soap.ts `isSessionExpired` and `parseError`, https://github.com/jsforce/jsforce).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from leastforce.emulator.metadata.xml import ParseProblem, local, safe_parse

MD_NS = "http://soap.sforce.com/2006/04/metadata"
_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CONTENT_TYPE = "text/xml;charset=UTF-8"


@dataclass(frozen=True)
class SoapCall:
    """One call: its name (`deploy`), the session from the SessionHeader and the call element."""

    operation: str
    session_id: str
    element: etree._Element

    def arg(self, name: str) -> str:
        """The text of a direct child argument (`asyncProcessId`), '' when absent."""
        for child in self.element:
            if local(child) == name:
                return (child.text or "").strip()
        return ""

    def args(self, name: str) -> list[etree._Element]:
        return [child for child in self.element if local(child) == name]


class SoapFault(Exception):
    """A fault to answer: `sf:<code>` and its faultstring."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def parse_call(body: bytes) -> SoapCall:
    """The call in a SOAP request body; SoapFault for anything that is not a SOAP envelope."""
    try:
        root = safe_parse(body, "request")
    except ParseProblem as exc:
        raise SoapFault("INVALID_XML", f"Error parsing request: {exc.problem}") from None  # UNVERIFIED
    parts = {local(child): child for child in root}
    body_el = parts.get("Body")
    if local(root) != "Envelope" or body_el is None or len(body_el) == 0:
        raise SoapFault("INVALID_XML", "Unable to find a SOAP Body in the request")  # UNVERIFIED
    session = ""
    header = parts.get("Header")
    if header is not None:
        for el in header.iter():
            if isinstance(el.tag, str) and local(el) == "sessionId":
                session = (el.text or "").strip()
    call = body_el[0]
    return SoapCall(local(call), session, call)


def response(operation: str, result: Any) -> bytes:
    """The envelope answering `operation` with `result` (a mapping, a list of mappings, or a scalar)."""
    inner = to_xml("result", result)
    return _envelope(f"<{operation}Response>{inner}</{operation}Response>", default_ns=True)


def fault(code: str, message: str) -> bytes:
    """A SOAP fault as Salesforce writes it (faultcode `sf:CODE`, faultstring `CODE: message`)."""
    text = escape(f"{code}: {message}")
    return _envelope(
        f"<soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{text}</faultstring>"
        f'<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{escape(message)}"
        f"</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault>"
    )


def _envelope(body: str, *, default_ns: bool = False) -> bytes:
    """The SOAP envelope; a fault's faultcode/faultstring/detail stay unqualified, so no default namespace."""
    default = f' xmlns="{MD_NS}"' if default_ns else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENV_NS}"{default} xmlns:sf="{MD_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def to_xml(name: str, value: Any) -> str:
    """`value` as elements named `name`: lists repeat the element, None is xsi:nil, bools are true/false."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return "".join(to_xml(name, item) for item in value)
    if value is None:
        return f'<{name} xsi:nil="true"/>'
    if isinstance(value, Mapping):
        inner = "".join(to_xml(str(k), v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, bool):
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"
