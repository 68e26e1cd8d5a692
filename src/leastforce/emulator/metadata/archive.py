"""The deploy zip: a package.xml manifest and one file per component in its type's folder.

"Every .zip file contains a project manifest, a file named package.xml, and a set of directories that
contain the components" (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/file_based_zip_file.htm);
the manifest may sit at the root (singlePackage) or in one top folder (`unpackaged/package.xml`).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from leastforce.emulator.metadata.xml import ParseProblem, children, local, safe_parse, text

MAX_FILES = 10_000  # "You can deploy or retrieve up to 10,000 files at once" (same page)


@dataclass(frozen=True)
class Member:
    """One component named in package.xml and where its file should be."""

    type_name: str
    full_name: str


@dataclass(frozen=True)
class DeployZip:
    """The decoded zip: its manifest's members, the files by path, and the folder package.xml sits in."""

    members: tuple[Member, ...]
    files: dict[str, bytes]
    root: str
    version: str


class ZipProblem(Exception):
    """A zip that can't be deployed at all (the whole deploy fails with this message)."""


def read_zip(data: bytes) -> DeployZip:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ZipProblem("The zip file is not valid") from None  # UNVERIFIED wording
    names = [n for n in archive.namelist() if not n.endswith("/")]
    if len(names) > MAX_FILES:
        raise ZipProblem(f"Too many files in the zip: {len(names)} (limit {MAX_FILES})")  # UNVERIFIED
    manifests = sorted((n for n in names if n.rsplit("/", 1)[-1] == "package.xml"), key=len)
    if not manifests or manifests[0].count("/") > 1:
        raise ZipProblem("No package.xml found")  # as SDR and Workbench report it (UNVERIFIED)
    manifest = manifests[0]
    root = manifest[: -len("package.xml")]
    files = {n[len(root) :]: archive.read(n) for n in names if n.startswith(root)}
    members, version = _manifest(files["package.xml"])
    return DeployZip(members, files, root, version)


def _manifest(data: bytes) -> tuple[tuple[Member, ...], str]:
    try:
        doc = safe_parse(data, "package.xml")
    except ParseProblem as exc:
        raise ZipProblem(f"package.xml: {exc.problem}") from None
    if local(doc) != "Package":
        raise ZipProblem("package.xml: the root element must be Package")  # UNVERIFIED
    members = tuple(
        Member(text(types, "name"), (m.text or "").strip())
        for types in children(doc, "types")
        for m in children(types, "members")
    )
    return members, text(doc, "version")


def write_zip(files: dict[str, bytes]) -> bytes:
    """A zip of `files` (path -> bytes), as retrieve() returns it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return out.getvalue()


def package_xml(members: dict[str, list[str]], version: str) -> bytes:
    """A package.xml listing `members` (type -> names), types sorted as Salesforce writes them."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n'
    ]
    for type_name in sorted(members):
        parts.append("    <types>\n")
        parts.extend(f"        <members>{_esc(n)}</members>\n" for n in sorted(members[type_name]))
        parts.append(f"        <name>{type_name}</name>\n    </types>\n")
    parts.append(f"    <version>{version}</version>\n</Package>\n")
    return "".join(parts).encode("utf-8")


def _esc(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
