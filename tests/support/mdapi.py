"""A hand-built Metadata API SOAP client for tests: envelopes as jsforce writes them, answers parsed with lxml.

Independent of the emulator's code, so the tests check the wire, not the implementation."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

import requests
from lxml import etree

MD = "http://soap.sforce.com/2006/04/metadata"
PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
{types}    <version>64.0</version>
</Package>
"""
FOLDERS = {
    "PermissionSet": ("permissionsets", "permissionset"),
    "Profile": ("profiles", "profile"),
    "PermissionSetGroup": ("permissionsetgroups", "permissionsetgroup"),
    "MutingPermissionSet": ("mutingpermissionsets", "mutingpermissionset"),
}


def make_zip(components: dict[tuple[str, str], str], *, root: str = "") -> bytes:
    """A deploy zip: package.xml naming each (type, name) and its file, under `root` (e.g. 'unpackaged/')."""
    types = "".join(
        f"    <types>\n        <members>{name}</members>\n        <name>{kind}</name>\n    </types>\n"
        for kind, name in components
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(root + "package.xml", PACKAGE.format(types=types))
        for (kind, name), body in components.items():
            folder, suffix = FOLDERS[kind]
            archive.writestr(f"{root}{folder}/{name}.{suffix}", body)
    return out.getvalue()


def doc(kind: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{kind} xmlns="{MD}">\n{body}</{kind}>\n'


class MetadataClient:
    def __init__(self, https: requests.Session, instance_url: str, token: str, version: str = "64.0") -> None:
        self.https, self.url, self.token = https, f"{instance_url}/services/Soap/m/{version}", token

    def call(self, operation: str, args: str) -> tuple[int, etree._Element]:
        envelope = (
            '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
            'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<soapenv:Header xmlns="{MD}"><SessionHeader><sessionId>{self.token}</sessionId></SessionHeader>'
            f'</soapenv:Header><soapenv:Body xmlns="{MD}"><{operation}>{args}</{operation}></soapenv:Body>'
            "</soapenv:Envelope>"
        )
        answer = self.https.post(
            self.url,
            data=envelope.encode(),
            headers={"Content-Type": "text/xml", "SOAPAction": '""'},
            timeout=30,
        )
        assert answer.headers["Content-Type"].startswith("text/xml"), answer.text
        return answer.status_code, etree.fromstring(answer.content)

    def result(self, operation: str, args: str) -> etree._Element:
        status, root = self.call(operation, args)
        assert status == 200, etree.tostring(root)
        found = root.find(f".//{{{MD}}}{operation}Response/{{{MD}}}result")
        assert found is not None, etree.tostring(root)
        return found

    def deploy(self, data: bytes, **options: Any) -> etree._Element:
        opts = "".join(f"<{k}>{str(v).lower()}</{k}>" for k, v in {"singlePackage": True, **options}.items())
        started = self.result(
            "deploy",
            f"<ZipFile>{base64.b64encode(data).decode()}</ZipFile><DeployOptions>{opts}</DeployOptions>",
        )
        assert text(started, "done") == "false" and text(started, "state") == "Queued"
        return self.result(
            "checkDeployStatus",
            f"<asyncProcessId>{text(started, 'id')}</asyncProcessId><includeDetails>true</includeDetails>",
        )

    def retrieve(self, members: dict[str, list[str]]) -> tuple[etree._Element, dict[str, bytes]]:
        types = "".join(
            f"<types>{''.join(f'<members>{m}</members>' for m in names)}<name>{kind}</name></types>"
            for kind, names in members.items()
        )
        started = self.result(
            "retrieve",
            f"<request><apiVersion>64.0</apiVersion><singlePackage>true</singlePackage>"
            f"<unpackaged>{types}<version>64.0</version></unpackaged></request>",
        )
        result = self.result("checkRetrieveStatus", f"<asyncProcessId>{text(started, 'id')}</asyncProcessId>")
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(text(result, "zipFile"))))
        return result, {name: archive.read(name) for name in archive.namelist()}


def text(el: etree._Element, name: str) -> str:
    found = el.find(f"{{{MD}}}{name}")
    return (found.text or "") if found is not None else ""


def messages(result: etree._Element, kind: str) -> list[dict[str, str]]:
    """componentSuccesses / componentFailures as dicts of their child texts."""
    return [
        {etree.QName(c).localname: c.text or "" for c in el}
        for el in result.findall(f"{{{MD}}}details/{{{MD}}}{kind}")
    ]
