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
from leastforce.org.apply import pending
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
    earlier_apply: tuple[str, ...] = ()  # what an earlier apply on this org reported it may have left

    @property
    def notices(self) -> list[str]:
        """The manifest's warnings, then the earlier apply's report: what plan and apply print first."""
        return [str(w) for w in self.warnings] + list(self.earlier_apply)


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
    changes = plan(desired, current, catalog, username=user)
    return Planned(catalog, loaded, warnings, desired, client, user, changes, _earlier_apply(client))


def _earlier_apply(client: OrgClient) -> tuple[str, ...]:
    """An earlier apply's saved report (org/apply/pending.py), as lines to show before the plan."""
    saved = pending.load(client.instance_url)
    if saved is None:
        return ()
    source = "read back from the org" if saved.read_back else "from its journal: the org was not read back"
    head = (
        f"an earlier apply on this org ({saved.when}) did not finish and reported ({source}) that these "
        f"changes may remain; the plan below accounts for what the org holds now "
        f"({pending.path_for(client.instance_url)}):"
    )
    return (head, *(f"  - {line}" for line in saved.remaining))


def replan(planned: Planned) -> ChangeSet:
    """The plan again, read fresh from the org (empty after a successful apply)."""
    current = read_for_plan(planned.client, planned.desired, planned.catalog, planned.username)
    return plan(planned.desired, current, planned.catalog, username=planned.username)
