"""Where the tests find their data: always relative to this checkout, never at an absolute path.

Data outside the repository (``SHARED``: the corpus and the reference describes, and the Salesforce CLI)
may be missing on a developer's machine: the tests that need it then skip with the reason. In CI
(``CI=true``, set by ``.ci/run`` and by most CI services) they fail instead, so nothing skips silently there.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs"
# ../shared beside the checkout (LEASTFORCE_SHARED overrides it): the seeds, the reference describes and
# the corpus of real metadata.
SHARED = Path(os.environ.get("LEASTFORCE_SHARED") or ROOT.parent / "shared")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(reason: str) -> None:
    """Skip the running test for ``reason``, or fail it in CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required in CI)", pytrace=False)
    pytest.skip(reason)


def require(path: Path, what: str = "shared data") -> Path:
    """``path`` when it exists; otherwise skip the test (fail it in CI)."""
    if not path.exists():
        missing(f"{what} not found at {path} (set LEASTFORCE_SHARED to the shared data folder)")
    return path


def needs(path: Path, what: str = "shared data") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator form of ``require``, checked when the test runs (so CI reports it as failed)."""

    def decorate(test: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            require(path, what)
            return test(*args, **kwargs)

        return run

    return decorate
