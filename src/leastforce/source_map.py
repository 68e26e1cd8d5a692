"""SourceMap: a user's permissions, objects, fields or setup entities, OR-ed across its sources on demand.

EffectiveAccess exposes these as plain read-only mappings. A lookup scans the user's few active sources;
iterating builds the whole map once (from per-source entries shared by every user holding the source).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import Any

from leastforce.grants import Grant, Rights
from leastforce.model import FieldRight, ObjectRight, SetupEntity, frozen_map


class Part(enum.Enum):
    """A part of Rights, as a SourceMap exposes it; the value is the Rights attribute name."""

    PERMISSIONS = "permissions"
    OBJECTS = "objects"
    FIELDS = "fields"
    SETUP_ENTITIES = "setup_entities"

    @property
    def flat(self) -> bool:
        """Key -> grants (True), or key -> {right: grants} (False)."""
        return self in (Part.PERMISSIONS, Part.SETUP_ENTITIES)

    @property
    def order(self) -> tuple[Any, ...]:
        """The rights in declaration order, for nested parts."""
        return tuple(ObjectRight) if self is Part.OBJECTS else tuple(FieldRight)


def entries(rights: Rights, kind: Part, grant: Grant) -> dict[Any, Any]:
    """One source's entries for a SourceMap of ``kind``, each granted by ``grant`` alone (memoised on
    the Rights value, so users holding the same source share them)."""
    memo: dict[tuple[str, int], tuple[Grant, dict[Any, Any]]] = rights._memo  # type: ignore[attr-defined]
    hit = memo.get((kind.value, id(grant)))
    if hit is not None and hit[0] is grant:
        return hit[1]
    if kind.flat:
        out: dict[Any, Any] = dict.fromkeys(getattr(rights, kind.value), (grant,))
    else:
        order = kind.order
        out = {
            k: frozen_map({r: (grant,) for r in order if r in v})
            for k, v in getattr(rights, kind.value).items()
        }
    memo[(kind.value, id(grant))] = (grant, out)
    return out


Sources = tuple[tuple[Grant, Rights], ...]


class SourceMap(Mapping[Any, Any]):
    """A read-only mapping over a user's active sources, OR-ing them on demand.

    A lookup scans the user's few sources (no merge of everything); iterating builds the whole map once
    and keeps it. ``kind`` picks the part of Rights: "permissions" / "setup_entities" map a key to its
    grants; "objects" / "fields" map a key to {right: grants} in the rights' declaration order.
    """

    __slots__ = ("_full", "_kind", "_sources")

    def __init__(self, sources: Sources, kind: Part) -> None:
        self._sources = sources
        self._kind = kind
        self._full: dict[Any, Any] | None = None

    def __getitem__(self, key: Any) -> Any:
        if self._full is not None:
            return self._full[key]
        value = self._lookup(key)
        if not value:
            raise KeyError(key)
        return value

    def _lookup(self, key: Any) -> Any:
        kind = self._kind
        if kind.flat:
            return tuple(g for g, r in self._sources if key in getattr(r, kind.value))
        by_right: dict[Any, list[Grant]] = {}
        for grant, rights in self._sources:
            for right in getattr(rights, kind.value).get(key, ()):
                by_right.setdefault(right, []).append(grant)
        return frozen_map({r: tuple(by_right[r]) for r in kind.order if r in by_right})

    def _build(self) -> dict[Any, Any]:
        """The whole map: each source's (memoised) entries, merged where several sources share a key."""
        if self._full is not None:
            return self._full
        merged: dict[Any, Any] = {}
        flat = self._kind.flat
        for grant, rights in self._sources:
            for key, value in entries(rights, self._kind, grant).items():
                before = merged.get(key)
                merged[key] = value if before is None else _join(before, value, flat, self._kind)
        keys = sorted(merged, key=_sort_key) if self._kind is Part.SETUP_ENTITIES else sorted(merged)
        self._full = {k: merged[k] for k in keys}
        return self._full

    def __iter__(self) -> Iterator[Any]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return f"SourceMap({self._build()!r})"


def _join(before: Any, value: Any, flat: bool, kind: Part) -> Any:
    if flat:
        return before + value
    return frozen_map(
        {r: before.get(r, ()) + value.get(r, ()) for r in kind.order if r in before or r in value}
    )


def _sort_key(key: SetupEntity) -> tuple[str, str]:
    return (key.type.value, key.name)
