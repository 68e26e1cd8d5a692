"""Checks of single requirement atoms against the catalog: names exist, objects take permissions,
access levels are complete.

Decision on incomplete access (``access: [edit]`` without read): a WARNING, and build/verify use the
closed set. Salesforce itself adds the rights a right needs when an admin ticks it in Setup, and the
ObjectPermissions reference states the dependencies ("PermissionsEdit ... requires PermissionsRead"):
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
No vendor guide we know of demands "edit but not read", so there is nothing to refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leastforce.catalog.rights import close_field_rights
from leastforce.errors import Problem
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import AllOf, AnyOf, FieldReq, ObjectReq, PermissionReq, Requirement

if TYPE_CHECKING:
    from leastforce.catalog.catalog import Catalog

# Suffixes of objects the org defines (custom objects, metadata types, external objects, events ...):
# the bundled catalog cannot know them.
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_custom_objects.htm
CUSTOM_SUFFIXES = ("__c", "__mdt", "__x", "__e", "__b", "__kav", "__dlm")


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


def is_custom_object(name: str) -> bool:
    return name.endswith(CUSTOM_SUFFIXES)


def atom_problems(item: Placed, catalog: Catalog) -> list[Problem]:
    """Problems with one atom on its own (no context beyond the catalog)."""
    check = _CHECKS.get(type(item.atom))
    return check(item.atom, catalog) if check else []


def _permission(atom: Requirement, catalog: Catalog) -> list[Problem]:
    assert isinstance(atom, PermissionReq)
    found = catalog.find_permission(atom.name)
    if found is None:
        hints = catalog.suggest_permissions(atom.name)
        hint = f" (did you mean {' or '.join(hints)}?)" if hints else ""
        return [_error(atom, f"unknown user permission {atom.name!r}{hint}")]
    if found.name != atom.name:
        return [_warning(atom, f"label {atom.name!r} used; the API name is {found.name}")]
    return []


def _object(atom: Requirement, catalog: Catalog) -> list[Problem]:
    assert isinstance(atom, ObjectReq)
    problems = _object_name(atom, atom.object, catalog)
    missing = _closure(atom.rights) - atom.rights
    if missing:
        have = ", ".join(sorted(r.key for r in atom.rights))
        need = ", ".join(sorted(r.key for r in missing))
        message = f"{atom.object} access [{have}] needs {need} too; it is implied and will be added"
        problems.append(_warning(atom, message))
    obj = catalog.find_object(atom.object)
    known = getattr(obj, "fields", None) or {}
    for name in atom.fields:
        if known and name not in known:
            problems.append(
                _warning(atom, f"field {atom.object}.{name} is not in the catalog; check it in the org")
            )
    return problems


def _field(atom: Requirement, catalog: Catalog) -> list[Problem]:
    assert isinstance(atom, FieldReq)
    problems = _object_name(atom, atom.object, catalog)
    if close_field_rights(atom.rights) != atom.rights:
        problems.append(_warning(atom, f"{atom.field_name} access [edit] needs read too; it will be added"))
    obj = catalog.find_object(atom.object)
    field_name = atom.field_name.split(".", 1)[1]
    known = getattr(obj, "fields", None) or {}
    if known and field_name in known and not known[field_name].permissionable:
        message = f"{atom.field_name} takes no field-level security (always readable or system-managed)"
        problems.append(_warning(atom, message))
    return problems


def _object_name(atom: Requirement, name: str, catalog: Catalog) -> list[Problem]:
    """An object must be named by API name and take object permissions."""
    obj = catalog.find_object(name)
    if obj is None:
        if is_custom_object(name):
            return []
        message = (
            f"object {name!r} is not in leastforce's catalog of standard objects; make sure the org has it"
        )
        return [_warning(atom, message)]
    problems = []
    if obj.name != name:
        problems.append(_error(atom, f"object {name!r}: write its API name {obj.name!r}"))
    if obj.permissionable is False:
        note = obj.note or "it takes no object permissions"
        problems.append(_error(atom, f"{obj.name} (object access [{_keys(atom)}]): {note}"))
    return problems


def _keys(atom: Requirement) -> str:
    rights: frozenset[ObjectRight] = getattr(atom, "rights", frozenset())
    return ", ".join(sorted(r.key for r in rights))


def _closure(rights: frozenset[ObjectRight]) -> frozenset[ObjectRight]:
    from leastforce.catalog.rights import close_object_rights

    return close_object_rights(rights)


def _error(atom: Requirement, message: str) -> Problem:
    return Problem("error", message, atom.position)


def _warning(atom: Requirement, message: str) -> Problem:
    return Problem("warning", message, atom.position)


_CHECKS: dict[type, Callable[[Requirement, Catalog], list[Problem]]] = {
    PermissionReq: _permission,
    ObjectReq: _object,
    FieldReq: _field,
}


def dependency_problems(items: list[Placed], catalog: Catalog) -> list[Problem]:
    """Permissions that bring others with them (Salesforce enables a permission's dependencies).

    Warns when a feature's permission depends on a high or critical risk permission the manifest does
    not declare (Author Apex needs Modify All Data), or on object rights no feature grants (Edit Case
    Comments needs Edit on Case): build adds them, and the vendor should own their reasons.
    https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_permissiondependency.htm
    """
    declared = {i.atom.name for i in items if isinstance(i.atom, PermissionReq)}
    granted: dict[str, set[ObjectRight]] = {}
    for item in items:
        if isinstance(item.atom, ObjectReq):
            granted.setdefault(item.atom.object, set()).update(_closure(item.atom.rights))
    out = []
    for item in items:
        atom = item.atom
        if not isinstance(atom, PermissionReq) or catalog.find_permission(atom.name) is None:
            continue
        every = catalog.required_permissions(atom.name)
        needs = every - declared
        risky = sorted(n for n in needs if _risk_rank(catalog, n) >= 3)
        if risky:
            more = len(needs) - len(risky)
            rest = f" and {more} more" if more else ""
            message = f"{atom.name} depends on {', '.join(risky)}{rest}; Salesforce enables them with it"
            out.append(_warning(atom, message))
        for obj, rights in catalog.required_object_rights(atom.name).items():
            missing = set(rights) - granted.get(obj, set())
            if missing and not _implied_by(declared | every, missing):
                keys = ", ".join(sorted(r.key for r in missing))
                out.append(_warning(atom, f"{atom.name} needs {obj} access [{keys}]; it will be added"))
    return out


def _risk_rank(catalog: Catalog, name: str) -> int:
    found = catalog.find_permission(name)
    return found.risk.rank if found is not None and found.risk is not None else 0


def _implied_by(declared: set[str], rights: set[ObjectRight]) -> bool:
    """View/Modify All Data (declared, or brought by a dependency) grant the rights on every object."""
    from leastforce.catalog.rights import implied_object_rights

    return rights <= implied_object_rights(declared)
