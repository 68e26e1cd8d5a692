"""`leastforce snapshot --org ORG -o FILE`: save an org's permission state for offline commands."""

from __future__ import annotations

import os
from pathlib import Path

import click

from leastforce.commands._org import api_option, json_option, org_option, progress_reporter, show_progress
from leastforce.org.read.bulk import ReadApi
from leastforce.org.snapshot_file import save_snapshot
from leastforce.org.source import open_org
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.snapshot import snapshot_output


@click.command()
@org_option
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="Snapshot file to write."
)
@api_option
@json_option
def command(org: str | None, output: str, read_api: str, as_json: bool) -> None:
    """Save the org's permission state (users, profiles, sets, groups, assignments, tokens' metadata, login
    counts of the last 30 days) to a SQLite file (mode 0600, no secrets). Read it back with --org
    snapshot:FILE."""
    source = open_org(org, os.environ, ReadApi(read_api))
    source.require_live("snapshot needs a live org, not another snapshot")
    with progress_reporter(show_progress(as_json)) as report:
        snapshot, calls = source.org_snapshot(report)
    save_snapshot(snapshot, Path(output))
    summary = snapshot_output(snapshot, output, calls)
    if as_json:
        write_json(success_envelope(summary))
        return
    click.echo(
        f"Saved {summary.users} users, {summary.permission_sets} permission sets, "
        f"{summary.groups} groups and {summary.assignments} assignments to {output} ({calls} API calls)."
    )
