"""Every CLI command runs with the rarer garbage collections of cli.GC_THRESHOLDS (an org-wide audit spent
a third of its time rescanning the snapshot's heap); a library caller's process is left alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from leastforce.cli import GC_THRESHOLDS, group
from support.paths import ROOT


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_a_command_sets_the_thresholds(thresholds: None) -> None:
    gc.set_threshold(700, 10, 10)
    import leastforce.api  # noqa: F401  (importing the library changes nothing)

    assert gc.get_threshold() == (700, 10, 10)
    result = CliRunner().invoke(group, ["validate", str(ROOT / "examples" / "upflow.yaml")])
    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] >= 10_000  # rare enough to matter
