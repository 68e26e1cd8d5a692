"""`leastforce apply MANIFEST --org ORG [--user USERNAME] [--yes] [--json]`: show the plan, ask, carry it
out in Salesforce's order (undoing everything if a step fails), then re-read the org and verify.

Exit codes: 0 applied (or nothing to do) and verified; 1 applied but verify or the re-plan found something
missing, or the confirmation was declined; 2 bad input, or no terminal to confirm on and no --yes;
3 an org error (the message says whether the org is as before or exactly what was left in it).
See docs/plan-apply.md.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import click

from leastforce.access.resolve import effective_access
from leastforce.checks.verify.check import verify
from leastforce.commands._org import json_option, org_option
from leastforce.commands._plan import Planned, make_plan, replan, selection_options
from leastforce.errors import InputError
from leastforce.org.apply import pending
from leastforce.org.apply.journal import Entry
from leastforce.org.apply.run import PlanBlocked, apply
from leastforce.org.read.one_user import read_user
from leastforce.org.read.scope import read_scope
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.plan import VerifyAfterOutput, apply_output
from leastforce.render.text.plan import render, render_applied
from leastforce.values.visible import visible_lines


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@org_option
@selection_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking.")
@json_option
def command(
    manifest: str,
    org: str | None,
    username: str | None,
    features: tuple[str, ...],
    with_optional: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """Set up MANIFEST's integration user in ORG: permission sets, profile, user, licenses, assignments."""
    planned = make_plan(manifest, org, username, features, with_optional)
    changes = planned.changes
    if not as_json:
        for notice in planned.notices:
            click.echo(visible_lines(notice), err=True)
        click.echo(render(changes, color=sys.stdout.isatty(), show_matches=False), nl=False)
    if changes.blockers:
        raise PlanBlocked(
            "cannot apply: " + "; ".join(f.message for f in changes.blockers),
            hint="fix these in the org first, then plan again",
        )
    entries: tuple[Entry, ...] = ()
    if not changes.in_sync:
        _confirm(len(changes.changes), yes, as_json)
        done = apply(changes, planned.client, journal_folder=pending.FOLDER)
        entries = done.entries
        if not as_json:
            click.echo(render_applied(done.entries, done.calls), nl=False)
    check = _check(planned, features, with_optional)
    status = 0 if check["verify"]["passed"] is not False and check["inSyncAfter"] else 1
    if as_json:
        verified = VerifyAfterOutput(**check["verify"])
        result = apply_output(changes, entries, in_sync_after=check["inSyncAfter"], verify=verified)
        write_json(success_envelope(result, status=status, warnings=planned.notices))
    else:
        click.echo(visible_lines(_check_text(check)))
    sys.exit(status)


def _confirm(count: int, yes: bool, as_json: bool) -> None:
    if yes:
        return
    if as_json or not sys.stdin.isatty():
        raise InputError("refusing to change the org without confirmation: pass --yes")
    click.confirm(f"Apply these {count} change(s)?", abort=True)


def _check(planned: Planned, features: tuple[str, ...], with_optional: bool) -> dict[str, Any]:
    """Re-plan (must be empty) and, when there is a user, verify their effective access."""
    after = replan(planned)
    out: dict[str, Any] = {"inSyncAfter": after.in_sync, "verify": {"passed": None}}
    if not planned.username:
        return out
    snapshot = read_user(planned.client, planned.username, read_scope(planned.manifest, planned.catalog))
    access = effective_access(snapshot, planned.username, catalog=planned.catalog, now=datetime.now(UTC))
    result = verify(
        planned.manifest,
        access,
        planned.catalog,
        features=features,
        with_optional=with_optional,
        desired=planned.desired,
    )
    missing = [f"user: {', '.join(r.missing) or r.fix}" for r in result.user_checks if not r.passed]
    missing += [
        f"{feature.name}: {', '.join(req.missing) or req.fix}"
        for feature in result.features
        for req in feature.requirements
        if not req.passed
    ]
    out["verify"] = {"passed": result.passed, "missing": missing}
    return out


def _check_text(check: dict[str, Any]) -> str:
    replan_text = (
        "re-plan: in sync"
        if check["inSyncAfter"]
        else "re-plan: changes still pending (see `leastforce plan`)"
    )
    passed = check["verify"]["passed"]
    if passed is None:
        return replan_text + "; verify skipped (no user)"
    if passed:
        return replan_text + "; verify: passed"
    return replan_text + "; verify: missing " + "; ".join(check["verify"]["missing"])
