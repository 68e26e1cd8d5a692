"""Diff one permission set (or a profile's own set) against what the manifest needs: the set's fields, its
user permissions, and its ObjectPermissions / FieldPermissions rows. Pure.

Rows: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
and .../sforce_api_objects_fieldpermissions.htm (a row with every flag false is not kept, so a row losing
its last right is deleted rather than updated).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leastforce.desired import MANAGED_MARKER
from leastforce.planning.changes import Action, Change, RowIds, Step
from leastforce.values.model import FieldRight, ObjectRight, PermissionSet, frozen_map

Label = Callable[[str], str]  # user permission API name -> Setup label


@dataclass
class Diff:
    """Changes, matches and notes gathered while diffing."""

    changes: list[Change] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Parent:
    """Where rows go: an existing set's Id, or the key of a set created in the same apply."""

    title: str  # "permission set "Upflow Permissions"" or "profile "Upflow API Profile""
    record_id: str = ""
    ref: str = ""

    def fields(self) -> tuple[dict[str, str], dict[str, str]]:
        """(values, refs) for a row's ParentId."""
        return ({"ParentId": self.record_id}, {}) if self.record_id else ({}, {"ParentId": self.ref})


def object_flags(rights: frozenset[ObjectRight]) -> dict[str, bool]:
    return {r.value: r in rights for r in ObjectRight}


def field_flags(rights: frozenset[FieldRight]) -> dict[str, bool]:
    return {r.value: r in rights for r in FieldRight}


def _names(rights: frozenset[ObjectRight] | frozenset[FieldRight]) -> str:
    order = [r for r in (*ObjectRight, *FieldRight) if r in rights]
    return ", ".join(r.label if isinstance(r, ObjectRight) else r.key.title() for r in order)


@dataclass(frozen=True)
class RowKind:
    """ObjectPermissions or FieldPermissions: how a row is named, flagged and shown in Setup."""

    sobject: str
    flags: Callable[[Any], dict[str, bool]]
    identity: Callable[[str], dict[str, str]]  # row name -> the fields that identify it on its parent
    where: Callable[[str], str]  # row name -> its place under Object Settings


OBJECT_ROWS = RowKind(
    "ObjectPermissions",
    object_flags,
    lambda obj: {"SobjectType": obj},
    lambda obj: obj,
)
FIELD_ROWS = RowKind(
    "FieldPermissions",
    field_flags,
    lambda name: {"SobjectType": name.split(".", 1)[0], "Field": name},
    lambda name: f"{name.split('.', 1)[0]} > Field Permissions > {name}",
)


def row_changes(
    kind: RowKind,
    parent: Parent,
    wanted: Mapping[str, frozenset[Any]],
    have: Mapping[str, frozenset[Any]],
    ids: Mapping[str, str],
    *,
    remove_extra: bool,
    diff: Diff,
) -> None:
    """Create, widen, narrow or delete rows so that ``have`` becomes ``wanted``. Without ``remove_extra``
    (a profile's rows, which carry its base profile's access) rights are only added."""
    for name in sorted(set(wanted) | set(have)):
        old = have.get(name, frozenset())
        new = wanted.get(name, frozenset()) | (frozenset() if remove_extra else old)
        if new == old:
            if new:
                diff.matches.append(f"{parent.title}, Object Settings > {kind.where(name)}: {_names(new)}")
            continue
        diff.changes.append(_row_change(kind, parent, name, old, new, ids.get(name, "")))


def _row_change(
    kind: RowKind, parent: Parent, name: str, old: frozenset[Any], new: frozenset[Any], row_id: str
) -> Change:
    where = f"{parent.title}, Object Settings > {kind.where(name)}"
    key = f"{parent.title}/{name}"
    if not old:
        values, refs = parent.fields()
        return Change(
            Step.ROWS_GROW,
            Action.CREATE,
            kind.sobject,
            key,
            f"{where}: grant {_names(new)}",
            frozen_map({**values, **kind.identity(name), **kind.flags(new)}),
            frozen_map(refs),
        )
    # Losing rights waits until the set's user permissions that may need them are gone (Step order).
    step = Step.ROWS_GROW if not (old - new) else Step.ROWS_SHRINK
    if not new:  # a row with every flag false is not kept: delete it
        before = {"ParentId": parent.record_id, **kind.identity(name), **kind.flags(old)}
        return Change(
            step,
            Action.DELETE,
            kind.sobject,
            key,
            f"{where}: remove {_names(old)} (not in the manifest)",
            record_id=row_id,
            before=frozen_map(before),
        )
    added, removed = new - old, old - new
    words = [f"grant {_names(added)}"] if added else []
    words += [f"remove {_names(removed)} (not in the manifest)"] if removed else []
    return Change(
        step,
        Action.UPDATE,
        kind.sobject,
        key,
        f"{where}: {'; '.join(words)}",
        frozen_map(kind.flags(new)),
        record_id=row_id,
        before=frozen_map(kind.flags(old)),
    )


def rows_of(
    parent: Parent, wanted: PermissionSet, have: PermissionSet | None, ids: RowIds, *, remove_extra: bool
) -> Diff:
    """Object and field row changes for one set."""
    diff = Diff()
    for kind, want, had, row_ids in (
        (OBJECT_ROWS, wanted.objects, have.objects if have else frozen_map(), ids.objects),
        (FIELD_ROWS, wanted.fields, have.fields if have else frozen_map(), ids.fields),
    ):
        row_changes(kind, parent, want, had, row_ids, remove_extra=remove_extra, diff=diff)
    return diff


def permission_flags(added: frozenset[str], removed: frozenset[str]) -> dict[str, bool]:
    """``Permissions<Name>`` fields for a write: true for added, false for removed."""
    return {f"Permissions{n}": True for n in sorted(added)} | {
        f"Permissions{n}": False for n in sorted(removed)
    }


def describe_perms(added: frozenset[str], removed: frozenset[str], label: Label) -> str:
    words = [f"enable {', '.join(label(n) for n in sorted(added))}"] if added else []
    if removed:
        words.append(f"disable {', '.join(label(n) for n in sorted(removed))} (not in the manifest)")
    return "; ".join(words)


@dataclass(frozen=True)
class Target:
    """A record apply refers to: an existing Id, or the key of a record created earlier in the apply."""

    record_id: str = ""
    ref: str = ""

    @property
    def known(self) -> bool:
        return bool(self.record_id or self.ref)


def is_managed(description: str) -> bool:
    """Sets and profiles leastforce created carry the marker at the start of their description."""
    return description.startswith(MANAGED_MARKER)


def merge(diff: Diff, other: Diff) -> None:
    diff.changes.extend(other.changes)
    diff.matches.extend(other.matches)
