"""Rows of the guide's permission set steps: objects, user permissions by Setup section, setup entities.

Each row carries the reasons from the manifest; rows that Salesforce adds by itself (a dependency of a
permission the admin ticks, Read under Edit ...) say so, so the admin keeps them instead of unticking them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import close_object_rights
from leastforce.desired import Need, NeedKind
from leastforce.values.model import FieldRight, ObjectRight, PermissionSet, SetupEntityType

# The Setup page of a permission set where each kind of setup entity is granted.
# Labels as shown in the permission set overview (seed 004's screenshot lists "External Credential Principal
# Access"); "Assigned External Client Apps" is UNVERIFIED.
ENTITY_PAGES = {
    SetupEntityType.APEX_CLASS: "Apex Class Access",
    SetupEntityType.APEX_PAGE: "Visualforce Page Access",
    SetupEntityType.CUSTOM_PERMISSION: "Custom Permissions",
    SetupEntityType.CONNECTED_APP: "Assigned Connected Apps",
    SetupEntityType.EXTERNAL_CLIENT_APP: "Assigned External Client Apps",
    SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL: "External Credential Principal Access",
    SetupEntityType.TAB: "Assigned Apps",
}
_SECTION_ORDER = {"App Permissions": 0, "System Permissions": 1, "": 2}
_RISKY = {"critical", "high"}


@dataclass(frozen=True)
class PermRow:
    """One user permission checkbox."""

    label: str
    api_name: str
    why: str
    optional: str  # "" or "Optional: only for feature export"
    auto_from: str  # "" or the label(s) of the permission(s) whose dependency it is
    risk: str  # "" unless high or critical
    risk_reason: str
    already_on: str = ""  # the base profile that already has it, or ""
    section: str = ""
    subsection: str = ""

    @property
    def text(self) -> str:
        """What to say after the checkbox: the reason, or that Salesforce adds it, and if already on."""
        parts = []
        if self.auto_from:
            parts.append(f"Salesforce turns it on with {self.auto_from}; keep it.")
        elif self.why:
            parts.append(sentence(self.why))
        if self.already_on:
            parts.append(f"Already on in {self.already_on}: check that it is ticked.")
        return " ".join(parts)


def sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it already ends with punctuation)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?:" else text + "."


@dataclass(frozen=True)
class PermGroup:
    """The permissions of one Setup section (App / System Permissions) and sub-section."""

    section: str
    subsection: str
    rows: tuple[PermRow, ...]


@dataclass(frozen=True)
class FieldRow:
    label: str
    api_name: str
    read: bool
    edit: bool
    why: str
    optional: str = ""  # "" or the note when only optional features need the field


@dataclass(frozen=True)
class ObjectRow:
    """One object in Object Settings: the boxes to tick (required, then optional-only), which of them
    Salesforce ticks by itself, and the reasons (optional ones prefixed with their note)."""

    label: str
    api_name: str
    rights: tuple[str, ...]
    optional_rights: tuple[str, ...]
    auto: tuple[str, ...]
    why: tuple[str, ...]
    optional: str  # "" or the note when the whole object is only for optional features
    optional_note: str  # the note for ``optional_rights``
    fields: tuple[FieldRow, ...]
    auto_from: str = ""  # label(s) of the permission(s) that pull this object access in, when none is asked


def _optional_note(needs: Iterable[Need], marked: frozenset[str]) -> str:
    features = {n.feature for n in needs}
    if features and features <= marked:
        return f"Optional (feature {', '.join(sorted(features))})"
    return ""


def _reasons(needs: Iterable[Need]) -> str:
    return " ".join(dict.fromkeys(sentence(n.why) for n in needs if n.why.strip()))


def permission_rows(
    permissions: Iterable[str],
    needs: Iterable[Need],
    catalog: Catalog,
    marked: frozenset[str],
    *,
    already_on: frozenset[str] = frozenset(),
    base_profile: str = "",
) -> tuple[PermRow, ...]:
    """One row per user permission, sorted by label (as Setup lists them)."""
    needs = tuple(n for n in needs if n.kind is NeedKind.USER_PERMISSION)
    rows = []
    for name in permissions:
        perm = catalog.permissions.get(name)
        mine = [n for n in needs if n.subject == name]
        asked = [n for n in mine if not n.required_by]
        parents = sorted({n.required_by for n in mine if n.required_by})
        risk = perm.risk.value if perm and perm.risk else ""
        rows.append(
            PermRow(
                label=perm.label if perm else name,
                api_name=name,
                why=_reasons(asked),
                optional=_optional_note(mine, marked),
                auto_from="" if asked else ", ".join(_label(catalog, p) for p in parents),
                risk=risk if risk in _RISKY else "",
                risk_reason=perm.risk_reason if perm and risk in _RISKY else "",
                already_on=base_profile if name in already_on else "",
                section=perm.section if perm else "",
                subsection=perm.subsection if perm else "",
            )
        )
    return tuple(sorted(rows, key=lambda r: r.label.casefold()))


def permission_groups(rows: Iterable[PermRow]) -> tuple[PermGroup, ...]:
    """The rows the admin ticks (not the dependencies Salesforce adds), by Setup section and sub-section."""
    groups: dict[tuple[str, str], list[PermRow]] = {}
    for row in rows:
        if not row.auto_from:
            groups.setdefault((row.section, row.subsection), []).append(row)
    ordered = sorted(groups, key=lambda k: (_SECTION_ORDER.get(k[0], 2), k[0], k[1]))
    return tuple(PermGroup(sec, sub, tuple(groups[(sec, sub)])) for sec, sub in ordered)


def dependency_rows(rows: Iterable[PermRow]) -> tuple[PermRow, ...]:
    """The rows Salesforce turns on by itself, because a permission the admin ticks depends on them."""
    return tuple(r for r in rows if r.auto_from)


def _label(catalog: Catalog, name: str) -> str:
    perm = catalog.permissions.get(name)
    return perm.label if perm else name


def object_rows(
    ps: PermissionSet, needs: Iterable[Need], catalog: Catalog, marked: frozenset[str]
) -> tuple[ObjectRow, ...]:
    """One row per object (with field permissions), in Object Settings' alphabetical order."""
    needs = tuple(needs)
    names = dict.fromkeys([*ps.objects, *(f.split(".", 1)[0] for f in ps.fields)])
    rows = [_object_row(ps, obj, needs, catalog, marked) for obj in names]
    return tuple(sorted(rows, key=lambda r: r.label.casefold()))


def _object_row(
    ps: PermissionSet, obj: str, needs: tuple[Need, ...], catalog: Catalog, marked: frozenset[str]
) -> ObjectRow:
    std = catalog.objects.get(obj)
    mine = [n for n in needs if n.kind is NeedKind.OBJECT and n.subject == obj]
    field_needs = [n for n in needs if n.kind is NeedKind.FIELD and n.subject.startswith(obj + ".")]
    required = [n for n in mine if n.feature not in marked]
    asked = {ObjectRight[k.upper()] for n in required if not n.required_by for k in n.rights}
    req_rights = close_object_rights(r for n in required for r in (ObjectRight[k.upper()] for k in n.rights))
    all_rights = ps.objects.get(obj, frozenset())
    optional_only = [n for n in mine if n.feature in marked]
    why = [sentence(n.why) for n in required if n.why.strip() and not n.required_by]
    # Object access a field row brings is explained by that field's own reason (in the field rows).
    why += [
        f"{_optional_note([n], marked)}: {sentence(n.why)}"
        for n in optional_only
        if n.why.strip() and not n.required_by.startswith(obj + ".")
    ]
    parents = sorted({n.required_by for n in required if n.required_by})
    return ObjectRow(
        label=std.plural_label if std else obj,
        api_name=obj,
        rights=tuple(r.label for r in ObjectRight if r in req_rights),
        optional_rights=tuple(r.label for r in ObjectRight if r in all_rights and r not in req_rights),
        auto=tuple(r.label for r in ObjectRight if r in req_rights and r not in asked) if asked else (),
        why=tuple(dict.fromkeys(why)),
        optional=_optional_note(mine + field_needs, marked),
        optional_note=_optional_note(optional_only, marked),
        fields=_field_rows(ps, obj, field_needs, catalog, marked, frozenset(n.why.strip() for n in mine)),
        auto_from="" if asked else ", ".join(_label(catalog, p) for p in parents),
    )


def _field_rows(
    ps: PermissionSet,
    obj: str,
    needs: list[Need],
    catalog: Catalog,
    marked: frozenset[str],
    said: frozenset[str] = frozenset(),
) -> tuple[FieldRow, ...]:
    """One row per field, with its reason unless the object's own reason already says it (``said``)."""
    std = catalog.objects.get(obj)
    out = []
    for fld, rights in sorted(ps.fields.items()):
        if not fld.startswith(obj + "."):
            continue
        name = fld.split(".", 1)[1]
        known = std.fields.get(name) if std else None
        mine = [n for n in needs if n.subject == fld]
        out.append(
            FieldRow(
                known.label if known else name,
                name,
                FieldRight.READ in rights,
                FieldRight.EDIT in rights,
                _reasons(n for n in mine if n.why.strip() not in said),
                _optional_note(mine, marked),
            )
        )
    return tuple(out)


def entity_rows(
    ps: PermissionSet, needs: Iterable[Need], marked: frozenset[str]
) -> tuple[tuple[str, str, str, str], ...]:
    """(Setup page, entity name, why, optional note) per setup entity, by page then name."""
    needs = tuple(n for n in needs if n.kind is NeedKind.SETUP_ENTITY)
    rows = []
    for entity in sorted(ps.setup_entities):
        mine = [n for n in needs if n.subject == f"{entity.type.value}:{entity.name}"]
        rows.append(
            (
                ENTITY_PAGES.get(entity.type, entity.type.value),
                entity.name,
                _reasons(mine),
                _optional_note(mine, marked),
            )
        )
    return tuple(sorted(rows))
