"""Shared plumbing for `plan` and `apply`: the manifest, the desired setup, the org read, the plan."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import click

from leastforce.catalog import Catalog, load_catalog
from leastforce.commands._manifest import load_checked
from leastforce.desired import DesiredSetup, desired_setup
from leastforce.errors import InputError, Problem
from leastforce.manifest import Manifest
from leastforce.org.client import OrgClient
from leastforce.org.read.for_plan import read_for_plan
from leastforce.org.source import open_org
from leastforce.planning.changes import ChangeSet
from leastforce.planning.diff import plan


@dataclass(frozen=True)
class Planned:
    """Everything a plan was computed from, and the plan."""

    catalog: Catalog
    manifest: Manifest
    warnings: tuple[Problem, ...]
    desired: DesiredSetup
    client: OrgClient
    username: str
    changes: ChangeSet


def selection_options(func: Any) -> Any:
    """--user, --feature (repeatable) and --with-optional."""
    func = click.option("--with-optional", is_flag=True, help="Include every optional feature.")(func)
    func = click.option(
        "--feature", "features", multiple=True, metavar="NAME", help="Include this optional feature."
    )(func)
    return click.option(
        "--user", "username", metavar="USERNAME", help="The integration user (default: the manifest's)."
    )(func)


def make_plan(
    manifest_path: str, org: str | None, username: str | None, features: tuple[str, ...], with_optional: bool
) -> Planned:
    """Load, validate, read the org and plan. InputError for bad input, OrgError for the org."""
    if features and with_optional:
        raise InputError("pass either --with-optional or --feature, not both")
    catalog = load_catalog()
    loaded, warnings = load_checked(manifest_path, catalog)
    try:
        desired = desired_setup(loaded, catalog, features=features, with_optional=with_optional)
    except KeyError as exc:
        raise InputError(f"unknown feature {exc.args[0] if exc.args else ''!s}") from None
    client = open_org(org, os.environ).client()
    user = username or loaded.user.username
    user = "" if "{" in user else user
    current = read_for_plan(client, desired, catalog, user)
    return Planned(
        catalog, loaded, warnings, desired, client, user, plan(desired, current, catalog, username=user)
    )


def replan(planned: Planned) -> ChangeSet:
    """The plan again, read fresh from the org (empty after a successful apply)."""
    current = read_for_plan(planned.client, planned.desired, planned.catalog, planned.username)
    return plan(planned.desired, current, planned.catalog, username=planned.username)
