"""PackedRights: a permission set's field map as two arrays, read without building a dict.

A large org's permission sets hold 1.5 million field rows naming a few thousand distinct fields with a
handful of right combinations. Held as dicts, they are most of a snapshot's memory and most of the time
of loading a snapshot file. Packed, a set's map is each field's index in a name table shared by every
set, and each field's rights as an index in a table of right sets: 5 bytes a field.

Lookups (``in``, ``get``, ``[]``) are a binary search of the set's ascending indexes (about a
microsecond) and build nothing; the first walk over the whole map (iteration, ``items``, equality)
builds its dict once and keeps it, so no walk is quadratic.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from itertools import islice
from operator import lt
from typing import Any, TypeVar

V = TypeVar("V")
_CODES = bytes(range(256))


class NameTable:
    """The names packed maps index into, and each name's index (shared by every map of one source)."""

    __slots__ = ("names", "positions")

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.positions = {name: i for i, name in enumerate(names)}


class PackedRights(Mapping[str, V]):
    """A read-only map of names to values, packed: ``keys`` indexes ``table.names``, ``codes`` (one byte
    per key, same order) indexes ``values``. Keys in ascending order (as snapshot files store them) are
    searched as they are; others are sorted once, at the first lookup."""

    __slots__ = ("_built", "_codes", "_keys", "_search", "_table", "_values")

    def __init__(self, table: NameTable, keys: Sequence[int], codes: bytes, values: tuple[V, ...]) -> None:
        """``keys``: a list (as decoded: checked fastest) or an array of name indexes."""
        if len(keys) != len(codes):
            raise ValueError(f"{len(keys)} keys but {len(codes)} values")
        if codes.translate(None, _CODES[: len(values)]):  # any byte left is no value's code
            raise ValueError(f"value code {max(codes)} is out of range")
        if keys and max(keys) >= len(table.names):
            raise ValueError(f"name index {max(keys)} is out of range")
        self._keys = keys if isinstance(keys, array) and keys.typecode == "I" else array("I", keys)
        self._table, self._codes, self._values = table, codes, values
        self._built: dict[str, V] | None = None
        self._search: tuple[array[int], bytes] | None = None  # keys ascending, their codes

    def _at(self, key: object) -> int:
        """The code of ``key`` in this map, or -1: a binary search of the ascending keys (in C)."""
        index = self._table.positions.get(key) if isinstance(key, str) else None
        if index is None:
            return -1
        if self._search is None:
            self._search = _ascending(self._keys, self._codes)
        keys, codes = self._search
        at = bisect_left(keys, index)
        return codes[at] if at < len(keys) and keys[at] == index else -1

    def __getitem__(self, key: str) -> V:
        if self._built is not None:
            return self._built[key]
        code = self._at(key)
        if code < 0:
            raise KeyError(key)
        return self._values[code]

    def get(self, key: str, default: Any = None) -> Any:
        if self._built is not None:
            return self._built.get(key, default)
        code = self._at(key)
        return default if code < 0 else self._values[code]

    def __contains__(self, key: object) -> bool:
        if self._built is not None:
            return key in self._built
        return self._at(key) >= 0

    def _dict(self) -> dict[str, V]:
        if self._built is None:
            names, values = self._table.names, self._values
            self._built = dict(
                zip(map(names.__getitem__, self._keys), map(values.__getitem__, self._codes), strict=True)
            )
        return self._built

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._keys)

    def keys(self) -> KeysView[str]:
        return self._dict().keys()

    def values(self) -> ValuesView[V]:
        return self._dict().values()

    def items(self) -> ItemsView[str, V]:
        return self._dict().items()

    def distinct_values(self) -> set[V]:
        """The set of values held, without building the map."""
        return {self._values[code] for code in set(self._codes)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return self._dict() == (other._dict() if isinstance(other, PackedRights) else dict(other.items()))

    __hash__ = None  # type: ignore[assignment]  # a mapping: unhashable, like dict

    def __repr__(self) -> str:
        return f"PackedRights({len(self)} keys)"


def _ascending(keys: array[int], codes: bytes) -> tuple[array[int], bytes]:
    """``keys`` and ``codes`` ordered by key: as they are when already ascending (checked in C)."""
    if all(map(lt, keys, islice(keys, 1, None))):
        return keys, codes
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return array("I", map(keys.__getitem__, order)), bytes(map(codes.__getitem__, order))
