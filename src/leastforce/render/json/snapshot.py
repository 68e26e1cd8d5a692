"""``snapshot --json``: what was saved and how many API calls it took."""

from __future__ import annotations

from leastforce.render.json.base import JsonModel
from leastforce.values.model import OrgSnapshot


class SnapshotOutput(JsonModel):
    file: str
    instance_url: str
    users: int
    permission_sets: int
    groups: int
    assignments: int
    api_calls: int


def snapshot_output(snapshot: OrgSnapshot, file: str, api_calls: int) -> SnapshotOutput:
    return SnapshotOutput(
        file=file,
        instance_url=snapshot.instance_url,
        users=len(snapshot.users),
        permission_sets=len(snapshot.permission_sets),
        groups=len(snapshot.groups),
        assignments=len(snapshot.assignments),
        api_calls=api_calls,
    )
