"""`leastforce explain --org ORG --user USERNAME TARGET`: every path that grants TARGET to the user.

TARGET is a permission (API name or label), an object (``Account``), an object access (``Account:edit``)
or a field (``Contact.Email``). Exit 0 when the user has it, 1 when not (with what would grant it).

`leastforce explain --escalation --user USERNAME`: every path by which the user can give itself System
Administrator-equivalent access (Modify All Data, Customize Application, Manage Users); exit 1 when there
is one (or it already holds it), 0 when none.
"""

from __future__ import annotations

import sys

import click

from leastforce import api
from leastforce.commands._org import json_option, org_option
from leastforce.errors import InputError
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.escalation import escalation_report_output
from leastforce.render.text.escalation import render_escalation
from leastforce.render.text.explain import render


@click.command()
@click.argument("target", required=False)
@org_option
@click.option("--user", "username", required=True, metavar="USERNAME", help="The user to explain.")
@click.option(
    "--escalation", is_flag=True, help="Print every path to System Administrator-equivalent access."
)
@json_option
def command(target: str | None, org: str | None, username: str, escalation: bool, as_json: bool) -> None:
    """Say which profile, permission set or group gives USERNAME the TARGET, or what would."""
    if escalation:
        if target:
            raise InputError("--escalation takes no TARGET: it explains every path to admin access")
        report = api.escalation(api.open_org(org), user=username)
        status = 1 if report.holds or report.paths else 0
        if as_json:
            write_json(success_envelope(escalation_report_output(report).dump(), status=status))
        else:
            click.echo(render_escalation(report, color=sys.stdout.isatty()), nl=False)
        sys.exit(status)
    if not target:
        raise InputError("explain needs a TARGET (a permission, object or field), or --escalation")
    done = api.explain(api.open_org(org), target, user=username)
    result = done.result
    status = 0 if result.granted else 1
    if as_json:
        write_json(success_envelope(done.to_json(), status=status))
    else:
        click.echo(render(result, color=sys.stdout.isatty()), nl=False)
    sys.exit(status)
