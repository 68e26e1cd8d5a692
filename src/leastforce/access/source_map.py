"""SourceMap: a user's permissions, objects, fields or setup entities, OR-ed across its sources on demand.

EffectiveAccess exposes these as plain read-only mappings. A lookup scans the user's few active sources;
iterating builds the whole map once (from per-source entries shared by every user holding the source).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import Any

from leastforce.access.grants import Grant, Rights
from leastforce.values.model import IDENTITY_HASH, FieldRight, ObjectRight, SetupEntity, frozen_map


class Part(enum.Enum):
    """A part of Rights, as a SourceMap exposes it; the value is the Rights attribute name."""

    __hash__ = IDENTITY_HASH

    PERMISSIONS = "permissions"
    OBJECTS = "objects"
    FIELDS = "fields"
    SETUP_ENTITIES = "setup_entities"

    def __init__(self, attr: str) -> None:
        # Plain attributes for the hot paths: enum properties and ``.value`` go through a slow descriptor.
        self.attr = attr
        self.is_flat = attr in ("permissions", "setup_entities")

    @property
    def flat(self) -> bool:
        """Key -> grants (True), or key -> {right: grants} (False)."""
        return self.is_flat

    @property
    def order(self) -> tuple[Any, ...]:
        """The rights in declaration order, for nested parts."""
        return _ORDER[self.attr == "objects"]


# Enum iteration is slow; these are read once per joined key when a whole map is built.
_ORDER: dict[bool, tuple[Any, ...]] = {True: tuple(ObjectRight), False: tuple(FieldRight)}


def entries(rights: Rights, kind: Part, grant: Grant) -> dict[Any, Any]:
    """One source's entries for a SourceMap of ``kind``, each granted by ``grant`` alone (memoised on
    the Rights value, so users holding the same source share them)."""
    memo: dict[tuple[str, int], tuple[Grant, dict[Any, Any]]] = rights._memo  # type: ignore[attr-defined]
    hit = memo.get((kind.attr, id(grant)))
    if hit is not None and hit[0] is grant:
        return hit[1]
    if kind.flat:
        out: dict[Any, Any] = dict.fromkeys(getattr(rights, kind.value), (grant,))
    else:
        # One {right: grants} value per distinct set of rights (a source's thousands of fields carry a
        # handful of combinations), shared by every key that has it.
        order = kind.order
        shared: dict[frozenset[Any], Mapping[Any, tuple[Grant, ...]]] = {}
        out = {}
        for k, v in getattr(rights, kind.value).items():
            value = shared.get(v)
            if value is None:
                value = shared[v] = frozen_map({r: (grant,) for r in order if r in v})
            out[k] = value
    memo[(kind.attr, id(grant))] = (grant, out)
    return out


Sources = tuple[tuple[Grant, Rights], ...]


class SourceMap(Mapping[Any, Any]):
    """A read-only mapping over a user's active sources, OR-ing them on demand.

    A lookup scans the user's few sources (no merge of everything); iterating builds the whole map once
    and keeps it. ``kind`` picks the part of Rights: "permissions" / "setup_entities" map a key to its
    grants; "objects" / "fields" map a key to {right: grants} in the rights' declaration order.
    """

    __slots__ = ("_attr", "_flat", "_full", "_kind", "_order", "_sources")

    def __init__(self, sources: Sources, kind: Part) -> None:
        self._sources = sources
        self._kind = kind
        self._full: dict[Any, Any] | None = None
        # Read once: enum properties and member access are slow on the lookup path.
        self._attr = kind.attr
        self._flat = kind.is_flat
        self._order = () if self._flat else _ORDER[kind.attr == "objects"]

    @property
    def sources(self) -> Sources:
        """The user's active sources, in order: (grant, rights)."""
        return self._sources

    def __getitem__(self, key: Any) -> Any:
        if self._full is not None:
            return self._full[key]
        value = self._lookup(key)
        if not value:
            raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        """As Mapping.get, without raising and catching KeyError for a missing key."""
        if self._full is not None:
            return self._full.get(key, default)
        return self._lookup(key) or default

    def _lookup(self, key: Any) -> Any:
        attr = self._attr
        if self._flat:
            return tuple(g for g, r in self._sources if key in getattr(r, attr))
        by_right: dict[Any, list[Grant]] = {}
        for grant, rights in self._sources:
            for right in getattr(rights, attr).get(key, ()):
                by_right.setdefault(right, []).append(grant)
        return frozen_map({r: tuple(by_right[r]) for r in self._order if r in by_right})

    def _build(self) -> dict[Any, Any]:
        """The whole map: each source's (memoised) entries, joined where several sources share a key.

        The first source's entries are copied whole; keys met again are collected and joined once each
        (grants in source order), so the cost is linear in the entries of the user's sources.
        """
        if self._full is not None:
            return self._full
        kind = self._kind
        parts = [entries(rights, kind, grant) for grant, rights in self._sources]
        merged: dict[Any, Any] = dict(parts[0]) if parts else {}
        shared: dict[Any, list[Any]] = {}
        for part in parts[1:]:
            for key, value in part.items():
                before = merged.get(key)
                if before is None:
                    merged[key] = value
                else:
                    shared.setdefault(key, [before]).append(value)
        for key, values in shared.items():
            merged[key] = _join(values, kind)
        keys = sorted(merged, key=_sort_key) if kind is Part.SETUP_ENTITIES else sorted(merged)
        self._full = {k: merged[k] for k in keys}
        return self._full

    def __iter__(self) -> Iterator[Any]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return f"SourceMap({self._build()!r})"


def _join(values: list[Any], kind: Part) -> Any:
    """One key's values from several sources, OR-ed: grants concatenated in source order."""
    if kind.flat:
        return tuple(g for value in values for g in value)
    by_right: dict[Any, tuple[Grant, ...]] = {}
    for value in values:
        for right, grants in value.items():
            got = by_right.get(right)
            by_right[right] = grants if got is None else got + grants
    return frozen_map({r: by_right[r] for r in kind.order if r in by_right})


def _sort_key(key: SetupEntity) -> tuple[str, str]:
    return (key.type.value, key.name)
