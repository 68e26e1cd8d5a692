"""`leastforce observe --org ORG --user USERNAME [--days N] [--manifest M] [--write OUT] [--html FILE]`: what the user
really did over the last N days, from Event Monitoring's log files, against what it holds and declares.

Exit 0 with a report; 2 on bad input (a manifest that does not load, --write without --manifest, a log
file in an unexpected format); 3 when the org cannot answer (no access to log files, no log files for the
period: a right is never called unused for want of evidence).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from leastforce import api
from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.audit.declared import declared_access
from leastforce.checks.observe.period import API_TOTAL_USAGE, choose, coverage
from leastforce.checks.observe.report import ObserveReport, observe_report, trim_access
from leastforce.commands._files import write_private
from leastforce.commands._org import json_option, org_option
from leastforce.errors import InputError, OrgError
from leastforce.manifest.trim import trimmed_manifest
from leastforce.org.read.event_logs import list_log_files, read_usage
from leastforce.render.html.observe import render_html
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.observe import observe_output
from leastforce.render.text.observe import render


@click.command()
@org_option
@click.option("--user", "username", required=True, metavar="USERNAME", help="The integration user.")
@click.option("--days", type=click.IntRange(1, 365), default=30, show_default=True, help="Days of logs.")
@click.option(
    "--manifest", type=click.Path(dir_okay=False, path_type=Path), help="Compare with what it declares."
)
@click.option(
    "--write",
    "write_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the manifest without the unused object access (needs --manifest).",
)
@click.option(
    "--html", "html", type=click.Path(dir_okay=False, path_type=Path), help="Write the HTML report here."
)
@json_option
def command(
    org: str | None,
    username: str,
    days: int,
    manifest: Path | None,
    write_path: Path | None,
    html: Path | None,
    as_json: bool,
) -> None:
    """Report which of USERNAME's object rights its API calls used, and which it never did."""
    if write_path is not None and manifest is None:
        raise InputError("--write needs --manifest: the trimmed manifest is written from it")
    catalog = load_catalog()
    loaded = api.load_manifest(manifest, catalog=catalog) if manifest else None
    source = api.open_org(org)
    source.require_live("observe reads Event Monitoring log files: it needs a live org, not a snapshot")
    now = datetime.now(UTC)
    snapshot, _ = source.user_snapshot(username)
    access = effective_access(snapshot, username, catalog=catalog, now=now)
    client = source.client()
    since = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    files = choose(list_log_files(client, since))
    if not any(f.event_type == API_TOTAL_USAGE for f in files):
        raise OrgError(
            f"no API Total Usage log files since {since.date()}: without evidence no right is called unused",
            hint="log files are kept 1 day without Event Monitoring, 30 days with it; try again once "
            "the org has written them",
        )
    usage = read_usage(client, files, access.user.id).freeze()
    declared = declared_access(loaded, catalog) if loaded else None
    report = observe_report(
        username,
        access,
        usage,
        coverage(days, since.isoformat(), files),
        declared,
        str(manifest or "") or None,
    )
    removals = _write(report, manifest, write_path, days) if write_path and manifest else ()
    if html is not None:
        write_private(html, render_html(report, removals))
    if as_json:
        write_json(success_envelope(observe_output(report, removals, html=str(html) if html else None)))
    else:
        click.echo(render(report, removals, color=sys.stdout.isatty()), nl=False)
        if html is not None:
            click.echo(f"HTML report: {html}")


def _write(report: ObserveReport, manifest: Path, out: Path, days: int) -> tuple[str, ...]:
    text, removals = trimmed_manifest(
        manifest, lambda obj, keys: trim_access(report, obj, keys), f"no call in {days} days"
    )
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return removals
