"""The Catalog: Salesforce's permission facts, looked up by API name, label or field name."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from leastforce.catalog.rights import close_object_rights
from leastforce.catalog.types import (
    Dependency,
    License,
    NoObjectPermissions,
    PermissionType,
    Source,
    StandardObject,
    StandardProfile,
    UserPermission,
)
from leastforce.values.model import ObjectRight, frozen_map

# PermissionDependency encodes object permissions as "Object<verb>" (e.g. "Case<update>").
_OBJECT_PERM = re.compile(r"^\s*(?P<object>[\w.]+)\s*<\s*(?P<verb>\w+)\s*>\s*$")
_VERBS = {
    "read": ObjectRight.READ,
    "create": ObjectRight.CREATE,
    "update": ObjectRight.EDIT,
    "edit": ObjectRight.EDIT,
    "delete": ObjectRight.DELETE,
    "viewallrecords": ObjectRight.VIEW_ALL_RECORDS,
    "modifyallrecords": ObjectRight.MODIFY_ALL_RECORDS,
    "viewallfields": ObjectRight.VIEW_ALL_FIELDS,
}
_VERB_OF = {
    ObjectRight.READ: "read",
    ObjectRight.CREATE: "create",
    ObjectRight.EDIT: "update",
    ObjectRight.DELETE: "delete",
    ObjectRight.VIEW_ALL_RECORDS: "viewAllRecords",
    ObjectRight.MODIFY_ALL_RECORDS: "modifyAllRecords",
    ObjectRight.VIEW_ALL_FIELDS: "viewAllFields",
}


def _norm(text: str) -> str:
    """Case- and whitespace-insensitive key."""
    return re.sub(r"\s+", " ", text).strip().casefold()


# How similar (difflib ratio, squashed text) a name must be to be suggested; 0.6 suggested unrelated names.
_SUGGEST_CUTOFF = 0.75
_PREFIX_SCORE = 0.9  # every word starts a label word: ranked above mere similarity


def _squash(text: str) -> str:
    """Case-folded, without spaces, underscores or dashes: "View All-Data" -> "viewalldata"."""
    return re.sub(r"[\s_-]+", "", text).casefold()


def _starts_words(words: list[str], label_words: list[str]) -> bool:
    """Every word of ``words`` starts a word of ``label_words``, in order (a non-empty prefix match)."""
    position = 0
    for word in words:
        while position < len(label_words) and not label_words[position].startswith(word):
            position += 1
        if position == len(label_words):
            return False
        position += 1
    return bool(words)


def parse_object_permission(text: str) -> tuple[str, ObjectRight] | None:
    """``"Case<update>"`` -> ("Case", EDIT); None when the text is not in that form."""
    match = _OBJECT_PERM.match(text)
    if not match:
        return None
    right = _VERBS.get(match["verb"].casefold())
    return (match["object"], right) if right else None


def format_object_permission(obj: str, right: ObjectRight) -> str:
    """("Case", EDIT) -> ``"Case<update>"``, PermissionDependency's encoding."""
    return f"{obj}<{_VERB_OF[right]}>"


@dataclass(frozen=True, eq=False)
class Catalog:
    """Salesforce's permission facts: read-only mappings keyed by API name, plus lookups."""

    permissions: Mapping[str, UserPermission]
    dependencies: tuple[Dependency, ...]
    objects: Mapping[str, StandardObject]
    licenses: Mapping[str, License]
    profiles: Mapping[str, StandardProfile]
    sources: Mapping[str, Source]
    # Objects without object permissions beyond ``objects`` (named), and <Parent><suffix> rules.
    objects_without_permissions: Mapping[str, NoObjectPermissions] = field(default_factory=frozen_map)
    suffixes_without_permissions: tuple[NoObjectPermissions, ...] = ()

    # -- user permissions -------------------------------------------------------------------
    @cached_property
    def _permission_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for perm in self.permissions.values():  # labels first so API names win on collisions
            index.setdefault(_norm(perm.label), perm.name)
            if perm.describe_label:
                index.setdefault(_norm(perm.describe_label), perm.name)
        for perm in self.permissions.values():
            index[_norm(perm.name)] = perm.name
            index[_norm(perm.field_name)] = perm.name
        return index

    def find_permission(self, text: str) -> UserPermission | None:
        """By API name, ``Permissions``-prefixed field name or label; case- and whitespace-tolerant."""
        name = self._permission_index.get(_norm(text))
        if name is None:  # "View All Data" written without spaces, or "View  all-data"
            squashed = re.sub(r"[\s_-]+", "", text).casefold()
            name = self._permission_index.get(squashed)
        return self.permissions.get(name) if name else None

    def suggest_permissions(self, text: str, limit: int = 3) -> list[str]:
        """'Did you mean' API names for an unknown permission: only names that are really close.

        A candidate is an API name or label (never the ``Permissions``-prefixed field name, whose prefix
        made "Session Security Level" look like "PermissionsEditEvent"). It qualifies when, squashed
        (no spaces, case-folded), it is at least ``_SUGGEST_CUTOFF`` similar to the squashed text, or when
        every word of the text starts a word of the label in order ("apex rest" -> Apex REST Services,
        ranked above mere similarity). Best first, then by API name.
        """
        query = _squash(text).removeprefix("permissions")
        words = _norm(text).split()
        if not query:
            return []
        scored: dict[str, float] = {}
        for perm in self.permissions.values():
            score = max(
                difflib.SequenceMatcher(None, query, _squash(candidate)).ratio()
                for candidate in (perm.name, perm.label, perm.describe_label or perm.label)
            )
            if _starts_words(words, _norm(perm.label).split()):
                score = _PREFIX_SCORE + score / 10  # prefix matches first, the closest of them first
            if score >= _SUGGEST_CUTOFF:
                scored[perm.name] = max(score, scored.get(perm.name, 0.0))
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
        return [name for name, _ in ranked[:limit]]

    # -- dependencies -----------------------------------------------------------------------
    @cached_property
    def _requires(self) -> dict[str, list[Dependency]]:
        graph: dict[str, list[Dependency]] = {}
        for dep in self.dependencies:
            if dep.permission_type == PermissionType.USER.value:
                graph.setdefault(dep.permission, []).append(dep)
        return graph

    def direct_dependencies(self, name: str) -> tuple[Dependency, ...]:
        """The rows whose ``permission`` is this user permission."""
        return tuple(self._requires.get(name, ()))

    def required_permissions(self, name: str) -> frozenset[str]:
        """Every user permission ``name`` needs, transitively (without ``name`` itself)."""
        seen: set[str] = set()
        todo = [name]
        while todo:
            for dep in self._requires.get(todo.pop(), ()):
                req = dep.required_permission
                if dep.required_permission_type == PermissionType.USER.value and req not in seen:
                    seen.add(req)
                    todo.append(req)
        seen.discard(name)
        return frozenset(seen)

    def required_object_rights(self, name: str) -> Mapping[str, frozenset[ObjectRight]]:
        """Object rights ``name`` (or anything it needs) requires, closed: {"Case": {READ, EDIT}}."""
        rights: dict[str, set[ObjectRight]] = {}
        for perm in {name} | self.required_permissions(name):
            for dep in self._requires.get(perm, ()):
                if dep.required_permission_type != PermissionType.OBJECT.value:
                    continue
                parsed = parse_object_permission(dep.required_permission)
                if parsed:
                    rights.setdefault(parsed[0], set()).add(parsed[1])
        return frozen_map({obj: close_object_rights(r) for obj, r in sorted(rights.items())})

    def replace_dependencies(self, rows: Iterable[Dependency | Mapping[str, Any]]) -> Catalog:
        """A copy whose dependencies are a live org's PermissionDependency rows (de-duplicated).

        Rows may be Dependency values or Tooling API records (Permission, PermissionType,
        RequiredPermission, RequiredPermissionType); the Tooling cursor can repeat batches.
        """
        unique: dict[tuple[str, str, str, str], Dependency] = {}
        for row in rows:
            dep = row if isinstance(row, Dependency) else _dependency_from_record(row)
            key = (dep.permission, dep.permission_type, dep.required_permission, dep.required_permission_type)
            unique.setdefault(key, dep)
        return replace(self, dependencies=tuple(unique.values()))

    # -- objects, licenses, profiles --------------------------------------------------------
    @cached_property
    def _object_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for obj in self.objects.values():
            index.setdefault(_norm(obj.plural_label), obj.name)
            index.setdefault(_norm(obj.label), obj.name)
        for obj in self.objects.values():
            index[_norm(obj.name)] = obj.name
        return index

    def find_object(self, text: str) -> StandardObject | None:
        """By API name, label or plural label, case-insensitively."""
        name = self._object_index.get(_norm(text))
        return self.objects.get(name) if name else None

    def object_without_permissions(self, name: str) -> NoObjectPermissions | None:
        """Why ``name`` takes no object permissions and what grants access instead; None when it takes them
        (or the catalog does not know the object: ask the org's describe).

        Covers the catalog's standard objects marked ``permissionable: false`` (Task, CaseComment ...),
        named objects (AccountTeamMember, OpportunityStage ...) and the associated objects of a known or
        custom parent: <Parent>History / Share / Feed, Foo__History / Foo__Share / Foo__Feed.
        """
        obj = self.find_object(name)
        if obj is not None:
            if obj.permissionable:
                return None
            return NoObjectPermissions(
                obj.name, f"{obj.name} takes no object permissions", obj.note, "", obj.sources, True
            )
        named = {_norm(k): v for k, v in self.objects_without_permissions.items()}.get(_norm(name))
        if named is not None:
            return named
        return self._associated_object(name.strip())

    def _associated_object(self, name: str) -> NoObjectPermissions | None:
        for rule in self.suffixes_without_permissions:
            custom = f"__{rule.object}"
            if name.endswith(custom) and len(name) > len(custom):
                parent = name.removesuffix(custom) + "__c"
            elif name.endswith(rule.object) and (known := self.find_object(name.removesuffix(rule.object))):
                parent = known.name
            else:
                continue
            return replace(
                rule,
                object=name,
                parent=parent,
                reason=rule.reason.replace("{parent}", parent),
                access_from=rule.access_from.replace("{parent}", parent),
            )
        return None

    def find_license(self, text: str) -> License | None:
        """By name (MasterLabel) or developer name, case-insensitively."""
        key = _norm(text)
        if not key:
            return None
        for lic in self.licenses.values():
            if key in (_norm(lic.name), _norm(lic.developer_name)):
                return lic
        return None

    def find_profile(self, text: str) -> StandardProfile | None:
        """By profile name, case-insensitively ("Admin" finds System Administrator, as in metadata)."""
        key = _norm(text)
        for profile in self.profiles.values():
            if key == _norm(profile.name):
                return profile
        return self.profiles.get(_METADATA_PROFILE_NAMES.get(key, ""))


# Standard profiles' file names in Metadata API differ from their UI names.
# https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_profile.htm
_METADATA_PROFILE_NAMES = {
    "admin": "System Administrator",
    "standard": "Standard User",
    "readonly": "Read Only",
}


def _dependency_from_record(record: Mapping[str, Any]) -> Dependency:
    def value(key: str) -> str:
        return str(record.get(key) or record.get(key[0].lower() + key[1:]) or "")

    def perm(text: str, kind: str) -> str:
        return text.removeprefix("Permissions") if kind == PermissionType.USER.value else text

    kind = value("PermissionType")
    req_kind = value("RequiredPermissionType")
    return Dependency(
        permission=perm(value("Permission"), kind),
        permission_type=kind,
        required_permission=perm(value("RequiredPermission"), req_kind),
        required_permission_type=req_kind,
        source="org",
    )
