"""``doctor --json``: the causes named for an error (confirmed, likely, ruled out) and hygiene problems."""

from __future__ import annotations

from leastforce.checks.doctor.model import Diagnosis, DoctorResult
from leastforce.render.json.base import JsonModel


class CheckOutput(JsonModel):
    """One org check: ``holds`` true = the cause is present, false = it is not, null = not checked."""

    name: str
    holds: bool | None
    detail: str


class DiagnosisOutput(JsonModel):
    """``verdict``: confirmed / likely / ruled_out."""

    id: str
    title: str
    verdict: str
    cause: str
    fix: str
    source: str
    matched: str
    checks: tuple[CheckOutput, ...]


class DoctorOutput(JsonModel):
    error: str
    user: str
    org_checked: bool
    diagnoses: tuple[DiagnosisOutput, ...]
    hygiene: tuple[DiagnosisOutput, ...]
    problems: int


def _diagnosis(d: Diagnosis) -> DiagnosisOutput:
    return DiagnosisOutput(
        id=d.id,
        title=d.title,
        verdict=d.verdict.value,
        cause=d.cause,
        fix=d.fix,
        source=d.source,
        matched=d.matched,
        checks=tuple(CheckOutput(name=c.name, holds=c.holds, detail=c.detail) for c in d.checks),
    )


def doctor_output(result: DoctorResult) -> DoctorOutput:
    return DoctorOutput(
        error=result.error,
        user=result.username,
        org_checked=result.org_checked,
        diagnoses=tuple(_diagnosis(d) for d in result.diagnoses),
        hygiene=tuple(_diagnosis(d) for d in result.hygiene),
        problems=len(result.problems),
    )
