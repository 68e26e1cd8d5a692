"""Shared plumbing for commands that read a manifest."""

from __future__ import annotations

from leastforce.catalog import Catalog
from leastforce.errors import ManifestError, Problem
from leastforce.manifest import Manifest, load_manifest, validate_manifest


def load_checked(path: str, catalog: Catalog) -> tuple[Manifest, tuple[Problem, ...]]:
    """Load and validate a manifest; ManifestError (exit 2) when it has any error. Returns the warnings."""
    loaded = load_manifest(path, catalog)
    problems = tuple(loaded.warnings) + tuple(validate_manifest(loaded.manifest, catalog))
    errors = tuple(p for p in problems if p.severity == "error")
    if errors:
        raise ManifestError(errors)
    return loaded.manifest, problems
