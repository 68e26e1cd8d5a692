"""``packages:`` checked against the requirements: every namespaced name a requirement uses belongs to a
declared package, every package's namespace is declared once, and package permission sets are provided by
a declared package (when the manifest declares any).

Namespaced names (``ns__Obj__c``, ``Account.ns__Field__c``, ``ns__ApexClass``) are recognised by
``values.packages.namespace_of``; what a requirement names comes from its kind's ``contribute`` (so this
module never branches on requirement types).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from leastforce.errors import Problem
from leastforce.kinds import kind_of
from leastforce.values import problem_codes as codes
from leastforce.values.model import SetupEntityType
from leastforce.values.packages import namespace_of

if TYPE_CHECKING:
    from leastforce.catalog.catalog import Catalog
    from leastforce.manifest.model import Manifest
    from leastforce.manifest.validate_atoms import Placed

_NAMESPACED_ENTITIES = (
    SetupEntityType.APEX_CLASS,
    SetupEntityType.APEX_PAGE,
    SetupEntityType.CUSTOM_PERMISSION,
)


def package_problems(manifest: Manifest, items: list[Placed], catalog: Catalog) -> list[Problem]:
    """Unknown namespaces (errors), duplicate packages (errors), undeclared package sets (warnings)."""
    declared = {p.namespace.lower(): p for p in manifest.packages}
    out = _duplicates(manifest)
    for item in items:
        for name, where in _names(item, catalog):
            ns = namespace_of(name, suffixed=where == "object")
            if ns and ns.lower() not in declared:
                known = ", ".join(sorted(p.namespace for p in manifest.packages)) or "none"
                message = (
                    f"{name}: namespace {ns!r} belongs to no package in packages: (declared: {known});"
                    " declare the package with its minimum version and install link"
                )
                out.append(Problem("error", message, item.atom.position, codes.UNKNOWN_NAMESPACE))
        out += _set_problems(manifest, item, catalog)
    return out


def _duplicates(manifest: Manifest) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for spec in manifest.packages:
        if spec.namespace.lower() in seen:
            message = f"package namespace {spec.namespace!r} is declared twice"
            out.append(Problem("error", message, spec.position, codes.UNKNOWN_NAMESPACE))
        seen.add(spec.namespace.lower())
    return out


def _names(item: Placed, catalog: Catalog) -> Iterator[tuple[str, str]]:
    """Every API name the atom grants or asks for, with "object" (objects, fields) or "entity"."""
    given = kind_of(item.atom).contribute(item.atom, catalog)
    for obj, _ in given.objects:
        yield obj, "object"
    for name, _ in given.fields:
        obj, _, fld = name.partition(".")
        yield obj, "object"
        yield fld, "object"
    for entity in given.entities:
        if entity.type in _NAMESPACED_ENTITIES:
            yield entity.name, "entity"


def _set_problems(manifest: Manifest, item: Placed, catalog: Catalog) -> list[Problem]:
    if not manifest.packages:
        return []
    out = []
    for need in kind_of(item.atom).contribute(item.atom, catalog).user:
        if need.kind != "package_permission_set":
            continue
        if not any(p.provides_set(need.subject) for p in manifest.packages):
            message = (
                f"package permission set {need.subject!r} is not in any declared package's"
                " provides.permission_sets"
            )
            out.append(Problem("warning", message, item.atom.position, codes.UNKNOWN_NAMESPACE))
    return out
