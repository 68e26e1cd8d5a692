"""Shared plumbing for commands that read an org: the --org and --json options, the progress display.

Where the org data comes from (a live org or a snapshot file) is leastforce.org.source's business.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def org_option(func: F) -> F:
    """``--org``: an instance URL, an sf CLI alias/username, or snapshot:FILE (default: LEASTFORCE_ORG)."""
    return click.option(
        "--org",
        "--target-org",
        "org",
        metavar="ORG",
        help="Instance URL, sf CLI alias or username, or snapshot:FILE (default: $LEASTFORCE_ORG).",
    )(func)


def api_option(func: F) -> F:
    """``--api auto|rest|bulk``: how a live org's whole tables are read (auto: Bulk API 2.0 above a row
    threshold, REST below it and where Bulk API cannot run the query)."""
    return click.option(
        "--api",
        "read_api",
        type=click.Choice(["auto", "rest", "bulk"]),
        default="auto",
        show_default=True,
        help="Read whole tables through Bulk API 2.0 above a row threshold (auto), or always REST / Bulk.",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print the sf-style JSON envelope.")(func)


def show_progress(as_json: bool) -> bool:
    """A progress bar only for people: not with --json, not when stderr is not a terminal."""
    return not as_json and sys.stderr.isatty()


@contextmanager
def progress_reporter(enabled: bool) -> Iterator[Callable[[str, int], None] | None]:
    """A rich progress display on stderr, fed (table, rows so far) by the readers."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=Console(stderr=True), transient=True
    ) as progress:
        tasks: dict[str, Any] = {}

        def report(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(table)
            progress.update(tasks[table], description=f"{table}: {rows:,} rows")

        yield report
