"""The ``packages:`` an adopted manifest declares: one per namespace its entries use (``ns__Obj__c``,
``Account.ns__Field__c``, ``ns__ApexClass``, a package permission set ``ns__Name``), so that validate finds
every namespaced name declared (unknown-namespace) and verify checks the package is installed.

``min_version`` is the version installed today (InstalledSubscriberPackage); where the org's packages
were not read (a snapshot file keeps none) it is unknown and the renderer writes '0.0' with a TODO. The
install link is never in the org: the renderer leaves a TODO comment for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from leastforce.adopt.model import AdoptedPackage, AssignedSetInfo, Feature
from leastforce.values.packages import InstalledPackage, namespace_of, version_text

# Entry keys whose name is a setup entity's API name (no __c suffix: namespace_of(suffixed=False)).
_ENTITY_KEYS = frozenset({"apex_class", "apex_page", "custom_permission"})


def adopted_packages(
    features: Iterable[Feature],
    assigned: Iterable[AssignedSetInfo],
    installed: tuple[InstalledPackage, ...] | None,
) -> tuple[AdoptedPackage, ...]:
    """A package per namespace the entries use, with its installed version and the sets it provides."""
    spelled: dict[str, str] = {}
    for feature in features:
        for entry in feature.entries:
            for ns in _namespaces(entry.key, entry.name):
                spelled.setdefault(ns.lower(), ns)
    by_ns = {p.namespace.lower(): p for p in installed or ()}
    out = []
    for key, ns in sorted(spelled.items()):
        found = by_ns.get(key)
        out.append(
            AdoptedPackage(
                namespace=found.namespace if found else ns,
                name=found.name if found and found.name else ns,
                version=version_text(found.version) if found else None,
                installed=None if installed is None else found is not None,
                permission_sets=_sets(assigned, key),
            )
        )
    return tuple(out)


def _sets(assigned: Iterable[AssignedSetInfo], ns: str) -> tuple[tuple[str, str], ...]:
    """(name without the namespace, label) of the assigned sets of namespace ``ns``."""
    out = []
    for a in assigned:
        head, sep, rest = a.name.partition("__")
        if sep and head.lower() == ns:
            out.append((rest, a.label or rest))
    return tuple(sorted(out))


def _namespaces(key: str, name: str) -> Iterator[str]:
    if key == "package_permission_set":
        head, sep, _ = name.partition("__")
        if sep:
            yield head
        return
    if key in _ENTITY_KEYS:
        ns = namespace_of(name, suffixed=False)
        if ns:
            yield ns
        return
    for part in name.split("."):
        ns = namespace_of(part)
        if ns:
            yield ns
