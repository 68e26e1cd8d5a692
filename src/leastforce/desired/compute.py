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
from leastforce.desired.types import (
    Choice,
    Need,
    NeedKind,
    api_name,
    managed_description,
)
from leastforce.kinds import Contribution, kind_of
from leastforce.kinds.base import NOTHING, Held
from leastforce.manifest.model import Manifest, PermissionSetSpec
from leastforce.values.model import FieldRight, ObjectRight, PermissionSet, SetupEntity, frozen_map
from leastforce.values.requirements import Requirement, Source

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
    profile: _Draft | None = None  # the profile leastforce clones, for rights needed ``from: profile``
    held: Held = NOTHING  # what the setup grants outside any ``any:``: alternatives are priced beyond it

    def add(self, req: Requirement, draft: _Draft, feature: str, optional: bool, why: str = "") -> None:
        """Grant ``req`` in ``draft`` (user-level needs aside), recording a Need per row and the choices.

        A right needed ``from: profile`` lands on the cloned profile instead (validate requires one)."""
        why = req.why or why
        if req.source is Source.PROFILE and self.profile is not None:
            draft = self.profile
        done = kind_of(req).contribute(req, self.catalog, self.held)
        if done.choice is not None:
            chosen = done.choice
            self.choices.append(
                Choice(
                    feature, chosen.alternatives, chosen.index, chosen.reason, why, req.position, chosen.short
                )
            )
        self._fill(draft, done, _need_factory(draft.name, feature, why, optional, req))
        for need in done.user:
            kind = NeedKind(need.kind)
            self.needs.append(
                Need(_USER, kind, need.subject, need.rights, feature, why, "", optional, req.position)
            )
        for item in done.then:
            self.add(item, draft, feature, optional, why)

    def _fill(self, draft: _Draft, done: Contribution, need: Callable[..., Need]) -> None:
        for name in done.permissions:
            draft.perms[name] = None
            self.needs.append(need(NeedKind.USER_PERMISSION, name))
        for obj, rights in done.objects:
            draft.objects.setdefault(obj, set()).update(rights)
            keys = tuple(r.key for r in ObjectRight if r in rights)
            if obj in done.implied_objects:  # a dependency of the field access asked for
                why = f"Salesforce requires it for field access on {done.required_by}"
                self.needs.append(need(NeedKind.OBJECT, obj, keys, required_by=done.required_by, why=why))
            else:
                self.needs.append(need(NeedKind.OBJECT, obj, keys))
        for name, frights in done.fields:
            draft.fields.setdefault(name, set()).update(frights)
            self.needs.append(need(NeedKind.FIELD, name, tuple(r.key for r in FieldRight if r in frights)))
        for entity in done.entities:
            draft.entities[entity] = None
            self.needs.append(need(NeedKind.SETUP_ENTITY, f"{entity.type.value}:{entity.name}"))

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
    """``make(kind, subject, rights=(), required_by="", why=why)``: a Need landing on ``target`` for ``req``."""

    def make(
        kind: NeedKind, subject: str, rights: tuple[str, ...] = (), required_by: str = "", why: str = why
    ) -> Need:
        return Need(target, kind, subject, rights, feature, why, required_by, optional, req.position)

    return make


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


def held_outside_choices(requirements: Iterable[Requirement], catalog: Catalog) -> Held:
    """What ``requirements`` grant whatever the ``any:`` choices (``all:`` items included, ``any:`` and
    ``not:`` left out), with Salesforce's dependencies: an alternative that adds nothing to it is free."""
    perms: set[str] = set()
    objects: dict[str, set[ObjectRight]] = {}
    pending = list(requirements)
    while pending:
        req = pending.pop()
        done = kind_of(req).contribute(req, catalog)
        if done.choice is not None:
            continue  # an any: is what is being priced
        pending.extend(done.then)
        for name in done.permissions:
            perms |= {name} | catalog.required_permissions(name)
            for obj, rights in catalog.required_object_rights(name).items():
                objects.setdefault(obj, set()).update(rights)
        for obj, rights in done.objects:
            objects.setdefault(obj, set()).update(rights)
    closed = {o: close_object_rights(r) for o, r in objects.items()}
    return Held(frozenset(perms), closed)
