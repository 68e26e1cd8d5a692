"""``app:`` checked against the rest of the manifest: the client credentials Run As user, the
pre-authorisation an "admin approved" app needs, and flows Salesforce blocks or is retiring.

Pre-authorisation is explicit: an app whose Permitted Users is "Admin approved users are pre-authorized"
is usable only by users whose profile or permission set has access to it (SetupEntityAccess;
https://help.salesforce.com/s/articleView?id=xcloud.connected_app_manage_oauth.htm). The manifest states
that access as a requirement of a feature (``connected_app: NAME`` / ``external_client_app: NAME``, with
``from: profile`` for ``pre_authorize: profile``), with its why: desired, build, plan, apply and verify
then carry it like any other requirement. validate reports a missing one with the exact lines to add.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leastforce.errors import Problem
from leastforce.kinds import kind_of
from leastforce.values import problem_codes as codes
from leastforce.values.apps import AppSpec, Flow, PreAuthorize
from leastforce.values.requirements import Source

if TYPE_CHECKING:
    from leastforce.catalog.catalog import Catalog
    from leastforce.manifest.model import Manifest
    from leastforce.manifest.validate_atoms import Placed

# https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_disable_username_password_flow_ca.htm
# "If your org is created in Summer '23 or later, the username-password flow is blocked by default."
USERNAME_PASSWORD_SOURCE = (
    "https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_disable_username_password_flow_ca.htm"
)
# KB 005132365: since September 2025 uninstalled apps using the device flow are blocked for every user.
DEVICE_SOURCE = "https://help.salesforce.com/s/articleView?id=005132365&type=1"
# "we recommend ... a user with the API Only User permission" as the Run As user
RUN_AS_SOURCE = (
    "https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm"
)


def app_problems(manifest: Manifest, items: list[Placed], catalog: Catalog) -> list[Problem]:
    """Every problem of ``manifest.app`` (none without one)."""
    app = manifest.app
    if app is None:
        return []
    return _run_as(app, manifest) + _preauthorization(app, items, catalog) + _flow(app, manifest)


def _run_as(app: AppSpec, manifest: Manifest) -> list[Problem]:
    if app.flow is not Flow.CLIENT_CREDENTIALS:
        if not app.run_as:
            return []
        message = (
            f"app {app.name}: run_as applies only to the client credentials flow (flow is {app.flow.value})"
        )
        return [Problem("warning", message, app.at("run_as"), codes.APP_RUN_AS)]
    if not app.run_as:
        message = (
            f"app {app.name}: the client credentials flow needs a Run As user: add `run_as: USERNAME`"
            " (Edit Policies > Client Credentials Flow > Run As)"
        )
        return [Problem("error", message, app.at("flow"), codes.APP_RUN_AS)]
    if manifest.user.api_only is not True:
        message = (
            f"app {app.name}: the Run As user {app.run_as} should be API only (Salesforce recommends it, so the"
            f" app's secret never opens the UI): set `user.api_only: true` ({RUN_AS_SOURCE})"
        )
        return [Problem("warning", message, app.at("run_as"), codes.APP_RUN_AS)]
    return []


def _preauthorization(app: AppSpec, items: list[Placed], catalog: Catalog) -> list[Problem]:
    through = app.preauthorized_through
    if through is None:
        if app.pre_authorize is None:
            return []
        message = (
            f"app {app.name}: pre_authorize has no effect unless permitted_users is admin_approved"
            " (with all users self-authorizing, each user approves the app at first login)"
        )
        return [Problem("warning", message, app.at("pre_authorize"), codes.APP_PREAUTHORIZATION)]
    grants = [i for i in items if _grants_app(i, app, catalog)]
    if not grants:
        return [_missing_grant(app, through)]
    wanted = Source.PROFILE if through is PreAuthorize.PROFILE else None
    if any((i.atom.source is Source.PROFILE) == (wanted is Source.PROFILE) for i in grants):
        return []
    where = "the profile (`from: profile`)" if wanted else "a permission set (without `from: profile`)"
    message = f"app {app.name} is pre-authorised through its {through.value}, so grant it from {where}"
    return [Problem("error", message, grants[0].atom.position, codes.APP_PREAUTHORIZATION)]


def _grants_app(item: Placed, app: AppSpec, catalog: Catalog) -> bool:
    """A feature's requirement (not an alternative of an ``any:``) for access to the app."""
    if item.alternative or not item.owner.startswith("feature"):
        return False
    given = kind_of(item.atom).contribute(item.atom, catalog).entities
    return any(e.type is app.kind.entity_type and e.name == app.name for e in given)


def _missing_grant(app: AppSpec, through: PreAuthorize) -> Problem:
    source = " with `from: profile`" if through is PreAuthorize.PROFILE else ""
    message = (
        f'app {app.name}: "Admin approved users are pre-authorized" admits only users whose {through.value.replace("_", " ")}'
        f" has access to the app: add `- {app.kind.value}: {app.name}`{source} and its why to a feature's"
        " requires"
    )
    return Problem("error", message, app.at("permitted_users"), codes.APP_PREAUTHORIZATION)


def _flow(app: AppSpec, manifest: Manifest) -> list[Problem]:
    if app.flow is Flow.USERNAME_PASSWORD:
        message = (
            f"app {app.name}: the username-password flow is blocked by default in orgs created in Summer '23"
            " or later (Setup > OAuth and OpenID Connect Settings) and Salesforce recommends against it: prefer"
            f" jwt_bearer or client_credentials ({USERNAME_PASSWORD_SOURCE})"
        )
        return [Problem("warning", message, app.at("flow"), codes.APP_FLOW)]
    if app.flow is Flow.DEVICE and not _installed_by_package(app, manifest):
        message = (
            f"app {app.name}: since September 2025 the device flow is blocked for apps not installed in the org,"
            " for every user: install the app (Setup > Connected Apps OAuth Usage > Install), or declare the"
            f" package that provides it ({DEVICE_SOURCE})"
        )
        return [Problem("warning", message, app.at("flow"), codes.APP_FLOW)]
    return []


def _installed_by_package(app: AppSpec, manifest: Manifest) -> bool:
    return any(app.name in (p.connected_app, p.external_client_app) for p in manifest.packages)
