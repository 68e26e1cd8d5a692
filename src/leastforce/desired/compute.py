"""desired_setup: manifest + catalog -> the setup leastforce would create (pure).

Requirements land in the permission set that claims their feature (else the first declared set, else a set
``<Integration>_Integration``); profile, license, PSL and package-set requirements are about the user.
Each set is then closed under Salesforce's dependencies: a user permission's required permissions and object
rights (catalog, from PermissionDependency), object rights' prerequisites (Edit needs Read ...) and field
Edit needing Read. https://help.salesforce.com/s/articleView?id=platform.admin_userperms.htm
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import close_field_rights, close_object_rights
from leastforce.desired.risk import choose, describe
from leastforce.desired.types import (
    Choice,
    Need,
    NeedKind,
    api_name,
    managed_description,
)
from leastforce.manifest.model import Manifest, PermissionSetSpec
from leastforce.values.model import FieldRight, ObjectRight, PermissionSet, SetupEntity, frozen_map
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

_USER = ""  # Need.permission_set for user-level needs


@dataclass
class _Draft:
    """A permission set being filled (mutable, lives only inside one computation)."""

    name: str
    perms: dict[str, None] = field(default_factory=dict)
    objects: dict[str, set[ObjectRight]] = field(default_factory=dict)
    fields: dict[str, set[FieldRight]] = field(default_factory=dict)
    entities: dict[SetupEntity, None] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.perms or self.objects or self.fields or self.entities)


@dataclass
class _Collector:
    """Walks requirements, filling drafts and recording a Need / Choice for each decision."""

    catalog: Catalog
    needs: list[Need] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)

    def add(self, req: Requirement, draft: _Draft, feature: str, optional: bool, why: str = "") -> None:
        why = req.why or why
        need = _need_factory(draft.name, feature, why, optional, req)
        if isinstance(req, AllOf):
            for item in req.items:
                self.add(item, draft, feature, optional, why)
        elif isinstance(req, AnyOf):
            index, reason = choose(req, self.catalog)
            alternatives = tuple(describe(item) for item in req.items)
            short = tuple(describe(item, shown=2) for item in req.items)
            self.choices.append(Choice(feature, alternatives, index, reason, why, req.position, short))
            self.add(req.items[index], draft, feature, optional, why)
        elif isinstance(req, PermissionReq):
            draft.perms[req.name] = None
            self.needs.append(need(NeedKind.USER_PERMISSION, req.name))
        elif isinstance(req, ObjectReq):
            draft.objects.setdefault(req.object, set()).update(req.rights)
            for name in req.fields:
                draft.fields.setdefault(f"{req.object}.{name}", set()).add(FieldRight.READ)
            keys = tuple(r.key for r in ObjectRight if r in req.rights)
            self.needs.append(need(NeedKind.OBJECT, req.object, keys))
            for name in req.fields:
                self.needs.append(need(NeedKind.FIELD, f"{req.object}.{name}", ("read",)))
        elif isinstance(req, FieldReq):
            draft.fields.setdefault(req.field_name, set()).update(req.rights)
            keys = tuple(r.key for r in FieldRight if r in req.rights)
            self.needs.append(need(NeedKind.FIELD, req.field_name, keys))
        elif isinstance(req, SetupEntityReq):
            draft.entities[req.entity] = None
            subject = f"{req.entity.type.value}:{req.entity.name}"
            self.needs.append(need(NeedKind.SETUP_ENTITY, subject))
        else:
            self.needs.append(_user_need(req, feature, why, optional))

    def close(self, draft: _Draft) -> None:
        """Add what Salesforce requires alongside the draft's permissions, each with a Need."""
        asked: dict[str, Need] = {}
        for need in self.needs:  # a required feature's need wins over an optional one's
            current = asked.get(need.subject)
            if need.permission_set == draft.name and (
                current is None or (current.optional and not need.optional)
            ):
                asked[need.subject] = need
        for perm in list(draft.perms):
            origin = asked.get(perm)
            feature, optional = (origin.feature, origin.optional) if origin else ("", False)
            for dep in sorted(self.catalog.required_permissions(perm)):
                if dep not in draft.perms:
                    draft.perms[dep] = None
                    why = f"Salesforce requires it for {perm}"
                    self.needs.append(
                        Need(draft.name, NeedKind.USER_PERMISSION, dep, (), feature, why, perm, optional)
                    )
            for obj, rights in self.catalog.required_object_rights(perm).items():
                missing = set(rights) - draft.objects.get(obj, set())
                if missing:
                    draft.objects.setdefault(obj, set()).update(rights)
                    keys = tuple(r.key for r in ObjectRight if r in missing)
                    why = f"Salesforce requires it for {perm}"
                    self.needs.append(
                        Need(draft.name, NeedKind.OBJECT, obj, keys, feature, why, perm, optional)
                    )
        for obj, obj_rights in draft.objects.items():
            draft.objects[obj] = set(close_object_rights(obj_rights))
        for fld_rights in draft.fields.values():
            fld_rights.update(close_field_rights(frozenset(fld_rights)))


def _need_factory(
    target: str, feature: str, why: str, optional: bool, req: Requirement
) -> Callable[..., Need]:
    """``make(kind, subject, rights=())``: a Need landing on ``target`` for ``req``."""

    def make(kind: NeedKind, subject: str, rights: tuple[str, ...] = ()) -> Need:
        return Need(target, kind, subject, rights, feature, why, "", optional, req.position)

    return make


def _user_need(req: Requirement, feature: str, why: str, optional: bool) -> Need:
    if isinstance(req, ProfileReq):
        return Need(_USER, NeedKind.PROFILE, req.name, (), feature, why, "", optional, req.position)
    if isinstance(req, LicenseReq):
        rights = tuple(req.allowed) + tuple(f"not:{name}" for name in req.forbidden)
        subject = " or ".join(req.allowed) or "any"
        return Need(_USER, NeedKind.LICENSE, subject, rights, feature, why, "", optional, req.position)
    if isinstance(req, PermissionSetLicenseReq):
        kind = NeedKind.PERMISSION_SET_LICENSE
        return Need(_USER, kind, req.name, (), feature, why, "", optional, req.position)
    if isinstance(req, PackagePermissionSetReq):
        kind = NeedKind.PACKAGE_PERMISSION_SET
        return Need(_USER, kind, req.name, (), feature, why, "", optional, req.position)
    raise TypeError(f"not a requirement: {req!r}")


def _freeze(
    draft: _Draft, spec: PermissionSetSpec, integration: str, choices: Iterable[Choice]
) -> PermissionSet:
    return PermissionSet(
        name=draft.name,
        label=spec.label or spec.name.replace("_", " "),
        description=managed_description(integration, spec.description, choices),
        license=spec.license,
        user_permissions=frozenset(draft.perms),
        objects=frozen_map({o: frozenset(r) for o, r in sorted(draft.objects.items()) if r}),
        fields=frozen_map({f: frozenset(r) for f, r in sorted(draft.fields.items()) if r}),
        setup_entities=frozenset(draft.entities),
    )


def _default_spec(manifest: Manifest) -> PermissionSetSpec:
    """The set leastforce creates when the manifest declares none."""
    name = api_name(f"{manifest.integration}_Integration")
    return PermissionSetSpec(name=name, label=f"{manifest.integration} Integration"[:80])


def _user_level(needs: Iterable[Need], kind: NeedKind) -> tuple[str, ...]:
    return tuple(dict.fromkeys(g.subject for g in needs if g.kind is kind))
