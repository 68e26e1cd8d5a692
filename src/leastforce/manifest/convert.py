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
    Condition,
    Credential,
    Feature,
    Manifest,
    PermissionSetSpec,
    Prerequisite,
    ProfileSpec,
    Role,
    SessionSpec,
    Troubleshooting,
    UserSpec,
)
from leastforce.manifest.schema_apps import AppDoc
from leastforce.manifest.schema_packages import PackageDoc
from leastforce.manifest.schema_prereqs import ConditionDoc, PrerequisiteDoc
from leastforce.values.apps import (
    AppKind,
    AppSpec,
    Flow,
    IpRelaxation,
    PermittedUsers,
    PreAuthorize,
    RefreshToken,
    RefreshTokenPolicy,
)
from leastforce.values.model import frozen_map
from leastforce.values.packages import (
    PackageObject,
    PackagePermissionSetDef,
    PackageSpec,
    parse_version,
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
            prerequisites=tuple(
                self.prerequisite(p, raw["prerequisites"][i], self.at.item(raw["prerequisites"], i))
                for i, p in enumerate(doc.prerequisites)
            ),
            packages=tuple(
                self.package(p, self.at.item(raw["packages"], i)) for i, p in enumerate(doc.packages)
            ),
            app=self.app(doc.app, raw["app"]) if doc.app is not None else None,
        )

    def app(self, doc: AppDoc, raw: Any) -> AppSpec:
        """``app:`` with the position of each key it sets (validate points at the key in question)."""
        kind = AppKind.CONNECTED_APP if doc.connected_app else AppKind.EXTERNAL_CLIENT_APP
        refresh = doc.refresh_token
        return AppSpec(
            name=doc.connected_app or doc.external_client_app or "",
            kind=kind,
            flow=Flow(doc.flow),
            permitted_users=PermittedUsers(doc.permitted_users) if doc.permitted_users else None,
            pre_authorize=PreAuthorize(doc.pre_authorize) if doc.pre_authorize else None,
            ip_relaxation=IpRelaxation(doc.ip_relaxation) if doc.ip_relaxation else None,
            refresh_token=(
                RefreshToken(RefreshTokenPolicy(refresh.policy), refresh.period, refresh.unit or "")
                if refresh
                else None
            ),
            run_as=doc.run_as or "",
            why=doc.why,
            position=self.at.node(raw),
            positions=frozen_map({str(key): self.at.key(raw, key) for key in raw}),
        )

    def package(self, doc: PackageDoc, where: Position) -> PackageSpec:
        """One ``packages:`` item (its version already matched ``major.minor[.patch]``)."""
        given = doc.provides
        return PackageSpec(
            name=doc.name,
            namespace=doc.namespace,
            min_version=parse_version(doc.min_version) or (0, 0, 0),
            install_url=doc.install_url,
            objects=tuple(PackageObject(o.name, tuple(o.fields)) for o in given.objects),
            permission_sets=tuple(PackagePermissionSetDef(s.name, s.label) for s in given.permission_sets),
            permission_set_licenses=tuple(given.permission_set_licenses),
            apex_classes=tuple(given.apex_classes),
            apex_pages=tuple(given.apex_pages),
            custom_permissions=tuple(given.custom_permissions),
            connected_app=given.connected_app or "",
            external_client_app=given.external_client_app or "",
            why=doc.why,
            position=where,
        )

    def prerequisite(self, doc: PrerequisiteDoc, raw: Any, where: Position) -> Prerequisite:
        """One ``prerequisites:`` item; org settings have no API, so they are always checked by hand."""
        kind, body = doc.kind, doc.payload()
        subject, setup = "", ""
        values: tuple[str, ...] = ()
        if kind == "edition":
            values = tuple(body)
        elif kind == "org_setting":
            subject, setup = body.name, body.setup
            values = (str(body.value).lower() if isinstance(body.value, bool) else body.value,)
        elif kind == "field_history":
            subject = body.field
        elif kind == "app_visible":
            subject = body.app
        else:
            values = (str(body.min_daily_requests),)
        when = self.condition(doc.when, raw) if doc.when else None
        manual = doc.check == "manual" or kind == "org_setting"
        return Prerequisite(kind, subject, values, doc.why, manual, when, setup, where)

    def condition(self, doc: ConditionDoc, raw: Any) -> Condition:
        return Condition(
            doc.object, doc.sharing_model or "", doc.external_sharing_model or "", self.at.value(raw, "when")
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
            session=self.session(doc.session, raw),
            position=self.at.node(raw) if raw is not None else Position(self.at.file),
        )

    def session(self, doc: s.SessionDoc | None, raw: Any) -> SessionSpec | None:
        if doc is None or (doc.security_level is None and doc.timeout_minutes is None):
            return None
        where = self.at.value(raw, "session")
        return SessionSpec(doc.security_level or "", doc.timeout_minutes, doc.why, where)

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

    def nested_one(self, atom: Any, key: str) -> Requirement:
        return self.converter.atom(atom, self.raw[key], self.converter.at.value(self.raw, key))
