"""``validate --json``, ``build --json`` and ``guide --json``: the offline commands on a manifest."""

from __future__ import annotations

from collections.abc import Sequence

from leastforce.errors import Problem
from leastforce.render.json.base import JsonModel


class ProblemOutput(JsonModel):
    """One problem at file:line:column; ``severity`` error / warning."""

    file: str
    line: int
    column: int
    severity: str
    message: str


class ManifestOutput(JsonModel):
    """One manifest checked; ``integration`` is "" when it did not load."""

    path: str
    valid: bool
    integration: str
    features: tuple[str, ...]


class ValidateOutput(JsonModel):
    valid: bool
    manifests: tuple[ManifestOutput, ...]
    problems: tuple[ProblemOutput, ...]


def problem_output(problem: Problem) -> ProblemOutput:
    pos = problem.position
    return ProblemOutput(
        file=pos.file, line=pos.line, column=pos.column, severity=problem.severity, message=problem.message
    )


def validate_output(
    valid: bool, manifests: Sequence[ManifestOutput], problems: Sequence[Problem]
) -> ValidateOutput:
    return ValidateOutput(
        valid=valid, manifests=tuple(manifests), problems=tuple(problem_output(p) for p in problems)
    )


class ChoiceOutput(JsonModel):
    """An ``any:`` resolved: the alternative chosen (least risky), the ones rejected, and why."""

    feature: str
    chosen: str
    rejected: tuple[str, ...]
    reason: str


class BuildOutput(JsonModel):
    """What ``build`` wrote: files, permission sets, profile, choices, notes, and the deploy command."""

    integration: str
    output_dir: str
    files: tuple[str, ...]
    features: tuple[str, ...]
    skipped_optional_features: tuple[str, ...]
    permission_sets: tuple[str, ...]
    role_permission_sets: tuple[str, ...]
    profile: str | None
    choices: tuple[ChoiceOutput, ...]
    notes: tuple[str, ...]
    deploy: str


class GuideOutput(JsonModel):
    """``guide``: the text when no ``--output`` file was given (else null, and ``output`` names the file)."""

    format: str
    output: str | None
    guide: str | None
