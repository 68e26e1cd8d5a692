"""Validated manifest documents (pydantic) to frozen values, with the YAML position of everything.

The pydantic models carry the checked values; the ruamel tree, walked alongside, carries positions.
``Naming`` turns a permission as written (API name or label) into its API name; the loader passes
one backed by the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leastforce.errors import Position
from leastforce.manifest import schema as s
from leastforce.manifest.locate import Locator
from leastforce.manifest.model import (
    Credential,
    Feature,
    Manifest,
    PermissionSetSpec,
    ProfileSpec,
    Role,
    Troubleshooting,
    UserSpec,
)
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity, SetupEntityType
from leastforce.values.requirements import (
    AllOf,
    AnyOf,
    FieldReq,
    LicenseReq,
    ObjectReq,
    PackagePermissionSetReq,
    PermissionReq,
    PermissionSetLicenseReq,
    ProfileReq,
    Requirement,
    SetupEntityReq,
)

Naming = Callable[[str, Position], str]  # permission as written, where -> API name

_ENTITY_ATOMS: dict[type[s.Strict], tuple[str, SetupEntityType]] = {
    s.ApexClassAtom: ("apex_class", SetupEntityType.APEX_CLASS),
    s.ApexPageAtom: ("apex_page", SetupEntityType.APEX_PAGE),
    s.CustomPermissionAtom: ("custom_permission", SetupEntityType.CUSTOM_PERMISSION),
    s.ConnectedAppAtom: ("connected_app", SetupEntityType.CONNECTED_APP),
    s.ExternalClientAppAtom: ("external_client_app", SetupEntityType.EXTERNAL_CLIENT_APP),
    s.ExternalCredentialPrincipalAtom: (
        "external_credential_principal",
        SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL,
    ),
}


class Converter:
    """Builds values for one file; ``naming`` normalises permission names."""

    def __init__(self, locator: Locator, naming: Naming) -> None:
        self.at = locator
        self.naming = naming

    def manifest(self, doc: s.ManifestDoc, raw: Any) -> Manifest:
        return Manifest(
            path=self.at.file,
            integration=doc.integration,
            summary=doc.summary,
            docs=doc.docs,
            user=self.user(doc.user, raw.get("user")),
            permission_sets=tuple(
                self.permission_set(ps, self.at.item(raw["permission_sets"], i))
                for i, ps in enumerate(doc.permission_sets)
            ),
            features=tuple(
                Feature(
                    name,
                    f.summary,
                    f.optional,
                    self.requires(f.requires, raw["features"][name]["requires"]),
                    self.at.key(raw["features"], name),
                )
                for name, f in doc.features.items()
            ),
            roles=tuple(
                Role(
                    name,
                    r.summary,
                    self.requires(r.requires, raw["roles"][name]["requires"]),
                    self.at.key(raw["roles"], name),
                )
                for name, r in doc.roles.items()
            ),
            credentials=tuple(
                Credential(
                    c.external_credential,
                    c.principal or "",
                    c.token_lifetime_days,
                    c.renew,
                    c.why,
                    self.at.item(raw["credentials"], i),
                )
                for i, c in enumerate(doc.credentials)
            ),
            troubleshooting=tuple(
                Troubleshooting(t.error, t.cause, t.fix, self.at.item(raw["troubleshooting"], i))
                for i, t in enumerate(doc.troubleshooting)
            ),
        )

    def user(self, doc: s.UserDoc, raw: Any) -> UserSpec:
        profile = None
        if doc.profile is not None:
            where = self.at.value(raw, "profile")
            profile = ProfileSpec(doc.profile.name, doc.profile.based_on or "", where)
        return UserSpec(
            licenses=tuple(doc.license),
            not_licenses=tuple(doc.not_license),
            profile=profile,
            permission_set_licenses=tuple(doc.permission_set_licenses),
            api_only=doc.api_only,
            password_never_expires=doc.password_never_expires,
            username=doc.username,
            position=self.at.node(raw) if raw is not None else Position(self.at.file),
        )

    def permission_set(self, doc: s.PermissionSetDoc, where: Position) -> PermissionSetSpec:
        return PermissionSetSpec(
            name=doc.name,
            label=doc.label or doc.name.replace("_", " "),
            description=doc.description,
            license=doc.license or "",
            features=tuple(doc.features),
            position=where,
        )

    def requires(self, atoms: list[Any], raw: Any) -> tuple[Requirement, ...]:
        return tuple(self.atom(atom, raw[i], self.at.item(raw, i)) for i, atom in enumerate(atoms))

    def atom(self, atom: Any, raw: Any, where: Position) -> Requirement:
        """One atom model (with its raw mapping for nested positions) as a requirement value."""
        meta = {"why": atom.why, "position": where}
        if isinstance(atom, s.PermissionAtom):
            return PermissionReq(self.naming(atom.permission, self.at.value(raw, "permission")), **meta)
        if isinstance(atom, s.ObjectAtom):
            rights = frozenset(ObjectRight.parse(a) for a in atom.access)
            fields = tuple(f.removeprefix(atom.object + ".") for f in atom.fields)
            return ObjectReq(atom.object, rights, fields, **meta)
        if isinstance(atom, s.FieldAtom):
            return FieldReq(atom.field, frozenset(FieldRight[a.upper()] for a in atom.access), **meta)
        if type(atom) in _ENTITY_ATOMS:
            key, kind = _ENTITY_ATOMS[type(atom)]
            return SetupEntityReq(SetupEntity(kind, getattr(atom, key)), **meta)
        if isinstance(atom, s.ProfileAtom):
            return ProfileReq(atom.profile, **meta)
        if isinstance(atom, s.LicenseAtom):
            return LicenseReq(tuple(atom.license), tuple(atom.not_license), **meta)
        if isinstance(atom, s.NotLicenseAtom):
            return LicenseReq((), tuple(atom.not_license), **meta)
        if isinstance(atom, s.PermissionSetLicenseAtom):
            return PermissionSetLicenseReq(atom.permission_set_license, **meta)
        if isinstance(atom, s.PackagePermissionSetAtom):
            return PackagePermissionSetReq(atom.package_permission_set, **meta)
        if isinstance(atom, s.AllAtom):
            return AllOf(self.requires(atom.all, raw["all"]), **meta)
        if isinstance(atom, s.AnyAtom):
            return AnyOf(self.requires(atom.any, raw["any"]), **meta)
        raise TypeError(f"unhandled atom {type(atom).__name__}")  # a schema model without a value
