"""``catalog show --json`` and ``catalog list --json``: the catalog's facts, each with its sources.

``show`` names the ``kind`` (permission / object / license / profile) and holds the value under that key.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import SerializerFunctionWrapHandler, model_serializer

from leastforce.catalog import Catalog, License, StandardObject, StandardProfile, UserPermission
from leastforce.render.json.base import JsonModel

Kind = Literal["permission", "object", "license", "profile"]


class PermissionOutput(JsonModel):
    """A user permission; ``name`` is the API name without the ``Permissions`` prefix."""

    name: str
    label: str
    section: str
    subsection: str
    risk: str | None
    risk_reason: str
    since_api: str | None
    sources: tuple[str, ...]
    baseline: bool
    verified: bool


class FieldOutput(JsonModel):
    """A field; ``permissionable``: whether field-level security applies."""

    name: str
    label: str
    type: str
    permissionable: bool
    nillable: bool


class ObjectOutput(JsonModel):
    name: str
    label: str
    plural_label: str
    permissionable: bool
    fields: tuple[FieldOutput, ...]
    note: str
    sources: tuple[str, ...]


class LicenseOutput(JsonModel):
    """A user license or permission set license (``kind`` user / permission_set)."""

    name: str
    developer_name: str
    kind: str
    note: str
    denied_permissions: tuple[str, ...]
    standard_objects: bool
    sources: tuple[str, ...]
    allowed_permissions: tuple[str, ...]
    denied_objects: tuple[str, ...]
    api_only: bool
    requires_user_license: str


class ObjectAccessOutput(JsonModel):
    """Object rights (read, create, edit ...) on one object."""

    object: str
    rights: tuple[str, ...]


class ProfileOutput(JsonModel):
    name: str
    user_license: str
    user_permissions: tuple[str, ...]
    objects: tuple[ObjectAccessOutput, ...]
    api_only: bool
    note: str
    sources: tuple[str, ...]


class SourceOutput(JsonModel):
    id: str
    title: str
    url: str


class CatalogShowOutput(JsonModel):
    """One catalog entry; for a permission also what it requires (permissions and object access)."""

    kind: Kind
    permission: PermissionOutput | None = None
    object: ObjectOutput | None = None
    license: LicenseOutput | None = None
    profile: ProfileOutput | None = None
    requires: tuple[str, ...] | None = None
    requires_object_access: tuple[ObjectAccessOutput, ...] | None = None
    sources: tuple[SourceOutput, ...]

    @model_serializer(mode="wrap")
    def _present_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only the kind's own key, and ``requires*`` only for a permission (as before)."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class CatalogListOutput(JsonModel):
    permissions: tuple[PermissionOutput, ...]
    total: int


def permission_output(perm: UserPermission) -> PermissionOutput:
    return PermissionOutput(
        name=perm.name,
        label=perm.label,
        section=perm.section,
        subsection=perm.subsection,
        risk=perm.risk.value if perm.risk else None,
        risk_reason=perm.risk_reason,
        since_api=perm.since_api,
        sources=perm.sources,
        baseline=perm.baseline,
        verified=perm.verified,
    )


def _object(obj: StandardObject) -> ObjectOutput:
    return ObjectOutput(
        name=obj.name,
        label=obj.label,
        plural_label=obj.plural_label,
        permissionable=obj.permissionable,
        fields=tuple(
            FieldOutput(
                name=f.name, label=f.label, type=f.type, permissionable=f.permissionable, nillable=f.nillable
            )
            for f in obj.fields.values()
        ),
        note=obj.note,
        sources=obj.sources,
    )


def _license(lic: License) -> LicenseOutput:
    return LicenseOutput(
        name=lic.name,
        developer_name=lic.developer_name,
        kind=lic.kind.value,
        note=lic.note,
        denied_permissions=tuple(sorted(lic.denied_permissions)),
        standard_objects=lic.standard_objects,
        sources=lic.sources,
        allowed_permissions=tuple(sorted(lic.allowed_permissions)),
        denied_objects=tuple(sorted(lic.denied_objects)),
        api_only=lic.api_only,
        requires_user_license=lic.requires_user_license,
    )


def _profile(profile: StandardProfile) -> ProfileOutput:
    return ProfileOutput(
        name=profile.name,
        user_license=profile.user_license,
        user_permissions=tuple(sorted(profile.user_permissions)),
        objects=tuple(
            ObjectAccessOutput(object=name, rights=tuple(sorted(r.key for r in rights)))
            for name, rights in profile.objects.items()
        ),
        api_only=profile.api_only,
        note=profile.note,
        sources=profile.sources,
    )


def catalog_show_output(catalog: Catalog, kind: Kind, value: Any) -> CatalogShowOutput:
    """The entry; for a permission its dependencies and every source cited (its own and its dependencies')."""
    extras: dict[str, Any] = {}
    if isinstance(value, UserPermission):
        extras["permission"] = permission_output(value)
        extras["requires"] = tuple(sorted(catalog.required_permissions(value.name)))
        extras["requires_object_access"] = tuple(
            ObjectAccessOutput(object=obj, rights=tuple(sorted(r.key for r in rights)))
            for obj, rights in catalog.required_object_rights(value.name).items()
        )
        cited = set(value.sources) | {d.source for d in catalog.direct_dependencies(value.name)}
    else:
        extras[kind] = (
            _object(value) if kind == "object" else _license(value) if kind == "license" else _profile(value)
        )
        cited = set(value.sources)
    sources = tuple(
        SourceOutput(id=s.id, title=s.title, url=s.url)
        for s in (catalog.sources[c] for c in sorted(cited) if c in catalog.sources)
    )
    return CatalogShowOutput(kind=kind, sources=sources, **extras)


def catalog_list_output(perms: list[UserPermission]) -> CatalogListOutput:
    return CatalogListOutput(permissions=tuple(permission_output(p) for p in perms), total=len(perms))
