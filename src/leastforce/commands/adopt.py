"""`leastforce adopt --org ORG --user USERNAME -o MANIFEST`: an existing user's access, as a manifest.

Writes what the user holds today, grouped into features (docs/adopt.md), every requirement with
``why: TODO (granted by ...)`` and the risky grants listed first as comments. Exit 0 when written, 2 for
bad input (an unknown user, an existing file without --force), 3 for an org or connection error.
"""

from __future__ import annotations

from pathlib import Path

import click

from leastforce import api
from leastforce.commands._org import json_option, org_option
from leastforce.errors import InputError
from leastforce.render.json import success_envelope, write_json
from leastforce.values.visible import visible


@click.command()
@org_option
@click.option("--user", "username", required=True, metavar="USERNAME", help="The user to adopt.")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The manifest file to write."
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@json_option
def command(org: str | None, username: str, output: str, force: bool, as_json: bool) -> None:
    """Write USERNAME's effective access in ORG as a manifest, every reason a TODO to fill in."""
    target = Path(output)
    if target.exists() and not force:
        raise InputError(f"{output}: the file exists; pass --force to overwrite it")
    done = api.adopt(api.open_org(org), user=username)
    target.write_text(done.manifest_text, encoding="utf-8")
    adoption = done.adoption
    if as_json:
        write_json(success_envelope(done.to_json(output), status=0))
        return
    click.echo(
        f"{visible(output)}: {adoption.requirement_count} requirement(s) in {len(adoption.features)} "
        f"feature(s) for {visible(username)}, every why a TODO; "
        f"{len(adoption.risky)} risky grant(s) listed first, {len(adoption.left_out)} left out (see the comments)."
    )
