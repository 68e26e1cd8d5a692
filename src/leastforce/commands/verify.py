"""`leastforce verify MANIFEST --org ORG --user USERNAME`: does the user have what the integration needs?

Reads just the rows the user's access depends on (at most 6 API calls), resolves effective access as
Salesforce does, and checks each requirement feature by feature. Exit 0 when every required feature
passes, 1 when something is missing, 2 for bad input, 3 for an org or connection error.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import click

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.verify.check import verify
from leastforce.commands._manifest import load_checked
from leastforce.commands._org import json_option, org_option
from leastforce.commands._verify import read_scope
from leastforce.desired import desired_setup
from leastforce.errors import InputError
from leastforce.org.source import open_org
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.verify import verify_output
from leastforce.render.text.verify import render


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
    username = username or loaded.user.username
    if not username or "{" in username:
        raise InputError("which user? pass --user USERNAME")
    try:
        desired = desired_setup(loaded, catalog, features=features, with_optional=with_optional, role=role)
    except KeyError as exc:
        raise InputError(str(exc.args[0]) if exc.args else "unknown feature or role") from None
    source = open_org(org, os.environ)
    snapshot, calls = source.user_snapshot(username, read_scope(loaded))
    facts, prerequisite_calls = source.prerequisite_facts(loaded.prerequisites)
    calls += prerequisite_calls
    access = effective_access(snapshot, username, catalog=catalog, now=datetime.now(UTC))
    result = verify(
        loaded,
        access,
        catalog,
        features=features,
        with_optional=with_optional,
        role=role,
        desired=desired,
        facts=facts,
    )
    status = 0 if result.passed else 1
    if as_json:
        body = verify_output(result, catalog, calls)
        write_json(success_envelope(body, status=status, warnings=[str(w) for w in warnings]))
    else:
        for warning in warnings:
            click.echo(str(warning), err=True)
        click.echo(render(result, catalog=catalog, color=sys.stdout.isatty()), nl=False)
    sys.exit(status)
