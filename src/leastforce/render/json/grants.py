"""A grant in JSON: the path by which a user holds a right (shared by verify and explain)."""

from __future__ import annotations

from leastforce.access.grants import Grant, describe_grant
from leastforce.render.json.base import JsonModel


class GrantOutput(JsonModel):
    """``kind``: profile / permission_set / group ... (SourceKind); ``via``: the set in a group, or the
    implying right; ``expires``: the assignment's end (ISO 8601) or null; ``text``: the path in words."""

    kind: str
    name: str
    via: str
    expires: str | None
    text: str


def grant_output(grant: Grant) -> GrantOutput:
    return GrantOutput(
        kind=grant.kind.value,
        name=grant.name,
        via=grant.via,
        expires=grant.expires.isoformat() if grant.expires else None,
        text=describe_grant(grant),
    )
