"""``leastforce audit --org ORG``: every integration user, what it can do beyond what it declared.

Reads a full snapshot (or ``--org snapshot:FILE``), finds the integration users, runs the rules of
checks/audit/data/audit_rules.yaml, and prints text, the sf JSON envelope (--json) and/or an HTML report
(--html FILE). ``--since FILE`` adds what changed for each integration user since that snapshot.
``--usage`` reads Event Monitoring log files (``--usage-days``, default 30) and adds, per integration user,
a finding per object right granted and unused in that period, or says usage is not known.
``--format sarif`` prints a SARIF 2.1.0 log instead of the text (for code scanning), or writes it to
``-o FILE`` and prints the text as usual; ``--format csv`` likewise writes one row per (user, risky right).
Exit 0, or 1 when --fail-on SEVERITY is given and a finding is at or above it; 2 bad input; 3 org error.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from leastforce import api
from leastforce.catalog import load_catalog
from leastforce.checks.audit.drift import drift
from leastforce.checks.audit.model import Severity
from leastforce.commands._files import write_private
from leastforce.commands._org import api_option, json_option, org_option, progress_reporter, show_progress
from leastforce.commands._sarif import check_sarif_options, format_options
from leastforce.commands._usage import add_usage
from leastforce.errors import InputError
from leastforce.manifest import load_manifest
from leastforce.org.read.bulk import ReadApi
from leastforce.org.snapshot_file import load_snapshot
from leastforce.render.csv import audit_csv
from leastforce.render.html.audit import render_html
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.audit import audit_output
from leastforce.render.sarif import audit_sarif, dumps
from leastforce.render.text.audit import render
from leastforce.values import secrets
from leastforce.values.model import OrgSnapshot

SEVERITIES = ("critical", "high", "medium", "low", "info")


@click.command()
@org_option
@click.option(
    "--manifest",
    "manifests",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A manifest; pair each with a --user (in order).",
)
@click.option(
    "--user",
    "users",
    multiple=True,
    metavar="USERNAME",
    help="The integration user of the matching --manifest.",
)
@click.option(
    "--html", "html", type=click.Path(dir_okay=False, path_type=Path), help="Write the HTML report here."
)
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(SEVERITIES, case_sensitive=False),
    help="Exit 1 when a finding is at or above this severity.",
)
@click.option(
    "--since",
    "since",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A snapshot file: show what changed since then.",
)
@click.option("--show-info", is_flag=True, help="Also print info findings in the text output.")
@click.option(
    "--usage",
    is_flag=True,
    help="Read Event Monitoring log files: report granted object rights unused in --usage-days days.",
)
@click.option(
    "--usage-days",
    type=click.IntRange(1, 365),
    default=30,
    show_default=True,
    help="Days of log files --usage reads.",
)
@format_options(("text", "sarif", "csv"))
@api_option
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    org: str | None,
    manifests: tuple[Path, ...],
    users: tuple[str, ...],
    html: Path | None,
    fail_on: str | None,
    since: Path | None,
    show_info: bool,
    usage: bool,
    usage_days: int,
    fmt: str,
    output: Path | None,
    read_api: str,
    as_json: bool,
) -> None:
    """Find the org's integration users and report what each can do beyond its needs."""
    if len(manifests) != len(users):
        raise InputError("give one --user for each --manifest (in the same order)")
    check_sarif_options(fmt, output, as_json)
    catalog = load_catalog()
    named = tuple((load_manifest(m, catalog).manifest, u) for m, u in zip(manifests, users, strict=True))
    before = _load_since(since)
    source = api.open_org(org, api=ReadApi(read_api))
    with progress_reporter(show_progress(as_json)) as report:
        done = api.audit(source, manifests=named, catalog=catalog, progress=report)
    result, snapshot, calls = done.result, done.snapshot, done.api_calls
    usage_note = None
    if usage:
        result, usage_note = add_usage(source, result, snapshot, usage_days, catalog, datetime.now(UTC))
    if before is not None:
        changes = drift(before, snapshot, catalog, [u.user.username for u in result.users])
        result = replace(result, drift=changes, since=before.taken_at)
    del done, snapshot  # the reports need only the result: the org's rows are freed before they are written
    if html is not None:
        write_private(html, render_html(result))
    code = 1 if result.fails(Severity.parse(fail_on) if fail_on else None) else 0
    if fmt != "text":
        where = {username: manifest.user.position for manifest, username in named}
        log = (
            audit_csv(result)
            if fmt == "csv"
            else dumps(audit_sarif(result, where, source_root=Path.cwd().as_uri() + "/"))
        )
        if output is None:
            click.echo(secrets.redact(log), nl=False)  # as write_private redacts the file
            ctx.exit(code)
        if fmt == "csv":
            write_private(output, log)  # who holds what, like the snapshot file: owner only
        else:
            output.write_text(log, encoding="utf-8")
    if as_json:
        body = audit_output(result, api_calls=calls, html=str(html) if html else None, usage=usage_note)
        write_json(success_envelope(body, status=code))
    else:
        click.echo(render(result, color=sys.stdout.isatty(), show_info=show_info), nl=False)
        if usage_note is not None:
            click.echo(usage_note)
        if html is not None:
            click.echo(f"HTML report: {html}")
        if fmt != "text" and output is not None:
            click.echo(f"{'SARIF log' if fmt == 'sarif' else 'CSV'}: {output}")
    ctx.exit(code)


def _load_since(path: Path | None) -> OrgSnapshot | None:
    if path is None:
        return None
    if not path.is_file():
        raise InputError(f"--since: no snapshot file {str(path)!r}")
    return load_snapshot(path)
