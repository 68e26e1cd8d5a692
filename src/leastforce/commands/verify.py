"""`leastforce verify MANIFEST --org ORG --user USERNAME`: does the user have what the integration needs?

Reads just the rows the user's access depends on (at most 6 API calls), resolves effective access as
Salesforce does, and checks each requirement feature by feature. Exit 0 when every required feature
passes, 1 when something is missing, 2 for bad input, 3 for an org or connection error.
"""

from __future__ import annotations

import sys

import click

from leastforce import api
from leastforce.catalog import load_catalog
from leastforce.commands._manifest import collapsed, load_checked
from leastforce.commands._org import json_option, org_option
from leastforce.errors import InputError
from leastforce.render.json import success_envelope, write_json
from leastforce.render.text.verify import render
from leastforce.values.visible import visible_lines


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@org_option
@click.option("--user", "username", metavar="USERNAME", help="The user to verify (default: the manifest's).")
@click.option("--role", metavar="NAME", help="Verify the user as one of the manifest's roles instead.")
@click.option(
    "--feature", "features", multiple=True, metavar="NAME", help="Also check this optional feature."
)
@click.option("--with-optional", is_flag=True, help="Check every optional feature too.")
@json_option
def command(
    manifest: str,
    org: str | None,
    username: str | None,
    role: str | None,
    features: tuple[str, ...],
    with_optional: bool,
    as_json: bool,
) -> None:
    """Check USERNAME's effective access in ORG against MANIFEST, feature by feature."""
    catalog = load_catalog()
    loaded, warnings = load_checked(manifest, catalog)
    wanted = username or loaded.user.username
    if not wanted or "{" in wanted:
        raise InputError("which user? pass --user USERNAME")
    done = api.verify(
        loaded,
        api.open_org(org),
        user=username,
        features=features,
        with_optional=with_optional,
        role=role,
        catalog=catalog,
    )
    result = done.result
    status = 0 if result.passed else 1
    if as_json:
        write_json(success_envelope(done.to_json(), status=status, warnings=[str(w) for w in warnings]))
    else:
        for line in collapsed(warnings):
            click.echo(visible_lines(line), err=True)
        click.echo(render(result, catalog=catalog, color=sys.stdout.isatty()), nl=False)
    sys.exit(status)
