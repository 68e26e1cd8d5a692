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
    return format_options(("text", "sarif"))(func)


def format_options(formats: tuple[str, ...]) -> Callable[[F], F]:
    """``--format`` (one of ``formats``, text first) and ``-o/--output`` (where a non-text format goes)."""

    def decorate(func: F) -> F:
        func = click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help=f"With --format {'/'.join(formats[1:])}: write it here (the text still goes to stdout).",
        )(func)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(formats)),
            default="text",
            show_default=True,
            help="sarif: a SARIF 2.1.0 log for code scanning (GitHub and others)"
            + ("; csv: one row per (user, risky right)." if "csv" in formats else "."),
        )(func)

    return decorate


def check_sarif_options(fmt: str, output: Path | None, as_json: bool) -> None:
    """-o only with a format other than text; --json and that format cannot both go to stdout."""
    if output is not None and fmt == "text":
        raise InputError("-o FILE is where --format sarif writes its log; add --format sarif")
    if fmt != "text" and output is None and as_json:
        what = "SARIF log" if fmt == "sarif" else f"{fmt} output"
        raise InputError(f"--json and --format {fmt} both print to stdout; add -o FILE for the {what}")
