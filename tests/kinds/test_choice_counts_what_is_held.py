"""``any:`` picks the least risky alternative counting what the rest of the setup already grants: an
alternative that adds nothing (Modify All Data already brings View All Data) costs nothing."""

from __future__ import annotations

from leastforce.desired import desired_setup
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import AnyOf, ObjectReq, PermissionReq
from support.factories import make_catalog, make_manifest

CAT = make_catalog()
CHOICE = AnyOf(
    (
        PermissionReq("ViewAllData", why="org-wide read"),
        ObjectReq("Account", frozenset({ObjectRight.READ, ObjectRight.VIEW_ALL_RECORDS}), why="scoped read"),
    ),
    why="read every account",
)


def test_alone_the_scoped_alternative_wins() -> None:
    setup = desired_setup(make_manifest(("report", [CHOICE])), CAT)
    [choice] = setup.choices
    assert choice.chosen == 1 and "View All Data" in choice.reason


def test_when_the_setup_already_grants_it_the_free_alternative_wins() -> None:
    manifest = make_manifest(("admin", [PermissionReq("ModifyAllData", why="w")]), ("report", [CHOICE]))
    setup = desired_setup(manifest, CAT)
    [choice] = setup.choices
    assert choice.chosen == 0
    assert choice.reason == "nothing more to grant: the rest of the setup already has it"
    assert all("Account" not in ps.objects for ps in setup.permission_sets)
