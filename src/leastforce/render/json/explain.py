"""``explain --json``: every path that grants the target, the muted and expired ones, and what would."""

from __future__ import annotations

from leastforce.checks.explain.paths import ExplainResult, Path
from leastforce.render.json.base import JsonModel
from leastforce.render.json.grants import GrantOutput, grant_output


class PathOutput(GrantOutput):
    """A grant path; ``right`` says which right (objects, fields), ``note`` why it was lost."""

    right: str
    note: str


class TargetOutput(JsonModel):
    """``kind``: permission / object / object_right / field; ``right``: "" for permissions and objects."""

    kind: str
    name: str
    right: str


class ExplainOutput(JsonModel):
    user: str
    target: TargetOutput
    granted: bool
    paths: tuple[PathOutput, ...]
    muted: tuple[PathOutput, ...]
    expired: tuple[PathOutput, ...]
    notes: tuple[str, ...]
    suggestion: str


def _paths(items: tuple[Path, ...]) -> tuple[PathOutput, ...]:
    return tuple(PathOutput(**grant_output(p.grant).model_dump(), right=p.right, note=p.note) for p in items)


def explain_output(result: ExplainResult) -> ExplainOutput:
    target = result.target
    return ExplainOutput(
        user=result.username,
        target=TargetOutput(kind=target.kind.value, name=target.name, right=target.right),
        granted=result.granted,
        paths=_paths(result.paths),
        muted=_paths(result.muted),
        expired=_paths(result.expired),
        notes=tuple(result.notes),
        suggestion=result.suggestion,
    )
