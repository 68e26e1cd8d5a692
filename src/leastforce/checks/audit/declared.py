"""What a manifest declares, as rights, and what a user holds beyond it ("granted but not declared").

Declared = the desired setup's permission sets and cloned profile (dependencies closed, every optional
feature included), the standard profile it is based on (or the one it names), and every alternative of
every ``any:``: holding any of them is within what the vendor asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from leastforce.access.grants import EffectiveAccess, Grant
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import close_field_rights, close_object_rights
from leastforce.desired import desired_setup
from leastforce.desired.setup import default_profile_name
from leastforce.kinds import kind_of
from leastforce.manifest.model import Manifest
from leastforce.values.model import FieldRight, ObjectRight, frozen_map
from leastforce.values.requirements import ProfileReq, Requirement, walk


@dataclass(frozen=True)
class Declared:
    """The rights a manifest accounts for (object rights closed)."""

    permissions: frozenset[str] = frozenset()
    objects: Mapping[str, frozenset[ObjectRight]] = field(default_factory=frozen_map)
    fields: Mapping[str, frozenset[FieldRight]] = field(default_factory=frozen_map)
    # The manifest's tri-state user keys: audit never recommends what they forbid.
    api_only: bool | None = None
    password_never_expires: bool | None = None


@dataclass(frozen=True)
class Excess:
    """One right held beyond the declaration: ``kind`` is permission, object or field."""

    kind: str
    name: str
    rights: tuple[str, ...]  # right keys (read, edit ...); () for a permission
    grants: tuple[Grant, ...]


def declared_access(manifest: Manifest, catalog: Catalog) -> Declared:
    """Every right the manifest's integration user is meant to hold."""
    desired = desired_setup(manifest, catalog, with_optional=True)
    perms: set[str] = set()
    objects: dict[str, set[ObjectRight]] = {}
    fields: dict[str, set[FieldRight]] = {}
    sets = list(desired.permission_sets)
    if desired.profile is not None:
        sets.append(desired.profile.permission_set)
    for ps in sets:
        perms |= ps.user_permissions
        for obj, rights in ps.objects.items():
            objects.setdefault(obj, set()).update(rights)
        for name, frights in ps.fields.items():
            fields.setdefault(name, set()).update(frights)
    # No profile named: apply itself chooses the default one, so its rights count as declared.
    spec = manifest.user.profile
    profile_names = {spec.based_on} if spec else {default_profile_name(desired.user.licenses, catalog)}
    reqs = [r for f in manifest.features for r in walk(f.requires)]
    profile_names |= {r.name for r in reqs if isinstance(r, ProfileReq)}
    for name in profile_names:
        std = catalog.find_profile(name) if name else None
        if std is not None:
            perms |= std.user_permissions
            for obj, rights in std.objects.items():
                objects.setdefault(obj, set()).update(rights)
    _add_alternatives(reqs, catalog, perms, objects, fields)
    return Declared(
        permissions=frozenset(perms),
        objects=frozen_map({o: close_object_rights(r) for o, r in objects.items()}),
        fields=frozen_map({f: frozenset(r) for f, r in fields.items()}),
        api_only=manifest.user.api_only,
        password_never_expires=manifest.user.password_never_expires,
    )


def _add_alternatives(
    reqs: Sequence[Requirement],
    catalog: Catalog,
    perms: set[str],
    objects: dict[str, set[ObjectRight]],
    fields: dict[str, set[FieldRight]],
) -> None:
    """Every atom, chosen or not: an ``any:`` alternative the admin picked is declared too."""
    for req in reqs:
        granted = kind_of(req).contribute(req, catalog)
        for name in granted.permissions:
            perms.add(name)
            perms |= catalog.required_permissions(name)
        for obj, rights in granted.objects:
            objects.setdefault(obj, set()).update(rights)
        for name, frights in granted.fields:
            fields.setdefault(name, set()).update(close_field_rights(frights))


def excess_access(access: EffectiveAccess, declared: Declared) -> tuple[Excess, ...]:
    """Permissions, object rights and field rights the user holds explicitly but the manifest does not
    declare. A field readable because View All Fields is declared on its object counts as declared."""
    out: list[Excess] = []
    for perm, grants in access.permissions.items():
        if perm not in declared.permissions and grants:
            out.append(Excess("permission", perm, (), tuple(grants)))
    for obj, by_right in access.objects.items():
        allowed = declared.objects.get(obj, frozenset())
        extra = [r for r in ObjectRight if r in by_right and r not in allowed]
        if extra:
            grants = tuple(dict.fromkeys(g for r in extra for g in by_right[r]))
            out.append(Excess("object", obj, tuple(r.key for r in extra), grants))
    for name, frights in access.fields.items():
        obj = name.split(".", 1)[0]
        allowed_f = set(declared.fields.get(name, frozenset()))
        if ObjectRight.VIEW_ALL_FIELDS in declared.objects.get(obj, frozenset()):
            allowed_f.add(FieldRight.READ)
        extra_f = [r for r in FieldRight if r in frights and r not in allowed_f]
        if extra_f:
            grants = tuple(dict.fromkeys(g for r in extra_f for g in frights[r]))
            out.append(Excess("field", name, tuple(r.key for r in extra_f), grants))
    return tuple(out)
