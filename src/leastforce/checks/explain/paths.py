"""Explain: every path by which a user holds (or would hold) a permission, object right or field.

A target is a user permission (API name or label: ``ApiEnabled``, ``"View All Data"``), an object
(``Account``: all rights), an object right (``Account:edit``), or a field (``Contact.Email``, read;
``Contact.Email:edit``). ``explain`` lists the active grants (profile, set, group via set, implied by View
All Data / View All Fields ...), the paths a group's muting set removed, the ones lost to an expired
assignment, and, when nothing grants it, what would. ``who_has`` answers "who can read Contact.Email"
for a whole snapshot without resolving users that cannot hold it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from leastforce.access.fields import holds_field_right
from leastforce.access.grants import EffectiveAccess, Grant, Rights, SourceKind
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import close_object_rights, implied_object_rights
from leastforce.errors import InputError
from leastforce.kinds import fixes
from leastforce.kinds.fixes import FixTarget
from leastforce.values.model import FieldRight, ObjectRight

_NONE: Mapping[str, frozenset[str]] = {}


class TargetKind(enum.Enum):
    PERMISSION = "permission"
    OBJECT = "object"
    OBJECT_RIGHT = "object_right"
    FIELD = "field"


@dataclass(frozen=True)
class Target:
    """What to explain; ``name`` is the API name (``Contact.Email`` for fields); ``right`` its key."""

    kind: TargetKind
    name: str
    right: str = ""  # ObjectRight / FieldRight key ("read", "edit" ...); "" for permissions and objects
    label: str = ""

    def __str__(self) -> str:
        return f"{self.name}:{self.right}" if self.right else self.name


@dataclass(frozen=True)
class Path:
    """One way the target is (or was, or would be) granted; ``right`` says which, for objects/fields."""

    grant: Grant
    right: str = ""
    note: str = ""


@dataclass(frozen=True)
class ExplainResult:
    """Why a user has (or lacks) a target. ``granted`` counts only active paths."""

    username: str
    target: Target
    granted: bool
    paths: tuple[Path, ...] = ()
    muted: tuple[Path, ...] = ()
    expired: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()
    suggestion: str = ""


def parse_target(
    text: str, catalog: Catalog, known_objects: Iterable[str] = (), known_permissions: Iterable[str] = ()
) -> Target:
    """A target from the command line; raises InputError (with suggestions) for an unknown one.

    ``known_*``: names the org has beyond the catalog (permissions from describe or the snapshot).
    """
    raw = text.strip()
    perm = catalog.find_permission(raw)
    if perm is not None:
        return Target(TargetKind.PERMISSION, perm.name, label=perm.label)
    if raw.removeprefix("Permissions") in set(known_permissions):
        return Target(TargetKind.PERMISSION, raw.removeprefix("Permissions"))
    head, _, right = raw.partition(":")
    obj, dot, fld = head.partition(".")
    std = catalog.find_object(obj)
    obj_name = std.name if std else obj
    if not std and not dot and not right and obj not in set(known_objects) and not obj.endswith("__c"):
        hint = ", ".join(catalog.suggest_permissions(raw))
        raise InputError(
            f"unknown permission or object {raw!r}" + (f" (did you mean {hint}?)" if hint else "")
        )
    try:
        if dot:
            key = FieldRight[right.strip().upper()].key if right else FieldRight.READ.key
            return Target(TargetKind.FIELD, f"{obj_name}.{fld}", key)
        if right:
            return Target(TargetKind.OBJECT_RIGHT, obj_name, ObjectRight.parse(right).key)
    except (KeyError, ValueError) as exc:
        raise InputError(f"unknown access {right!r} in {raw!r} (use read, create, edit, delete ...)") from exc
    return Target(TargetKind.OBJECT, obj_name, label=std.label if std else "")


def explain(access: EffectiveAccess, target: str | Target, catalog: Catalog) -> ExplainResult:
    """Every path that grants ``target`` to the user, the muted and expired ones, or what would grant it."""
    tgt = (
        target
        if isinstance(target, Target)
        else parse_target(target, catalog, access.objects, access.permissions)
    )
    paths = tuple(Path(g, right) for right, grants in target_grants(access, tgt).items() for g in grants)
    test = rights_test(tgt, access.open_fields)
    muted = tuple(
        Path(m.grant, tgt.right, f"muted by {m.muting_set}") for m in access.muted if test(m.removed)
    )
    expired = tuple(
        Path(g, tgt.right, i.reason) for i in access.ignored for g, rights in i.would_grant if test(rights)
    )
    notes = explain_notes(access, tgt)
    granted = bool(paths) and not (tgt.kind is TargetKind.FIELD and notes)
    suggestion = "" if granted else _suggest(access, tgt, catalog)
    return ExplainResult(access.user.username, tgt, granted, paths, muted, expired, notes, suggestion)


def target_grants(access: EffectiveAccess, target: Target) -> dict[str, tuple[Grant, ...]]:
    """The active grants for a target, keyed by right key ("" for a permission)."""
    match target.kind:
        case TargetKind.PERMISSION:
            grants = access.permissions.get(target.name, ())
            return {"": grants} if grants else {}
        case TargetKind.OBJECT:
            return {r.key: g for r, g in access.object_rights(target.name).items() if g}
        case TargetKind.OBJECT_RIGHT:
            grants = access.object_rights(target.name).get(ObjectRight[target.right.upper()], ())
            return {target.right: grants} if grants else {}
        case TargetKind.FIELD:
            grants = access.field_rights(target.name).get(FieldRight[target.right.upper()], ())
            return {target.right: grants} if grants else {}


def rights_test(
    target: Target, open_fields: Mapping[str, frozenset[str]] = _NONE
) -> Callable[[Rights], bool]:
    """Whether a source's rights grant the target directly or by implication (for muted/expired/who_has).

    ``open_fields``: object -> fields without field-level security (EffectiveAccess.open_fields).
    """
    match target.kind:
        case TargetKind.PERMISSION:
            return lambda r: target.name in r.permissions
        case TargetKind.OBJECT | TargetKind.OBJECT_RIGHT:
            wanted = {ObjectRight[target.right.upper()]} if target.right else set(ObjectRight)
            return lambda r: bool(
                wanted & (r.objects.get(target.name, frozenset()) | implied_object_rights(r.permissions))
            )
        case TargetKind.FIELD:
            obj, _, fld = target.name.partition(".")
            right = FieldRight[target.right.upper()]
            is_open = fld in open_fields.get(obj, frozenset())
            return lambda r: holds_field_right(
                right,
                field_rights=r.fields.get(target.name, frozenset()),
                object_rights=r.objects.get(obj, frozenset()),
                permissions=r.permissions,
                open_field=is_open,
            )


def explain_notes(access: EffectiveAccess, target: Target) -> tuple[str, ...]:
    """For a field: without Read on its object, field-level security alone shows nothing. For a
    permission: the catalog says the user's license cannot hold it (see leastforce.access.resolve)."""
    if target.kind is not TargetKind.FIELD:
        return _license_notes(access, target)
    obj = target.name.partition(".")[0]
    if access.object_rights(obj).get(ObjectRight.READ):
        return ()
    return (
        f"{access.user.username} has no Read on {obj}, so the field is not visible whatever its field-level security.",
    )


def _license_notes(access: EffectiveAccess, target: Target) -> tuple[str, ...]:
    granting = {g.name for grants in target_grants(access, target).values() for g in grants}
    notes = []
    for c in access.license_conflicts:
        if c.permission and c.permission == target.name:
            notes.append(
                f"The {c.license} license cannot hold {c.permission} (per the catalog), yet the org grants it:"
                " Salesforce refuses such a grant on save, so check the license or the catalog."
            )
        elif not c.permission and {g.name for g in c.grants} & granting:
            notes.append(f"License mismatch: {c.reason} (Salesforce refuses such an assignment).")
    return tuple(notes)


def _suggest(access: EffectiveAccess, target: Target, catalog: Catalog) -> str:
    """What would grant the target: the change in an assigned custom permission set, in Setup terms."""
    own = next(
        (a for a in access.assigned_sets if not a.namespace and a.kind is SourceKind.PERMISSION_SET), None
    )
    fix_target = (
        FixTarget(access.user.username, own.name, own.label) if own else FixTarget(access.user.username)
    )
    obj = target.name.partition(".")[0]
    match target.kind:
        case TargetKind.PERMISSION:
            return fixes.fix_permission(target.name, fix_target, catalog)
        case TargetKind.OBJECT:
            return fixes.fix_object(target.name, [ObjectRight.READ], [], fix_target, catalog)
        case TargetKind.OBJECT_RIGHT:
            right = ObjectRight[target.right.upper()]

            have = access.object_rights(target.name)
            lacking = [r for r in close_object_rights([right]) if r not in have]
            return fixes.fix_object(target.name, lacking, [], fix_target, catalog)
        case TargetKind.FIELD:
            steps = []
            if not target_grants(access, target):
                steps.append(
                    fixes.fix_field(target.name, [FieldRight[target.right.upper()]], fix_target, catalog)
                )
            if not access.object_rights(obj).get(ObjectRight.READ):
                steps.append(fixes.fix_object(obj, [ObjectRight.READ], [], fix_target, catalog))
            return " ".join(steps)
