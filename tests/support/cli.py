"""Run the real CLI entry point in-process, as a user sees it: exit code and stdout."""

from __future__ import annotations

from typing import Any

import pytest


def run_cli(args: list[str], capsys: Any) -> tuple[int, str]:
    """Run the real entry point (errors mapped to exit codes, as a user sees them): (exit code, stdout)."""
    from leastforce.cli import main

    with pytest.raises(SystemExit) as done:
        main(args)
    return int(done.value.code or 0), capsys.readouterr().out
