"""``leastforce doctor``: name the cause of a connection error and its fix, checked against the org.

``--error TEXT`` alone diagnoses offline; with ``--org`` (and ``--user``) doctor reads the user (at most
6 calls), its login state, OAuth tokens, the installed connected apps and the API usage, and confirms or
rules out each cause. Without --error it checks the user's hygiene. Exit 0 no problem found, 1 problems
found, 2 bad input, 3 org error.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from leastforce.catalog import load_catalog
from leastforce.checks.doctor.diagnose import diagnose, manifest_apps, token_lifetime
from leastforce.checks.doctor.facts import user_facts
from leastforce.checks.doctor.model import OrgFacts
from leastforce.commands._org import json_option, org_option
from leastforce.errors import InputError, LeastforceError, OrgError
from leastforce.manifest import load_manifest
from leastforce.org.read.one_user import ReadScope
from leastforce.org.source import OrgSource, open_org
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.doctor import doctor_output
from leastforce.render.text.doctor import render
from leastforce.values.secrets import redact_token_like


@click.command()
@org_option
@click.option("--user", "username", metavar="USERNAME", help="The integration user to check.")
@click.option(
    "--manifest", "manifest_path", type=click.Path(path_type=Path), help="The integration's manifest."
)
@click.option(
    "--error", "error", metavar="TEXT", default="", help="The error text the connection failed with."
)
@click.option(
    "--app", "apps", multiple=True, metavar="NAME", help="The connected app in question (repeatable)."
)
@click.option(
    "--flow",
    type=click.Choice(["web_server", "jwt_bearer", "client_credentials", "device", "username_password"]),
    default=None,
    help="The OAuth flow the integration uses (default: the manifest's app).",
)
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    org: str | None,
    username: str | None,
    manifest_path: Path | None,
    error: str,
    apps: tuple[str, ...],
    flow: str | None,
    as_json: bool,
) -> None:
    """Diagnose a failing connection (--error TEXT) and the integration user's state (--user)."""
    catalog = load_catalog()
    manifest = load_manifest(manifest_path, catalog).manifest if manifest_path else None
    username = username or (manifest.user.username if manifest and manifest.user.username else None)
    if not error.strip() and not username:
        raise InputError("give --error TEXT, or --user USERNAME (with --org) to check the user")
    org = org or os.environ.get("LEASTFORCE_ORG") or None
    facts = None
    if username and (org or not error.strip()):
        lifetime, renew = token_lifetime(manifest)
        base = OrgFacts(
            now=datetime.now(UTC),
            username=username,
            apps=apps or manifest_apps(manifest),
            token_lifetime_days=lifetime,
            renew=renew,
            flow=flow or (manifest.app.flow.value if manifest and manifest.app else ""),
        )
        try:
            facts = read_facts(open_org(org, os.environ), base)
        except OrgError as exc:
            if exc.error_code != "REQUEST_LIMIT_EXCEEDED":
                raise
            # The org refuses every call: that is itself the diagnosis; nothing else can be checked.
            facts = OrgFacts(now=datetime.now(UTC), username=username, org_error=exc.error_code)
    elif org and not username:
        raise InputError("--org needs --user USERNAME: doctor checks one user")
    # an admin pastes a whole error, tokens and all: what looks like a credential is never echoed back
    result = diagnose(redact_token_like(error), facts, manifest)
    code = 1 if result.problems else 0
    if as_json:
        write_json(success_envelope(doctor_output(result), status=code))
    else:
        click.echo(render(result, color=sys.stdout.isatty()), nl=False)
    ctx.exit(code)


def read_facts(source: OrgSource, base: OrgFacts) -> OrgFacts:
    """``base`` completed with what the org (or snapshot file) says about ``base.username``."""
    try:
        snapshot, _ = source.user_snapshot(base.username, ReadScope(rows=False))
    except LeastforceError as exc:
        if "no user" in str(exc).lower() or "not found" in str(exc).lower():
            return replace(base, user_found=False)
        raise
    user = snapshot.user_by_username(base.username)
    if user is None:
        return replace(base, user_found=False)
    return user_facts(base, snapshot, user, source.login_state(user), load_catalog())
