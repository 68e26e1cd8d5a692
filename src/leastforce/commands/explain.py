"""`leastforce explain --org ORG --user USERNAME TARGET`: every path that grants TARGET to the user.

TARGET is a permission (API name or label), an object (``Account``), an object access (``Account:edit``)
or a field (``Contact.Email``). Exit 0 when the user has it, 1 when not (with what would grant it).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import click

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.explain.paths import TargetKind, explain, parse_target
from leastforce.commands._org import json_option, org_option
from leastforce.org.read.one_user import ReadScope
from leastforce.org.source import open_org
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.explain import explain_output
from leastforce.render.text.explain import render


@click.command()
@click.argument("target")
@org_option
@click.option("--user", "username", required=True, metavar="USERNAME", help="The user to explain.")
@json_option
def command(target: str, org: str | None, username: str, as_json: bool) -> None:
    """Say which profile, permission set or group gives USERNAME the TARGET, or what would."""
    catalog = load_catalog()
    parsed = parse_target(target, catalog)
    scope = (
        ReadScope()
        if parsed.kind is TargetKind.PERMISSION
        else ReadScope(frozenset({parsed.name.split(".")[0]}))
    )
    snapshot, _ = open_org(org, os.environ).user_snapshot(username, scope)
    access = effective_access(snapshot, username, catalog=catalog, now=datetime.now(UTC))
    result = explain(access, parsed, catalog)
    status = 0 if result.granted else 1
    if as_json:
        write_json(success_envelope(explain_output(result), status=status))
    else:
        click.echo(render(result, color=sys.stdout.isatty()), nl=False)
    sys.exit(status)
