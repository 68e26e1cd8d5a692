"""Builds the Catalog from the package's data files (catalog/data/*.json, *.yaml).

Generated files (tools/gen_catalog.py): permissions.json, objects.json, system_administrator.json.
Hand-curated files, each fact with a source id: sources, permissions, risk, dependencies, objects,
licenses, profiles (.yaml).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from leastforce.catalog.catalog import Catalog
from leastforce.catalog.fields import NoFieldSecurity, field_security_exemption
from leastforce.catalog.types import (
    Dependency,
    License,
    LicenseKind,
    NoObjectPermissions,
    ObjectField,
    PermissionType,
    Risk,
    Source,
    StandardObject,
    StandardProfile,
    UserPermission,
)
from leastforce.values.model import ObjectRight, frozen_map

_DATA = "leastforce.catalog.data"


class CatalogDataError(ValueError):
    """A data file of the catalog is inconsistent (a packaging bug, caught by the tests)."""


def _read(name: str) -> Any:
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    from ruamel.yaml import YAML  # imported lazily: nothing heavy at import time

    return YAML(typ="safe", pure=True).load(text)


@cache
def load_catalog() -> Catalog:
    """The bundled catalog (loaded once, then cached)."""
    sources = {
        key: Source(key, str(v["title"]), str(v.get("url") or "")) for key, v in _read("sources.yaml").items()
    }
    permissions = _permissions(_read("permissions.json"), _read("permissions.yaml"), _read("risk.yaml"))
    objects_yaml = _read("objects.yaml")
    objects = _objects(_read("objects.json"), objects_yaml)
    named, suffixes = _without_permissions(objects_yaml.get("no_object_permissions") or {})
    catalog = Catalog(
        permissions=frozen_map(dict(sorted(permissions.items()))),
        dependencies=_dependencies(_read("dependencies.yaml")),
        objects=frozen_map(dict(sorted(objects.items()))),
        licenses=frozen_map(_licenses(_read("licenses.yaml"))),
        profiles=frozen_map(_profiles(_read("profiles.yaml"), objects)),
        sources=frozen_map(sources),
        objects_without_permissions=frozen_map(named),
        suffixes_without_permissions=suffixes,
    )
    _check_sources(catalog)
    return catalog


def _permissions(generated: Mapping[str, Any], curated: Mapping[str, Any], risk: Mapping[str, Any]) -> dict:
    base_source = str(generated["source"])
    found: dict[str, dict[str, Any]] = {}
    for row in generated["permissions"]:
        found[row["name"]] = {"name": row["name"], "label": row["label"], "sources": [base_source]}
    for name, extra in (curated.get("extra") or {}).items():
        if name in found:
            raise CatalogDataError(f"permissions.yaml: {name} is already in the v64.0 describe")
        found[name] = {
            "name": name,
            "label": str(extra["label"]),
            "since_api": str(extra["since_api"]) if extra.get("since_api") else None,
            "sources": list(extra["sources"]),
            "baseline": False,
            "verified": not (extra.get("unverified") or extra.get("unverified_label")),
        }
    for name, shown in (curated.get("setup_labels") or {}).items():
        entry = _entry(found, name, "permissions.yaml setup_labels")
        entry.update(describe_label=entry["label"], label=str(shown["label"]))
        entry["sources"].extend(shown["sources"])
    _sections(found, curated.get("sections") or [])
    for name, tier in (risk.get("permissions") or {}).items():
        entry = _entry(found, name, "risk.yaml")
        entry.update(risk=Risk(tier["risk"]), risk_reason=str(tier["reason"]))
        entry["sources"].append("leastforce-risk")
    return {
        name: UserPermission(**{**entry, "sources": tuple(dict.fromkeys(entry["sources"]))})
        for name, entry in found.items()
    }


def _sections(found: dict[str, dict[str, Any]], groups: Iterable[Mapping[str, Any]]) -> None:
    """permissions.yaml ``sections``: a sourced placement wins over an UNVERIFIED one, whatever the order."""
    for group in groups:
        verified = not group.get("unverified")
        for name in group["permissions"]:
            entry = _entry(found, name, "permissions.yaml sections")
            if entry.get("section") and entry.get("section_verified", True) and not verified:
                continue  # a page already places it
            if entry.get("section") and not entry.get("section_verified", True) and verified:
                entry["subsection"] = ""  # the sourced placement replaces the UNVERIFIED one entirely
            entry["section"] = group["section"]
            # A source naming only the section must not blank a sub-section another source gives.
            entry["subsection"] = group["subsection"] or entry.get("subsection", "")
            entry["section_verified"] = verified
            entry["sources"].append(group["source"])


def _entry(found: dict[str, dict[str, Any]], name: str, where: str) -> dict[str, Any]:
    if name not in found:
        raise CatalogDataError(f"{where}: unknown user permission {name}")
    return found[name]


def _dependencies(data: Mapping[str, Any]) -> tuple[Dependency, ...]:
    rows: list[Dependency] = []
    for kind, req_type in (("user", PermissionType.USER), ("object", PermissionType.OBJECT)):
        for group in data.get(kind) or []:
            for required in group["requires"]:
                rows.append(
                    Dependency(
                        permission=group["permission"],
                        permission_type=PermissionType.USER.value,
                        required_permission=str(required),
                        required_permission_type=req_type.value,
                        source=group["source"],
                        verified=not group.get("unverified"),
                    )
                )
    return tuple(rows)


def _objects(generated: Mapping[str, Any], curated: Mapping[str, Any]) -> dict[str, StandardObject]:
    default_sources = tuple(curated["defaults"]["sources"])
    out: dict[str, StandardObject] = {}
    described = generated["objects"]
    for name, facts in curated["objects"].items():
        if name not in described:
            raise CatalogDataError(f"objects.yaml: {name} is not in objects.json")
        out[name] = _object(name, described[name]["label"], described[name]["fields"], facts, default_sources)
    for name, facts in (curated.get("extra") or {}).items():
        out[name] = _object(name, facts["label"], facts["fields"], facts, default_sources)
    return out


def _object(
    name: str, label: str, fields: Iterable[Mapping[str, Any]], facts: Mapping[str, Any], default: tuple
) -> StandardObject:
    return StandardObject(
        name=name,
        label=label,
        plural_label=str(facts["plural_label"]),
        permissionable=bool(facts["permissionable"]),
        fields=frozen_map({f["name"]: _field(f) for f in fields}),
        note=str(facts.get("note") or "").strip(),
        sources=tuple(facts.get("sources") or default),
    )


_FIELD_KEYS = ("name", "label", "type", "permissionable", "nillable")


def _field(row: Mapping[str, Any]) -> ObjectField:
    """A field row of objects.json (reason named there) or objects.yaml (reason derived when absent)."""
    values = {k: row[k] for k in _FIELD_KEYS}
    exemption = None
    if not row["permissionable"]:
        reason = row.get("not_permissionable_reason")
        if reason:
            exemption = NoFieldSecurity[str(reason).upper()]
        else:
            exemption = field_security_exemption(row["name"], row["type"], row["nillable"], createable=True)
    return ObjectField(**values, exemption=exemption)


def _without_permissions(
    data: Mapping[str, Any],
) -> tuple[dict[str, NoObjectPermissions], tuple[NoObjectPermissions, ...]]:
    """objects.yaml ``no_object_permissions``: named objects, and <Parent><suffix> rules."""

    def value(name: str, row: Mapping[str, Any]) -> NoObjectPermissions:
        return NoObjectPermissions(
            object=name,
            reason=" ".join(str(row["reason"]).split()),
            access_from=" ".join(str(row["access_from"]).split()),
            parent=str(row.get("parent") or ""),
            sources=tuple(row["sources"]),
            verified=not row.get("unverified"),
        )

    named = {name: value(name, row) for name, row in (data.get("named") or {}).items()}
    suffixes = tuple(value(str(row["suffix"]), row) for row in data.get("suffixes") or ())
    return named, suffixes


def _licenses(data: Mapping[str, Any]) -> dict[str, License]:
    out: dict[str, License] = {}
    for kind, key in ((LicenseKind.USER, "user"), (LicenseKind.PERMISSION_SET, "permission_set")):
        for row in data.get(key) or []:
            out[row["name"]] = License(
                name=row["name"],
                developer_name=str(row.get("developer_name") or ""),
                kind=kind,
                note=" ".join(str(row.get("note") or "").split()),
                denied_permissions=frozenset(row.get("denied") or ()),
                standard_objects=bool(row["standard_objects"]),
                sources=tuple(row["sources"]),
                allowed_permissions=frozenset(row.get("allowed") or ()),
                denied_objects=frozenset(row.get("denied_objects") or ()),
                api_only=bool(row.get("api_only")),
                requires_user_license=str(row.get("requires_user_license") or ""),
            )
    return out


def _profiles(data: Mapping[str, Any], objects: Mapping[str, StandardObject]) -> dict[str, StandardProfile]:
    every = sorted(name for name, obj in objects.items() if obj.permissionable)
    out: dict[str, StandardProfile] = {}
    for row in data["profiles"]:
        perms = set(row.get("user_permissions") or ())
        if row.get("user_permissions_file"):
            perms |= set(_read(row["user_permissions_file"])["user_permissions"])
        rights: dict[str, frozenset[ObjectRight]] = {}
        for obj, keys in (row.get("objects") or {}).items():
            parsed = frozenset(ObjectRight.parse(k) for k in keys)
            for target in every if obj == "*" else [obj]:
                rights[target] = parsed
        out[row["name"]] = StandardProfile(
            name=row["name"],
            user_license=row["user_license"],
            user_permissions=frozenset(perms),
            objects=frozen_map(rights),
            api_only=bool(row.get("api_only")),
            note=" ".join(str(row.get("note") or "").split()),
            sources=tuple(row["sources"]),
        )
    return out


def _check_sources(catalog: Catalog) -> None:
    """Every cited source id must be defined in sources.yaml."""
    cited: set[str] = set()
    for group in (catalog.permissions, catalog.objects, catalog.licenses, catalog.profiles):
        for value in group.values():
            cited.update(value.sources)
    cited.update(dep.source for dep in catalog.dependencies)
    for rule in (*catalog.objects_without_permissions.values(), *catalog.suffixes_without_permissions):
        cited.update(rule.sources)
    missing = cited - set(catalog.sources)
    if missing:
        raise CatalogDataError(f"undefined source ids: {', '.join(sorted(missing))}")
