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

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.doctor.diagnose import diagnose, manifest_apps, token_lifetime
from leastforce.checks.doctor.model import OrgFacts
from leastforce.commands._org import OrgSource, json_option, open_org, org_option
from leastforce.errors import InputError, LeastforceError, OrgError
from leastforce.manifest import load_manifest
from leastforce.manifest.model import Manifest
from leastforce.org import records as rec
from leastforce.org.read.one_user import ReadScope
from leastforce.org.soql import soql
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.doctor import doctor_output
from leastforce.render.text.doctor import render
from leastforce.values.model import OAuthToken, frozen_map


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
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    org: str | None,
    username: str | None,
    manifest_path: Path | None,
    error: str,
    apps: tuple[str, ...],
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
        try:
            facts = gather_facts(open_org(org), username, manifest, apps or manifest_apps(manifest))
        except OrgError as exc:
            if exc.error_code != "REQUEST_LIMIT_EXCEEDED":
                raise
            # The org refuses every call: that is itself the diagnosis; nothing else can be checked.
            facts = OrgFacts(now=datetime.now(UTC), username=username, org_error=exc.error_code)
    elif org and not username:
        raise InputError("--org needs --user USERNAME: doctor checks one user")
    result = diagnose(error, facts, manifest)
    code = 1 if result.problems else 0
    if as_json:
        write_json(success_envelope(doctor_output(result), status=code))
    else:
        click.echo(render(result, color=sys.stdout.isatty()), nl=False)
    ctx.exit(code)


def gather_facts(
    source: OrgSource, username: str, manifest: Manifest | None, apps: tuple[str, ...]
) -> OrgFacts:
    """What the org says about the user (the edge: HTTP or a snapshot file)."""
    lifetime, renew = token_lifetime(manifest)
    now = datetime.now(UTC)
    base = OrgFacts(now=now, username=username, apps=apps, token_lifetime_days=lifetime, renew=renew)
    try:
        snapshot, _ = source.user_snapshot(username, ReadScope(rows=False))
    except LeastforceError as exc:
        if "no user" in str(exc).lower() or "not found" in str(exc).lower():
            return _replace(base, user_found=False)
        raise
    user = snapshot.user_by_username(username)
    if user is None:
        return _replace(base, user_found=False)
    if source.is_snapshot:
        access = effective_access(snapshot, user.id, catalog=load_catalog(), now=now)
        held = tuple(t for t in snapshot.oauth_tokens if t.user_id == user.id)
        return _replace(base, access=access, tokens=held)
    client = source.client()
    frozen = client.query(soql("SELECT IsFrozen FROM UserLogin WHERE UserId = {uid}", uid=user.id))
    if frozen and frozen[0].get("IsFrozen"):
        user = replace(user, is_frozen=True)
        snapshot = replace(snapshot, users=frozen_map({user.id: user}))
    access = effective_access(snapshot, user.id, catalog=load_catalog(), now=now)
    token_rows = client.query(
        soql(
            "SELECT Id, UserId, AppName, CreatedDate, LastUsedDate, UseCount FROM OauthToken WHERE UserId = {uid}",
            uid=user.id,
        )
    )
    tokens: tuple[OAuthToken, ...] = tuple(rec.oauth_token_from(r) for r in token_rows)
    app_rows = client.query("SELECT Id, Name FROM ConnectedApplication")
    limits = client.request("GET", "limits")
    daily = (limits or {}).get("DailyApiRequests") or {}
    usage = None
    if "Max" in daily and "Remaining" in daily:
        usage = (int(daily["Max"]) - int(daily["Remaining"]), int(daily["Max"]))
    return _replace(
        base,
        access=access,
        tokens=tokens,
        installed_apps=frozenset(str(r["Name"]) for r in app_rows),
        app_ids=tuple((str(r["Name"]), str(r["Id"])) for r in app_rows),
        api_usage=usage,
    )


def _replace(facts: OrgFacts, **changes: object) -> OrgFacts:
    return replace(facts, **changes)  # type: ignore[arg-type]
