"""Shared plumbing for commands that read an org: the --org option, connection, progress display."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from leastforce.org.client import OrgClient
from leastforce.org.connect import OrgKind, OrgSpec, client_factory, connect, parse_org_spec
from leastforce.org.read.one_user import ReadScope, read_user
from leastforce.org.read.whole_org import read_tables, snapshot_from_tables
from leastforce.org.snapshot_file import load_snapshot
from leastforce.values.model import OrgSnapshot

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


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print the sf-style JSON envelope.")(func)


@dataclass(frozen=True)
class OrgSource:
    """Where org data comes from: a live org (client) or an offline snapshot file."""

    spec: OrgSpec

    @property
    def is_snapshot(self) -> bool:
        return self.spec.kind is OrgKind.SNAPSHOT

    def client(self) -> OrgClient:
        return connect(self.spec, os.environ)

    def user_snapshot(self, username: str, scope: ReadScope = ReadScope()) -> tuple[OrgSnapshot, int]:
        """The rows one user's access depends on, and the API calls it took (0 offline)."""
        if self.is_snapshot:
            return load_snapshot(self.spec.value), 0
        client = self.client()
        return read_user(client, username, scope), client.calls

    def full_snapshot(self, *, show_progress: bool) -> tuple[OrgSnapshot, int]:
        """The whole permission state, and the API calls it took (0 offline)."""
        if self.is_snapshot:
            return load_snapshot(self.spec.value), 0
        make_client = client_factory(self.spec, os.environ)
        with progress_reporter(show_progress) as report:
            tables, stats = read_tables(make_client, progress=report)
        return snapshot_from_tables(tables, instance_url=make_client().instance_url), stats.calls


def open_org(org: str | None) -> OrgSource:
    return OrgSource(parse_org_spec(org, os.environ))


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
