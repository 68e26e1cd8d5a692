"""Checks of requirement atoms against the catalog: each atom on its own (its kind's ``validate``, see
leastforce.kinds), and the dependencies between them (permissions that bring others with them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leastforce.catalog.rights import close_object_rights
from leastforce.errors import Problem
from leastforce.kinds import kind_of
from leastforce.kinds.problems import is_custom_object
from leastforce.values import problem_codes as codes
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import AllOf, AnyOf, Requirement

__all__ = [
    "Placed",
    "atom_problems",
    "dependency_problems",
    "implied_object_problems",
    "is_custom_object",
    "placed",
]

if TYPE_CHECKING:
    from leastforce.catalog.catalog import Catalog


@dataclass(frozen=True)
class Placed:
    """An atom with where it sits: its feature or role, and whether an ``any:`` encloses it."""

    atom: Requirement
    owner: str  # "feature sync" | "role pusher"
    alternative: bool  # inside an any: (so it need not hold on its own)


def placed(requires: tuple[Requirement, ...], owner: str, alternative: bool = False) -> Iterator[Placed]:
    """Every atom under ``requires``, depth first, combinators included."""
    for atom in requires:
        yield Placed(atom, owner, alternative)
        if isinstance(atom, AllOf):
            yield from placed(atom.items, owner, alternative)
        elif isinstance(atom, AnyOf):
            yield from placed(atom.items, owner, True)


def atom_problems(item: Placed, catalog: Catalog) -> list[Problem]:
    """Problems with one atom on its own (no context beyond the catalog), by its kind."""
    return kind_of(item.atom).validate(item.atom, catalog)


def _warning(atom: Requirement, message: str, code: str = codes.PERMISSION_DEPENDENCY) -> Problem:
    return Problem("warning", message, atom.position, code)


def _closure(rights: frozenset[ObjectRight]) -> frozenset[ObjectRight]:
    return close_object_rights(rights)


def dependency_problems(items: list[Placed], catalog: Catalog) -> list[Problem]:
    """Permissions that bring others with them (Salesforce enables a permission's dependencies).

    Warns when a feature's permission depends on a high or critical risk permission the manifest does
    not declare (Author Apex needs Modify All Data), or on object rights no feature grants (Edit Case
    Comments needs Edit on Case): build adds them, and the vendor should own their reasons.
    https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_permissiondependency.htm
    """
    granted_by = [(i.atom, kind_of(i.atom).contribute(i.atom, catalog)) for i in items]
    declared = {name for _, g in granted_by for name in g.permissions}
    granted: dict[str, set[ObjectRight]] = {}
    for _, g in granted_by:
        for obj, rights in g.objects:
            granted.setdefault(obj, set()).update(_closure(rights))
    out = []
    for atom, g in granted_by:
        for name in g.permissions:
            if catalog.find_permission(name) is not None:
                out += _dependency_problems(atom, name, declared, granted, catalog)
    return out


def _dependency_problems(
    atom: Requirement, name: str, declared: set[str], granted: dict[str, set[ObjectRight]], catalog: Catalog
) -> list[Problem]:
    out = []
    every = catalog.required_permissions(name)
    needs = every - declared
    risky = sorted(n for n in needs if _risk_rank(catalog, n) >= 3)
    if risky:
        more = len(needs) - len(risky)
        rest = f" and {more} more" if more else ""
        message = f"{name} depends on {', '.join(risky)}{rest}; Salesforce enables them with it"
        out.append(_warning(atom, message))
    for obj, rights in catalog.required_object_rights(name).items():
        missing = set(rights) - granted.get(obj, set())
        if missing and not _implied_by(declared | every, missing):
            keys = ", ".join(sorted(r.key for r in missing))
            out.append(_warning(atom, f"{name} needs {obj} access [{keys}]; it will be added"))
    return out


def _risk_rank(catalog: Catalog, name: str) -> int:
    found = catalog.find_permission(name)
    return found.risk.rank if found is not None and found.risk is not None else 0


def _implied_by(declared: set[str], rights: set[ObjectRight]) -> bool:
    """View/Modify All Data (declared, or brought by a dependency) grant the rights on every object."""
    from leastforce.catalog.rights import implied_object_rights

    return rights <= implied_object_rights(declared)


def implied_object_problems(items: list[Placed], catalog: Catalog) -> list[Problem]:
    """Object access an atom needs but its feature (or role) does not grant itself (field-level security
    needs object Read, field Edit object Edit): a warning that build adds it. An ``any:`` alternative is
    checked against what its owner grants outside any alternative."""
    owned: dict[str, dict[str, set[ObjectRight]]] = {}
    perms: dict[str, set[str]] = {}
    done = [(i, kind_of(i.atom).contribute(i.atom, catalog)) for i in items]
    for item, granted in done:
        perms.setdefault(item.owner, set()).update(granted.permissions)
        for obj, rights in granted.objects:
            if obj not in granted.implied_objects and not item.alternative:
                owned.setdefault(item.owner, {}).setdefault(obj, set()).update(_closure(rights))
    out = []
    for item, granted in done:
        for obj, rights in granted.objects:
            have = owned.get(item.owner, {}).get(obj, set())
            missing = set(rights) - have
            if obj not in granted.implied_objects or not missing:
                continue
            if _implied_by(perms.get(item.owner, set()), missing):
                continue
            keys = ", ".join(r.key for r in ObjectRight if r in rights)
            message = (
                f"{granted.required_by} needs {obj} access [{keys}] (Salesforce requires object access"
                f" for field access); {item.owner} does not grant it, so it will be added"
            )
            out.append(_warning(item.atom, message, codes.IMPLIED_ACCESS))
    return out
