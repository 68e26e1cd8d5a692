"""Installed packages as values: what a manifest declares (``packages:``), what an org has installed, and the
namespace rules that tie an API name to a package.

The same values reach the emulator (``leastforce emulator serve --install``), which must not import the
manifest layer: they are plain frozen data.

Namespaced API names (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_custom_objects.htm
"Custom objects ... namespacePrefix__ObjectName__c"): an object or field ``ns__Name__c`` has three parts,
``Name__c`` two (the suffix: c, r, e, mdt, x, b, share, history ...); an Apex class, Visualforce page or
custom permission from a package is written ``ns__Name`` (ApexClass.NamespacePrefix + Name, as
org/read/for_plan.py matches them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leastforce.errors import Position

_NOWHERE = Position("<manifest>")
VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True)
class PackageObject:
    """An object the package adds (``ns__Obj__c``), or a standard object it adds fields to (``Account``)."""

    name: str
    fields: tuple[str, ...] = ()  # field API names without the object, e.g. ns__Score__c
    external_ids: tuple[str, ...] = ()  # those of ``fields`` marked External ID (upsert keys)


@dataclass(frozen=True)
class PackagePermissionSetDef:
    """A permission set the package ships: its API name (without the namespace) and its label."""

    name: str
    label: str


@dataclass(frozen=True)
class PackageSpec:
    """A managed package the integration needs installed (``packages:``)."""

    name: str
    namespace: str
    min_version: tuple[int, int, int]
    install_url: str = ""
    objects: tuple[PackageObject, ...] = ()
    permission_sets: tuple[PackagePermissionSetDef, ...] = ()
    permission_set_licenses: tuple[str, ...] = ()
    apex_classes: tuple[str, ...] = ()
    apex_pages: tuple[str, ...] = ()
    custom_permissions: tuple[str, ...] = ()
    connected_app: str = ""
    external_client_app: str = ""
    why: str = ""
    position: Position = field(default=_NOWHERE, compare=False)

    @property
    def version_text(self) -> str:
        return version_text(self.min_version)

    def provides_set(self, name: str) -> bool:
        """Whether ``name`` (a package_permission_set: label, API name or ``ns__Name``) is one of its sets."""
        return any(name in (p.label, p.name, f"{self.namespace}__{p.name}") for p in self.permission_sets)


@dataclass(frozen=True)
class InstalledPackage:
    """An InstalledSubscriberPackage row: the package's namespace, name and installed version.
    https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_installedsubscriberpackage.htm"""

    namespace: str
    name: str
    version: tuple[int, int, int]


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``major.minor[.patch]`` as three ints, or None when the text is not that."""
    match = VERSION.match(text.strip())
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3] or 0)


def version_text(version: tuple[int, int, int]) -> str:
    major, minor, patch = version
    return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"


# Suffixes of custom object and field API names (Object Reference, "Custom Objects"; __pc/__pr person
# account fields): a two-part name ending with one of them has no namespace.
_SUFFIXES = frozenset(
    {"c", "r", "e", "x", "b", "mdt", "kav", "ka", "share", "history", "feed", "tag", "pc", "pr", "chn", "dlm"}
)


def namespace_of(name: str, *, suffixed: bool = True) -> str:
    """The namespace prefix of an API name, or "". ``suffixed``: an object or field name (``ns__Obj__c``);
    else an Apex class, page or custom permission (``ns__Name``)."""
    parts = name.split("__")
    if len(parts) == 3 and all(parts):
        return parts[0]
    if len(parts) == 2 and all(parts) and not (suffixed and parts[1].lower() in _SUFFIXES):
        return parts[0]
    return ""


def missing_packages(
    wanted: tuple[PackageSpec, ...], installed: tuple[InstalledPackage, ...]
) -> tuple[tuple[PackageSpec, InstalledPackage | None], ...]:
    """The declared packages the org lacks, or has below their minimum version (with what it has)."""
    by_ns = {p.namespace.lower(): p for p in installed}
    out = []
    for spec in wanted:
        have = by_ns.get(spec.namespace.lower())
        if have is None or have.version < spec.min_version:
            out.append((spec, have))
    return tuple(out)
