"""Verify ``prerequisites:``: the org's edition, settings, field history, apps and API capacity, as pure
functions over ``OrgFacts`` (read by ``leastforce.org.read.prerequisites``).

Which API reads what: the edition is Organization.OrganizationType (REST query,
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm);
API capacity is DailyApiRequests.Max of /limits
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm);
field history tracking is FieldDefinition.IsFieldHistoryTracked and sharing models are
EntityDefinition.InternalSharingModel / ExternalSharingModel (Tooling API,
https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_fielddefinition.htm,
https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_entitydefinition.htm).
Org settings (SecuritySettings, SessionSettings ...) are Metadata API only, and which apps a given user
sees is not read yet: both are checked by hand (``check: manual``), reported as not checked, never passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from leastforce.checks.verify import app
from leastforce.kinds.outcome import Status
from leastforce.manifest.model import Condition, Prerequisite
from leastforce.values.org_facts import OrgFacts
from leastforce.values.packages import PackageSpec, missing_packages, version_text

MANUAL_KINDS = frozenset({"org_setting", "app_visible"})  # no REST / Tooling read (see above)


@dataclass(frozen=True)
class PrerequisiteResult:
    """One prerequisite checked: ``found`` what the org has; ``fix`` the Setup steps; ``reason`` why it
    was not checked or does not apply (``applies`` False: its ``when:`` does not hold)."""

    prerequisite: Prerequisite
    status: Status
    found: str = ""
    fix: str = ""
    reason: str = ""
    applies: bool = True

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


def describe(item: Prerequisite) -> str:
    """One line naming a prerequisite: "edition Enterprise or Unlimited"."""
    if item.kind in app.APP_KINDS:
        return app.describe(item)
    text = {
        "edition": f"edition {' or '.join(item.values)}",
        "org_setting": f'org setting "{item.subject}" = {item.values[0] if item.values else ""}',
        "field_history": f"field history tracking on {item.subject}",
        "app_visible": f"app {item.subject} visible to the user",
        "api_capacity": f"at least {item.values[0] if item.values else '?'} API requests a day",
        "package": f"package {item.values[1] if len(item.values) > 1 else item.subject} ({item.subject})"
        f" {item.values[0] if item.values else ''} or later installed",
    }[item.kind]
    return f"{text} (when {item.when})" if item.when else text


def package_prerequisites(packages: tuple[PackageSpec, ...]) -> tuple[Prerequisite, ...]:
    """The manifest's ``packages:`` as prerequisites verify checks: subject the namespace, values
    (minimum version, name, install link)."""
    return tuple(
        Prerequisite(
            "package",
            p.namespace,
            (p.version_text, p.name, p.install_url),
            why=p.why or f"the integration runs in the {p.name} managed package",
            position=p.position,
        )
        for p in packages
    )


def _package_steps(item: Prerequisite) -> str:
    """Installing needs "Download AppExchange Packages" (usually an admin):
    https://developer.salesforce.com/docs/platform/pkg1-dev/guide/editing-client-security-profile.md"""
    version, name, link = (*item.values, "", "", "")[:3]
    where = f"from {link}" if link else "from the vendor's installation link"
    return (
        f"Install {name} ({item.subject}) version {version} or later {where}, as a user with Download AppExchange"
        f" Packages (usually an admin); Setup > Installed Packages then lists it."
    )


def setup_steps(item: Prerequisite) -> str:
    """What an admin does in Setup to meet it (Salesforce Help paths; UNVERIFIED where marked)."""
    if item.kind == "package":
        return _package_steps(item)
    if item.kind in app.APP_KINDS:
        return app.setup_steps(item)
    if item.kind == "edition":
        return (
            f"Setup > Company Information shows the Organization Edition; this integration needs "
            f"{' or '.join(item.values)}. The edition changes only through a purchase from Salesforce."
        )
    if item.kind == "org_setting":
        where = item.setup or "Setup (search the setting's name in Quick Find)"
        return f'In {where}, set "{item.subject}" to {item.values[0] if item.values else "the value named"} and save.'
    if item.kind == "field_history":
        obj, _, fld = item.subject.partition(".")
        # https://help.salesforce.com/s/articleView?id=platform.tracking_field_history.htm
        return (
            f"Setup > Object Manager > {obj} > Fields & Relationships > Set History Tracking: enable {obj}"
            f" history, check {fld} and save."
        )
    if item.kind == "app_visible":
        # https://help.salesforce.com/s/articleView?id=platform.perm_sets_assigned_apps.htm (UNVERIFIED path)
        return (
            f"Setup > Permission Sets > (a set assigned to the user) > Assigned Apps > Edit: add {item.subject}"
            f" and save; or Setup > App Manager > {item.subject} > Edit > User Profiles: add the user's profile."
        )
    return (
        f"Setup > Company Information shows API Requests, Last 24 Hours and the org's maximum; this "
        f"integration needs at least {item.values[0] if item.values else '?'} a day. Buy more API capacity from"
        " Salesforce if the maximum is lower."
    )


def check_prerequisites(items: tuple[Prerequisite, ...], facts: OrgFacts) -> tuple[PrerequisiteResult, ...]:
    return tuple(check_one(item, facts) for item in items)


def check_one(item: Prerequisite, facts: OrgFacts) -> PrerequisiteResult:
    """PASSED / MISSING through the API where Salesforce exposes it; NOT_CHECKED otherwise."""
    fix = setup_steps(item)
    if item.when is not None:
        holds = condition_holds(item.when, facts)
        if holds is None:
            reason = f"condition not read ({item.when}): check by hand"
            return PrerequisiteResult(item, Status.NOT_CHECKED, fix=fix, reason=reason)
        if not holds:
            return PrerequisiteResult(
                item, Status.PASSED, reason=f"does not apply: not {item.when}", applies=False
            )
    if item.kind in app.APP_KINDS and app.unreadable(item):
        reason = "no Salesforce API reads this app policy: check it in Setup"
        return PrerequisiteResult(item, Status.NOT_CHECKED, fix=fix, reason=reason)
    if item.manual or item.kind in MANUAL_KINDS:
        reason = "no Salesforce API reads it: check by hand" if not item.manual else "check: manual"
        return PrerequisiteResult(item, Status.NOT_CHECKED, fix=fix, reason=reason)
    found = _found(item, facts)
    if found is None:
        return PrerequisiteResult(item, Status.NOT_CHECKED, fix=fix, reason="not read from the org")
    ok, text = found
    return PrerequisiteResult(item, Status.PASSED if ok else Status.MISSING, text, "" if ok else fix)


def _found(item: Prerequisite, facts: OrgFacts) -> tuple[bool, str] | None:
    if item.kind == "package":
        return _package_found(item, facts)
    if item.kind == app.PERMITTED_USERS:
        return app.found(item, facts)
    if item.kind == "edition":
        if facts.edition is None:
            return None
        have = _edition(facts.edition)
        return have in {_edition(e) for e in item.values}, f"the org's edition is {facts.edition}"
    if item.kind == "api_capacity":
        if facts.daily_api_max is None:
            return None
        wanted = int(item.values[0])
        return facts.daily_api_max >= wanted, f"the org allows {facts.daily_api_max} API requests a day"
    if "fields" not in facts.read:
        return None
    tracked = facts.history_tracked.get(item.subject)
    if tracked is None:
        return False, f"no field {item.subject} in this org"
    return tracked, f"history tracking is {'on' if tracked else 'off'} for {item.subject}"


def _edition(text: str) -> str:
    """ "Enterprise Edition" and "Enterprise" are the same edition."""
    return text.casefold().removesuffix(" edition").strip()


def condition_holds(cond: Condition, facts: OrgFacts) -> bool | None:
    """Whether ``when:`` holds; None when the object's sharing model was not read."""
    if "sharing" not in facts.read:
        return None
    model = facts.sharing.get(cond.object)
    if model is None:
        return False
    internal = not cond.sharing_model or model.internal == cond.sharing_model
    external = not cond.external_sharing_model or model.external == cond.external_sharing_model
    return internal and external


def _package_found(item: Prerequisite, facts: OrgFacts) -> tuple[bool, str] | None:
    """The package by namespace in InstalledSubscriberPackage, at or above the minimum version."""
    if facts.packages is None:
        return None
    have = {p.namespace.lower(): p for p in facts.packages}.get(item.subject.lower())
    if have is None:
        return False, f"no package with namespace {item.subject} is installed"
    wanted = PackageSpec(item.values[1] if len(item.values) > 1 else "", item.subject, _version(item))
    ok = not missing_packages((wanted,), facts.packages)
    return ok, f"{have.name} {version_text(have.version)} is installed"


def _version(item: Prerequisite) -> tuple[int, int, int]:
    parts = [int(n) for n in (item.values[0] if item.values else "0.0").split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]
