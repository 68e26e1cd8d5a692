"""Where a right comes from, in words, for the ``why: TODO (granted by ...)`` of an adopted requirement."""

from __future__ import annotations

from collections.abc import Iterable

from leastforce.access.grants import Grant, describe_grant, root_grant


def sources(grants: Iterable[Grant]) -> tuple[str, ...]:
    """Each source once, sorted; an implied grant by the grant it comes from in the end."""
    return tuple(sorted({describe_grant(root_grant(g)) for g in grants}))
