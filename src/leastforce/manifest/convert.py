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
from leastforce.values.requirements import Requirement

Naming = Callable[[str, Position], str]  # permission as written, where -> API name

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

    def atom(self, atom: s.AtomModel, raw: Any, where: Position) -> Requirement:
        """One atom model (with its raw mapping for nested positions) as a requirement value."""
        return atom.to_requirement(_Scope(self, raw, where))


class _Scope:
    """An atom's place in the file, for its ``to_requirement`` (manifest.schema_atoms.AtomScope)."""

    def __init__(self, converter: Converter, raw: Any, where: Position) -> None:
        self.converter = converter
        self.raw = raw
        self.position = where

    def api_permission(self, text: str, key: str) -> str:
        return self.converter.naming(text, self.converter.at.value(self.raw, key))

    def nested(self, atoms: list[Any], key: str) -> tuple[Requirement, ...]:
        return self.converter.requires(atoms, self.raw[key])
