"""retrieve(), listMetadata() and describeMetadata() for the supported types.

RetrieveResult: zipFile (base64), fileProperties (one per file, package.xml included), messages for
members that don't exist ("Entity of type 'X' named 'Y' cannot be found", the wording clients report,
UNVERIFIED by a Salesforce page); `singlePackage` puts package.xml at the zip's root, else under
`unpackaged/`.
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_retrieveresult.htm
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_listmetadata.htm
"""

from __future__ import annotations

import base64
from typing import Any

from leastforce.emulator.metadata.archive import package_xml, write_zip
from leastforce.emulator.metadata.jobs import now
from leastforce.emulator.metadata.types import TYPES, MetadataType
from leastforce.emulator.store.db import Row
from leastforce.emulator.store.txn import Txn


def run_retrieve(
    txn: Txn, wanted: dict[str, list[str]], *, single: bool, version: str, job_id: str, user: dict[str, str]
) -> dict[str, Any]:
    """Retrieve `wanted` (type -> member names, `*` for all)."""
    prefix = "" if single else "unpackaged/"
    files: dict[str, bytes] = {}
    props: list[dict[str, Any]] = []
    messages: list[dict[str, str]] = []
    listed: dict[str, list[str]] = {}
    for type_name, names in wanted.items():
        kind = TYPES.get(type_name)
        if kind is None:
            messages.append(
                {
                    "fileName": "package.xml",
                    "problem": f"Unsupported metadata type in the local org: {type_name}",
                }
            )
            continue
        rows = dict(kind.rows(txn))
        for name in sorted(rows) if "*" in names else names:
            row = rows.get(name)
            if row is None:
                messages.append(
                    {
                        "fileName": prefix + "package.xml",
                        "problem": f"Entity of type '{type_name}' named '{name}' cannot be found",
                    }
                )
                continue
            path = prefix + kind.path(name)
            files[path] = kind.render(txn, row)
            listed.setdefault(type_name, []).append(name)
            props.append(file_properties(kind, name, row, user, file_name=path))
    files[prefix + "package.xml"] = package_xml(listed, version)
    props.append(_package_properties(prefix + "package.xml", user))
    return {
        "done": True, "fileProperties": props, "id": job_id, "messages": messages,
        "status": "Succeeded", "success": True,
        "zipFile": base64.b64encode(write_zip(files)).decode("ascii"),
    }  # fmt: skip


def file_properties(
    kind: MetadataType, name: str, row: Row, user: dict[str, str], *, file_name: str
) -> dict[str, Any]:
    """FileProperties of one component (meta_listmetadata.htm)."""
    return {
        "createdById": row.get("CreatedById") or user["id"], "createdByName": user["name"],
        "createdDate": row.get("CreatedDate") or now(), "fileName": file_name, "fullName": name,
        "id": row["Id"], "lastModifiedById": row.get("LastModifiedById") or user["id"],
        "lastModifiedByName": user["name"], "lastModifiedDate": row.get("LastModifiedDate") or now(),
        "manageableState": "installed" if row.get("NamespacePrefix") else "unmanaged",
        "namespacePrefix": row.get("NamespacePrefix") or None, "type": kind.name,
    }  # fmt: skip


def _package_properties(file_name: str, user: dict[str, str]) -> dict[str, Any]:
    return {
        "createdById": user["id"], "createdByName": user["name"], "createdDate": now(), "fileName": file_name,
        "fullName": file_name, "id": "", "lastModifiedById": user["id"], "lastModifiedByName": user["name"],
        "lastModifiedDate": now(), "manageableState": "unmanaged", "type": "Package",
    }  # fmt: skip


def list_metadata(txn: Txn, types: list[str], user: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for type_name in types:
        kind = TYPES.get(type_name)
        if kind is None:
            continue  # an unknown type lists nothing (UNVERIFIED)
        for name, row in kind.rows(txn):
            out.append(file_properties(kind, name, row, user, file_name=kind.path(name)))
    return out


def describe_metadata() -> dict[str, Any]:
    """DescribeMetadataResult for the supported types (meta_describe.htm)."""
    objects = [
        {
            "childXmlNames": [],
            "directoryName": t.directory,
            "inFolder": False,
            "metaFile": False,
            "suffix": t.suffix,
            "xmlName": t.name,
        }
        for t in TYPES.values()
    ]
    return {
        "metadataObjects": objects,
        "organizationNamespace": "",
        "partialSaveAllowed": True,
        "testRequired": False,
    }
