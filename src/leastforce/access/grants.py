"""The values of effective access: grants (where a right comes from) and EffectiveAccess.

Resolution lives in ``leastforce.access.resolve`` (which re-exports these names); the mappings an
EffectiveAccess holds are ``leastforce.access.source_map.SourceMap`` values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from leastforce.access.fields import field_routes
from leastforce.catalog.rights import OBJECT_ACCESS_PERMISSIONS, implied_object_rights
from leastforce.values.model import (
    IDENTITY_HASH,
    FieldRight,
    ObjectRight,
    Profile,
    SetupEntity,
    User,
    frozen_map,
)


class SourceKind(enum.Enum):
    """Where a grant comes from."""

    __hash__ = IDENTITY_HASH

    PROFILE = "profile"
    PERMISSION_SET = "permission_set"
    GROUP = "group"
    IMPLIED = "implied"  # by another right: View All Data, View All Fields, an unprotected field
    LICENSE = "license"  # the user license or a permission set license itself


@dataclass(frozen=True)
class Grant:
    """One path by which a user holds a right.

    ``name`` is the profile, permission set (``ns__Name``) or group name; ``via`` is the set inside a
    group, or for IMPLIED grants the right that implies it (``ViewAllData``, ``Contact:view_all_fields``);
    ``implied_by`` is then the grant of that implying right. ``expires`` comes from the assignment.
    """

    kind: SourceKind
    name: str
    via: str = ""
    expires: datetime | None = None
    implied_by: Grant | None = None

    def __str__(self) -> str:
        return describe_grant(self)


_KIND_WORDS = {
    SourceKind.PROFILE: "profile",
    SourceKind.PERMISSION_SET: "permission set",
    SourceKind.GROUP: "permission set group",
    SourceKind.LICENSE: "license",
}


def describe_grant(grant: Grant) -> str:
    """Human words for a grant: "permission set X (expires 2026-12-01)", "View All Data via profile P"."""
    if grant.kind is SourceKind.IMPLIED:
        text = f"implied by {grant.via}"
        return f"{text} via {describe_grant(grant.implied_by)}" if grant.implied_by else text
    text = f"{_KIND_WORDS[grant.kind]} {grant.name}"
    if grant.via:
        text += f" (via permission set {grant.via})"
    if grant.expires is not None:
        text += f" (expires {grant.expires.date().isoformat()})"
    return text


@dataclass(frozen=True)
class Rights:
    """Everything one source grants (or, for muting, removes), object rights already closed."""

    permissions: frozenset[str] = frozenset()
    objects: Mapping[str, frozenset[ObjectRight]] = field(default_factory=frozen_map)
    fields: Mapping[str, frozenset[FieldRight]] = field(default_factory=frozen_map)
    setup_entities: frozenset[SetupEntity] = frozenset()

    def __post_init__(self) -> None:
        # Cache for leastforce.access.source_map.entries: (part, id(grant)) -> (grant, {key: value}), built once
        # per grant and shared by every user holding this source. Deliberately not a field.
        object.__setattr__(self, "_memo", {})

    def __bool__(self) -> bool:
        return bool(self.permissions or self.objects or self.fields or self.setup_entities)


@dataclass(frozen=True)
class AssignedSet:
    """An active assignment: a permission set or group the user holds (not the profile's own set)."""

    kind: SourceKind  # PERMISSION_SET or GROUP
    name: str
    label: str = ""
    namespace: str = ""
    id: str = ""
    expires: datetime | None = None
    license: str = ""  # the set's user license or permission set license, "" for none

    def matches(self, name: str) -> bool:
        """Whether ``name`` is this set's API name, ``ns__name`` or label (case-insensitive)."""
        wanted = name.casefold()
        full = f"{self.namespace}__{self.name}" if self.namespace else self.name
        return wanted in (self.name.casefold(), full.casefold(), self.label.casefold())


@dataclass(frozen=True)
class MutedGrant:
    """What a group's muting set removed from one component set (for explain)."""

    grant: Grant  # GROUP grant, via = the component set
    muting_set: str
    removed: Rights


@dataclass(frozen=True)
class IgnoredAssignment:
    """An assignment that grants nothing, with why, and what it would have granted."""

    grant: Grant
    reason: str
    would_grant: tuple[tuple[Grant, Rights], ...] = ()


@dataclass(frozen=True)
class LicenseConflict:
    """Access in the data that the user's licenses should not allow (Salesforce refuses it on save).

    Either a ``permission`` the user license cannot hold (per the catalog), or (``permission`` "") a
    permission set whose license does not match the user: a user license other than the user's, or a
    permission set license the user lacks. ``reason`` says which, in words.
    """

    permission: str
    license: str
    grants: tuple[Grant, ...]
    reason: str = ""


GrantMap = Mapping[str, tuple[Grant, ...]]


@dataclass(frozen=True)
class EffectiveAccess:
    """A user's effective access, every right with the grants it comes from.

    ``objects`` and ``fields`` hold explicit rights (object rights after closure); ``object_rights`` and
    ``field_rights`` add what other rights imply. ``open_fields`` maps an object to its fields without
    field-level security (Id, CreatedDate ...), readable by anyone who can read the object.
    """

    user: User
    profile: Profile | None
    license: str
    permission_set_licenses: frozenset[str]
    permissions: GrantMap
    objects: Mapping[str, Mapping[ObjectRight, tuple[Grant, ...]]]
    fields: Mapping[str, Mapping[FieldRight, tuple[Grant, ...]]]
    setup_entities: Mapping[SetupEntity, tuple[Grant, ...]]
    assigned_sets: tuple[AssignedSet, ...] = ()
    muted: tuple[MutedGrant, ...] = ()
    ignored: tuple[IgnoredAssignment, ...] = ()
    license_conflicts: tuple[LicenseConflict, ...] = ()
    open_fields: Mapping[str, frozenset[str]] = field(default_factory=frozen_map, repr=False, compare=False)

    def only(self, keep: Callable[[Grant], bool]) -> EffectiveAccess:
        """The same access holding only the grants ``keep`` accepts (an implied grant by its root)."""

        def kept(grants: tuple[Grant, ...]) -> tuple[Grant, ...]:
            return tuple(g for g in grants if keep(root_grant(g)))

        def by_right(rows: Mapping[Any, tuple[Grant, ...]]) -> Mapping[Any, tuple[Grant, ...]]:
            return frozen_map({r: k for r, g in rows.items() if (k := kept(g))})

        return replace(
            self,
            permissions=frozen_map({n: k for n, g in self.permissions.items() if (k := kept(g))}),
            objects=frozen_map({o: by_right(rows) for o, rows in self.objects.items()}),
            fields=frozen_map({f: by_right(rows) for f, rows in self.fields.items()}),
            setup_entities=frozen_map({e: k for e, g in self.setup_entities.items() if (k := kept(g))}),
        )

    def has_permission(self, name: str) -> bool:
        """Whether the user holds the user permission (API name without ``Permissions``)."""
        return bool(self.permissions.get(name.removeprefix("Permissions")))

    def has_set(self, name: str) -> bool:
        """Whether a permission set or group with this name, ``ns__name`` or label is assigned and active."""
        return any(a.matches(name) for a in self.assigned_sets)

    def object_rights(self, obj: str) -> Mapping[ObjectRight, tuple[Grant, ...]]:
        """Object rights on ``obj``: explicit ones plus those View All Data / Modify All Data imply."""
        out: dict[ObjectRight, list[Grant]] = {r: list(g) for r, g in self.objects.get(obj, {}).items()}
        for perm in OBJECT_ACCESS_PERMISSIONS:
            grants = self.permissions.get(perm, ())
            for right in _sorted_rights(implied_object_rights([perm])) if grants else ():
                out.setdefault(right, []).extend(_implied(grants, perm))
        return {r: tuple(g) for r, g in sorted(out.items(), key=lambda kv: _RIGHT_ORDER[kv[0]])}

    def field_rights(self, name: str) -> Mapping[FieldRight, tuple[Grant, ...]]:
        """Field-level security on ``Object.Field``: explicit rows plus what the field-visibility rule
        (leastforce.access.fields) adds: View All Fields, ViewAllFieldsGlobal, object Read for a field
        without field-level security.

        Effective field access also needs Read on the object; verify checks both.
        """
        obj, _, fld = name.partition(".")
        out: dict[FieldRight, list[Grant]] = {r: list(g) for r, g in self.fields.get(name, {}).items()}
        objects = self.object_rights(obj)
        open_field = fld in self.open_fields.get(obj, frozenset())
        for right in FieldRight:
            for route in field_routes(right, open_field=open_field):
                if isinstance(route, ObjectRight):
                    implied = _implied(objects.get(route, ()), f"{obj}:{route.key}")
                else:
                    implied = _implied(self.permissions.get(route, ()), route)
                out.setdefault(right, []).extend(implied)
        return {r: tuple(g) for r, g in sorted(out.items(), key=lambda kv: kv[0].name, reverse=True) if g}


_RIGHT_ORDER = {right: i for i, right in enumerate(ObjectRight)}


def _sorted_rights(rights: Iterable[ObjectRight]) -> list[ObjectRight]:
    return sorted(rights, key=_RIGHT_ORDER.__getitem__)


def root_grant(grant: Grant) -> Grant:
    """The grant an implied grant comes from in the end (View All Data via profile P -> profile P)."""
    while grant.kind is SourceKind.IMPLIED and grant.implied_by is not None:
        grant = grant.implied_by
    return grant


def _implied(grants: Iterable[Grant], via: str) -> list[Grant]:
    return [
        Grant(SourceKind.IMPLIED, g.name, via=via, expires=g.expires, implied_by=g)
        for g in grants
        if g.kind is not SourceKind.IMPLIED or g.via != via
    ]
