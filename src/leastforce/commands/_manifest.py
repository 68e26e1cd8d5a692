"""Shared plumbing for commands that read a manifest."""

from __future__ import annotations

from leastforce.catalog import Catalog
from leastforce.errors import ManifestError, Problem
from leastforce.manifest import Manifest, load_manifest, validate_manifest
from leastforce.values.problem_codes import DESCRIPTIONS


def load_checked(path: str, catalog: Catalog) -> tuple[Manifest, tuple[Problem, ...]]:
    """Load and validate a manifest; ManifestError (exit 2) when it has any error. Returns the warnings."""
    loaded = load_manifest(path, catalog)
    problems = tuple(loaded.warnings) + tuple(validate_manifest(loaded.manifest, catalog))
    errors = tuple(p for p in problems if p.severity == "error")
    if errors:
        raise ManifestError(errors)
    return loaded.manifest, problems


def collapsed(warnings: tuple[Problem, ...]) -> list[str]:
    """Warnings for a command that is not validate: a code met more than once is one line with its count
    (an adopted manifest has a why-todo per requirement); `leastforce validate` lists each."""
    counts: dict[str, int] = {}
    for w in warnings:
        counts[w.code] = counts.get(w.code, 0) + 1
    out, told = [], set()
    for w in warnings:
        if counts[w.code] == 1:
            out.append(str(w))
        elif w.code not in told:
            told.add(w.code)
            what = DESCRIPTIONS.get(w.code, w.code)
            out.append(
                f"{w.position.file}: warning: {counts[w.code]} x {w.code} ({what}), first at {w.position}; "
                f"`leastforce validate {w.position.file}` lists each"
            )
    return out
