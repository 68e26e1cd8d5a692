"""`leastforce plan MANIFEST --org ORG [--user USERNAME] [--with-optional | --feature F ...] [--json]
[--detailed-exitcode]`: what apply would change in ORG, in Setup terms and API terms, and what matches.

Exit codes: 0 the plan was computed (2 bad input, 3 org error). With --detailed-exitcode, as terraform
plan: 0 in sync, 2 changes pending, 1 any error (bad input, org error, or a blocker that stops apply).
"""

from __future__ import annotations

import sys

import click

from leastforce.commands._org import json_option, org_option
from leastforce.commands._plan import make_plan, selection_options
from leastforce.errors import LeastforceError
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.plan import plan_output
from leastforce.render.text.plan import render
from leastforce.values.visible import visible_lines


class PlanError(LeastforceError):
    """Any error under --detailed-exitcode: exit 1, as terraform plan -detailed-exitcode."""

    exit_code = 1

    def __init__(self, original: LeastforceError) -> None:
        super().__init__(str(original))
        self.hint = getattr(original, "hint", "")
        self.error_code = getattr(original, "error_code", "")


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@org_option
@selection_options
@json_option
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 in sync, 2 changes pending, 1 on error.")
def command(
    manifest: str,
    org: str | None,
    username: str | None,
    features: tuple[str, ...],
    with_optional: bool,
    as_json: bool,
    detailed_exitcode: bool,
) -> None:
    """Show what `apply` would change in ORG to set up MANIFEST's integration user."""
    try:
        planned = make_plan(manifest, org, username, features, with_optional)
    except LeastforceError as exc:
        if detailed_exitcode:
            raise PlanError(exc) from None
        raise
    changes = planned.changes
    status = 0
    if detailed_exitcode:
        status = 1 if changes.blockers else (0 if changes.in_sync else 2)
    if as_json:
        body = plan_output(changes, planned.client.calls)
        write_json(success_envelope(body, status=status, warnings=planned.notices))
    else:
        for notice in planned.notices:
            click.echo(visible_lines(notice), err=True)
        click.echo(render(changes, color=sys.stdout.isatty()), nl=False)
    sys.exit(status)
