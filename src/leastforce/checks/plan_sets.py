"""Diff one permission set (or a profile's own set) against what the manifest needs: the set's fields, its
user permissions, and its ObjectPermissions / FieldPermissions rows. Pure.

Rows: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
and .../sforce_api_objects_fieldpermissions.htm (a row with every flag false is not kept, so a row losing
its last right is deleted rather than updated).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from leastforce.checks.plan_model import Action, Change, RowIds, Step
from leastforce.model import FieldRight, ObjectRight, PermissionSet, frozen_map

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


def object_rows(
    parent: Parent,
    wanted: Mapping[str, frozenset[ObjectRight]],
    have: Mapping[str, frozenset[ObjectRight]],
    ids: Mapping[str, str],
    *,
    remove_extra: bool,
    diff: Diff,
) -> None:
    """Create, widen or narrow ObjectPermissions rows so that ``have`` becomes ``wanted``.

    Without ``remove_extra`` (a profile's rows, which carry its base profile's access) rights are only added.
    """
    for obj in sorted(set(wanted) | set(have)):
        old = have.get(obj, frozenset())
        new = wanted.get(obj, frozenset()) | (frozenset() if remove_extra else old)
        where = f"{parent.title}, Object Settings > {obj}"
        if new == old:
            if new:
                diff.matches.append(f"{where}: {_names(new)}")
            continue
        values, refs = parent.fields()
        if not old:
            diff.changes.append(
                Change(
                    Step.ROWS_GROW,
                    Action.CREATE,
                    "ObjectPermissions",
                    f"{parent.title}/{obj}",
                    f"{where}: grant {_names(new)}",
                    frozen_map({**values, "SobjectType": obj, **object_flags(new)}),
                    frozen_map(refs),
                )
            )
            continue
        row_id = ids.get(obj, "")
        grow = not (old - new)
        step = Step.ROWS_GROW if grow else Step.ROWS_SHRINK
        if not new:
            before = {"ParentId": parent.record_id, "SobjectType": obj, **object_flags(old)}
            diff.changes.append(
                Change(
                    step,
                    Action.DELETE,
                    "ObjectPermissions",
                    f"{parent.title}/{obj}",
                    f"{where}: remove {_names(old)} (not in the manifest)",
                    record_id=row_id,
                    before=frozen_map(before),
                )
            )
            continue
        added, removed = new - old, old - new
        words = [f"grant {_names(added)}"] if added else []
        words += [f"remove {_names(removed)} (not in the manifest)"] if removed else []
        diff.changes.append(
            Change(
                step,
                Action.UPDATE,
                "ObjectPermissions",
                f"{parent.title}/{obj}",
                f"{where}: {'; '.join(words)}",
                frozen_map(object_flags(new)),
                record_id=row_id,
                before=frozen_map(object_flags(old)),
            )
        )


def field_rows(
    parent: Parent,
    wanted: Mapping[str, frozenset[FieldRight]],
    have: Mapping[str, frozenset[FieldRight]],
    ids: Mapping[str, str],
    *,
    remove_extra: bool,
    diff: Diff,
) -> None:
    """Create, widen or narrow FieldPermissions rows (``Field`` is ``Object.Field``)."""
    for name in sorted(set(wanted) | set(have)):
        old = have.get(name, frozenset())
        new = wanted.get(name, frozenset()) | (frozenset() if remove_extra else old)
        obj = name.split(".", 1)[0]
        where = f"{parent.title}, Object Settings > {obj} > Field Permissions > {name}"
        if new == old:
            if new:
                diff.matches.append(f"{where}: {_names(new)}")
            continue
        values, refs = parent.fields()
        key = f"{parent.title}/{name}"
        if not old:
            diff.changes.append(
                Change(
                    Step.ROWS_GROW,
                    Action.CREATE,
                    "FieldPermissions",
                    key,
                    f"{where}: grant {_names(new)}",
                    frozen_map({**values, "SobjectType": obj, "Field": name, **field_flags(new)}),
                    frozen_map(refs),
                )
            )
        elif not new:
            before = {"ParentId": parent.record_id, "SobjectType": obj, "Field": name, **field_flags(old)}
            diff.changes.append(
                Change(
                    Step.ROWS_SHRINK,
                    Action.DELETE,
                    "FieldPermissions",
                    key,
                    f"{where}: remove {_names(old)} (not in the manifest)",
                    record_id=ids.get(name, ""),
                    before=frozen_map(before),
                )
            )
        else:
            step = Step.ROWS_GROW if not (old - new) else Step.ROWS_SHRINK
            diff.changes.append(
                Change(
                    step,
                    Action.UPDATE,
                    "FieldPermissions",
                    key,
                    f"{where}: {_names(new)} (was {_names(old)})",
                    frozen_map(field_flags(new)),
                    record_id=ids.get(name, ""),
                    before=frozen_map(field_flags(old)),
                )
            )


def rows_of(
    parent: Parent, wanted: PermissionSet, have: PermissionSet | None, ids: RowIds, *, remove_extra: bool
) -> Diff:
    """Object and field row changes for one set."""
    diff = Diff()
    current_objects = have.objects if have else frozen_map()
    current_fields = have.fields if have else frozen_map()
    object_rows(
        parent, wanted.objects, current_objects, ids.objects, remove_extra=remove_extra, diff=diff
    )
    field_rows(parent, wanted.fields, current_fields, ids.fields, remove_extra=remove_extra, diff=diff)
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
