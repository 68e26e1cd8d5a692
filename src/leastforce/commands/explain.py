"""`leastforce explain --org ORG --user USERNAME TARGET`: every path that grants TARGET to the user.

TARGET is a permission (API name or label), an object (``Account``), an object access (``Account:edit``)
or a field (``Contact.Email``). Exit 0 when the user has it, 1 when not (with what would grant it).
"""

from __future__ import annotations

import sys

import click

from leastforce import api
from leastforce.commands._org import json_option, org_option
from leastforce.render.json import success_envelope, write_json
from leastforce.render.text.explain import render


@click.command()
@click.argument("target")
@org_option
@click.option("--user", "username", required=True, metavar="USERNAME", help="The user to explain.")
@json_option
def command(target: str, org: str | None, username: str, as_json: bool) -> None:
    """Say which profile, permission set or group gives USERNAME the TARGET, or what would."""
    done = api.explain(api.open_org(org), target, user=username)
    result = done.result
    status = 0 if result.granted else 1
    if as_json:
        write_json(success_envelope(done.to_json(), status=status))
    else:
        click.echo(render(result, color=sys.stdout.isatty()), nl=False)
    sys.exit(status)
