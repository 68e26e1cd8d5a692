"""Hand-built plan inputs for the pure plan tests (tests/planning/test_plan_mutants.py and
test_plan_profile_user.py): a DesiredSetup in one call, plan() on a CurrentOrg in one call, and each change
as one comparable tuple."""

from __future__ import annotations

from typing import Any

from leastforce.desired import MANAGED_MARKER, DesiredSetup, DesiredUser
from leastforce.planning.changes import ChangeSet, CurrentOrg
from leastforce.planning.diff import plan
from leastforce.values.model import FieldRight, ObjectRight, PermissionSet, Profile, frozen_map
from support.factories import make_catalog

MANAGED = f"{MANAGED_MARKER} (Up)."
PSL = "Salesforce API Integration"
API = '"API Enabled" (ApiEnabled)'  # how plan names a permission: its Setup label, then its API name
SETUP = '"View Setup and Configuration" (ViewSetup)'
VIEW_ALL = '"View All Data" (ViewAllData)'


def flags(*granted: ObjectRight) -> dict[str, bool]:
    return {r.value: r in granted for r in ObjectRight}


def field_flags(*granted: FieldRight) -> dict[str, bool]:
    return {r.value: r in granted for r in FieldRight}


def desired(*sets: PermissionSet, **changes: Any) -> DesiredSetup:
    values: dict[str, Any] = {
        "integration": "Up",
        "permission_sets": sets,
        "profile": None,
        "user": DesiredUser(profile="Integration Profile"),
        "package_permission_sets": (),
        "assignments": (),
    }
    return DesiredSetup(**(values | changes))


def run(want: DesiredSetup, username: str = "", **org: Any) -> ChangeSet:
    """plan() on an org holding the user's profile, the sets' license and what ``org`` adds."""
    base: dict[str, Any] = {
        "profiles": frozen_map({"Integration Profile": Profile("Integration Profile", id="00e000000000001")}),
        "permission_set_licenses": frozen_map({PSL: "0PL000000000001"}),
    }
    return plan(want, CurrentOrg(**(base | org)), make_catalog(), username=username)


def rows(changes: ChangeSet) -> list[tuple[Any, ...]]:
    """Every change as one comparable tuple."""
    return [
        (
            c.step,
            c.action,
            c.sobject,
            c.key,
            c.setup,
            dict(c.values),
            dict(c.refs),
            c.record_id,
            dict(c.before),
        )
        for c in changes.changes
    ]
