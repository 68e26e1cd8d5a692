"""Adopt: one user's effective access, exactly as it is, as the entries of a manifest.

What goes in is what ``verify`` will find again on the same user: explicit permissions, object rights
(already closed per source), field-level security that takes effect, setup entity access, and the managed
package sets assigned. What other rights imply (View All Data's object access, View All Fields' field
access) is not repeated: the implying right is listed, and verify counts what it implies.

Left out, each listed with its reason (``Adoption.left_out``), because the manifest cannot state it or
validate would refuse it:
- a permission the catalog does not know (validate: unknown-permission) or the user's license cannot hold;
- object rights on an object that takes no object permissions (History, Share, Task ... : catalog);
- field rights on a field without field-level security (Id, Name, required fields: object Read gives them),
  or on an object the user cannot read (a FieldPermissions row without object Read grants nothing:
  https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-fieldpermissions.html);
  field Edit without object Edit is kept as Read;
- tab settings (TabSet setup entity access): no requirement kind states them.
"""

from __future__ import annotations

from typing import assert_never

from leastforce.access.grants import EffectiveAccess, Grant, SourceKind
from leastforce.adopt import grouping
from leastforce.adopt.model import AdoptedUser, Adoption, AssignedSetInfo, Entry, Feature, Left
from leastforce.adopt.packages import adopted_packages
from leastforce.adopt.risk import risky_grants
from leastforce.adopt.sources import sources
from leastforce.catalog.catalog import Catalog
from leastforce.values.model import FieldRight, ObjectRight, SetupEntityType
from leastforce.values.packages import InstalledPackage

# Held as ``user.api_only`` / ``user.password_never_expires``, not as permissions.
USER_FLAGS = ("ApiUserOnly", "PasswordNeverExpires")


def adopt(
    access: EffectiveAccess, catalog: Catalog, installed: tuple[InstalledPackage, ...] | None = None
) -> Adoption:
    """The manifest document that describes ``access`` exactly, grouped into features; ``installed``:
    the org's packages (None: not read), for the ``packages:`` of the namespaces used."""
    left: list[Left] = []
    families: dict[str, list[Entry]] = {}
    for entry in [*_object_entries(access, catalog, left), *_field_entries(access, catalog, left)]:
        families.setdefault(grouping.family_of(entry.name.split(".")[0]), []).append(entry)
    features = [
        _feature(grouping.PERMISSIONS, _permission_entries(access, catalog, left)),
        _feature(grouping.SETUP_ACCESS, _entity_entries(access, left)),
        _feature(grouping.PACKAGE_SETS, _package_entries(access)),
    ]
    for family, entries in families.items():
        objects = sorted({e.name.split(".")[0] for e in entries})
        features.append(Feature(family, grouping.family_summary(family, objects), tuple(entries)))
    kept = sorted((f for f in features if f.entries), key=lambda f: grouping.feature_order(f.name))
    assigned = tuple(
        AssignedSetInfo(
            "permission set group" if a.kind is SourceKind.GROUP else "permission set",
            f"{a.namespace}__{a.name}" if a.namespace else a.name,
            a.label,
        )
        for a in sorted(access.assigned_sets, key=lambda a: (a.kind.value, a.namespace, a.name))
    )
    return Adoption(
        integration=f"Adopted {access.user.username}",
        user=_user(access),
        features=tuple(kept),
        risky=risky_grants(access, catalog),
        left_out=tuple(left),
        assigned=assigned,
        packages=adopted_packages(kept, assigned, installed),
    )


def _feature(name: str, entries: list[Entry]) -> Feature:
    return Feature(name, grouping.SUMMARIES[name], tuple(entries))


def _user(access: EffectiveAccess) -> AdoptedUser:
    flags = {name: sources(access.permissions.get(name, ())) for name in USER_FLAGS}
    return AdoptedUser(
        username=access.user.username,
        license=access.license,
        profile=access.profile.name if access.profile else access.user.profile_name,
        permission_set_licenses=tuple(sorted(access.permission_set_licenses)),
        api_only=flags["ApiUserOnly"],
        password_never_expires=flags["PasswordNeverExpires"],
    )


def _permission_entries(access: EffectiveAccess, catalog: Catalog, left: list[Left]) -> list[Entry]:
    conflicts = {c.permission for c in access.license_conflicts if c.permission}
    out = []
    for name in sorted(access.permissions):
        found = sources(access.permissions[name])
        if name in USER_FLAGS:
            continue
        if name not in catalog.permissions:
            left.append(
                Left(f"permission {name}", "not in leastforce's catalog (validate would refuse it)", found)
            )
        elif name in conflicts:
            left.append(Left(f"permission {name}", f"the {access.license} license cannot hold it", found))
        else:
            out.append(Entry("permission", name, found))
    return out


def _object_entries(access: EffectiveAccess, catalog: Catalog, left: list[Left]) -> list[Entry]:
    out = []
    for obj in sorted(access.objects):
        rows = access.objects[obj]
        rights = tuple(r.key for r in ObjectRight if rows.get(r))
        if not rights:
            continue
        found = sources(g for grants in rows.values() for g in grants)
        if catalog.object_without_permissions(obj) is not None:
            left.append(
                Left(f"object {obj} [{', '.join(rights)}]", "the object takes no object permissions", found)
            )
            continue
        out.append(Entry("object", obj, found, rights))
    return out


def _field_entries(access: EffectiveAccess, catalog: Catalog, left: list[Left]) -> list[Entry]:
    out = []
    for name in sorted(access.fields):
        rows = access.fields[name]
        obj, _, field_name = name.partition(".")
        found = sources(g for grants in rows.values() for g in grants)
        on_object = access.object_rights(obj)
        known = catalog.find_object(obj)
        field = known.fields.get(field_name) if known is not None else None
        held = [r for r in FieldRight if rows.get(r)]
        if not held:
            continue
        if catalog.object_without_permissions(obj) is not None:
            reason = "its object takes no object permissions"
        elif field is not None and not field.permissionable:
            reason = "the field takes no field-level security (Read on the object shows it)"
        elif not on_object.get(ObjectRight.READ):
            reason = f"no Read on {obj}: field access without object access grants nothing"
        else:
            reason = ""
        if reason:
            left.append(Left(f"field {name} [{', '.join(r.key for r in held)}]", reason, found))
            continue
        if FieldRight.EDIT in held and not on_object.get(ObjectRight.EDIT):
            left.append(Left(f"field {name} [edit]", f"no Edit on {obj}: kept as read", found))
            held = [FieldRight.READ]
        out.append(Entry("field", name, found, tuple(r.key for r in held)))
    return out


def entity_key(kind: SetupEntityType) -> str | None:
    """The manifest key of a setup entity type; None for tab settings (no requirement kind)."""
    match kind:
        case SetupEntityType.APEX_CLASS:
            return "apex_class"
        case SetupEntityType.APEX_PAGE:
            return "apex_page"
        case SetupEntityType.CUSTOM_PERMISSION:
            return "custom_permission"
        case SetupEntityType.CONNECTED_APP:
            return "connected_app"
        case SetupEntityType.EXTERNAL_CLIENT_APP:
            return "external_client_app"
        case SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL:
            return "external_credential_principal"
        case SetupEntityType.TAB:
            return None
        case _:
            assert_never(kind)


def _entity_entries(access: EffectiveAccess, left: list[Left]) -> list[Entry]:
    out = []
    for entity in sorted(access.setup_entities):
        found = sources(access.setup_entities[entity])
        key = entity_key(entity.type)
        if key is None:
            left.append(Left(f"tab setting {entity.name}", "no requirement kind states tab settings", found))
        else:
            out.append(Entry(key, entity.name, found))
    return out


def _package_entries(access: EffectiveAccess) -> list[Entry]:
    """Managed sets and groups (with a namespace) the user is assigned, by ``ns__Name``."""
    out = []
    for assigned in access.assigned_sets:
        if assigned.namespace:
            head = Grant(assigned.kind, assigned.name, expires=assigned.expires)
            out.append(
                Entry("package_permission_set", f"{assigned.namespace}__{assigned.name}", sources([head]))
            )
    return sorted(out, key=lambda e: e.name)
