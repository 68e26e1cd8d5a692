"""The ``--format text|sarif`` and ``-o FILE`` options that `validate` and `audit` share, and their rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from leastforce.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


def sarif_options(func: F) -> F:
    """``--format`` (text or sarif) and ``-o/--output`` (where the SARIF log goes)."""
    func = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="With --format sarif: write the log here (the text still goes to stdout).",
    )(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "sarif"]),
        default="text",
        show_default=True,
        help="sarif: a SARIF 2.1.0 log for code scanning (GitHub and others).",
    )(func)


def check_sarif_options(fmt: str, output: Path | None, as_json: bool) -> None:
    """-o only with --format sarif; --json and a SARIF log cannot both go to stdout."""
    if output is not None and fmt != "sarif":
        raise InputError("-o FILE is where --format sarif writes its log; add --format sarif")
    if fmt == "sarif" and output is None and as_json:
        raise InputError("--json and --format sarif both print to stdout; add -o FILE for the SARIF log")
