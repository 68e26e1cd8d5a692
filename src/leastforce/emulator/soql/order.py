"""ORDER BY, LIMIT and OFFSET over an iterable of rows.

Sorting is case-insensitive and nulls sort first unless NULLS LAST, in either direction
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm).
With a small LIMIT only the needed rows are kept (heapq.nsmallest is a stable partial sort).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from leastforce.emulator.soql.resolve import Getter, Row

SortKey = Callable[[Row], Any]


class Descending:
    """Wraps a value so that it sorts in reverse."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: Descending) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Descending) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)


def sort_key(columns: Sequence[tuple[Getter, Callable[[Any], Any] | None, bool, bool]]) -> SortKey:
    """A key from (getter, normaliser, descending, nulls_last) per ORDER BY item."""
    if len(columns) == 1:
        return _single_key(*columns[0])

    def key(row: Row) -> tuple[Any, ...]:
        parts: list[Any] = []
        for get, norm, descending, nulls_last in columns:
            value = get(row)
            if value is None:
                parts.append((2,) if nulls_last else (0,))
                continue
            if norm is not None:
                value = norm(value)
            parts.append((1, Descending(value) if descending else value))
        return tuple(parts)

    return key


def _single_key(
    get: Getter, norm: Callable[[Any], Any] | None, descending: bool, nulls_last: bool
) -> SortKey:
    """The common one-column ORDER BY without the per-row tuple of tuples."""
    null = (2,) if nulls_last else (0,)
    if descending:
        return lambda row: null if (v := get(row)) is None else (1, Descending(norm(v) if norm else v))
    if norm is None:
        return lambda row: null if (v := get(row)) is None else (1, v)
    return lambda row: null if (v := get(row)) is None else (1, norm(v))


def window(rows: Iterable[Row], key: SortKey | None, limit: int | None, offset: int) -> list[Row]:
    """Rows `offset` .. `offset + limit` of `rows` in `key` order (input order when no key)."""
    stop = None if limit is None else offset + limit
    if key is None:
        return list(itertools.islice(rows, offset, stop))
    if stop is not None and stop <= 10_000:
        return heapq.nsmallest(stop, rows, key=key)[offset:]
    ordered = sorted(rows, key=key)
    return ordered[offset:stop]
