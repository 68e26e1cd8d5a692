"""Objects that take no object permissions (history, share, team member, stage objects) are validation
errors that say what grants access instead, not "unknown object" warnings."""

from __future__ import annotations

import pytest

from leastforce.catalog import load_catalog
from leastforce.kinds import kind_of
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import ObjectReq

CAT = load_catalog()


@pytest.mark.parametrize(
    ("name", "instead"),
    [
        ("AccountHistory", "Read on Account"),
        ("OpportunityTeamMember", "access to the Opportunity record"),
        ("OpportunityStage", "readable by users who can read Opportunity"),
        ("Invoice__History", "Read on Invoice__c"),
    ],
)
def test_an_object_without_permissions_is_an_error_naming_what_grants_access(name: str, instead: str) -> None:
    req = ObjectReq(name, frozenset({ObjectRight.READ}), why="w")
    [problem] = [p for p in kind_of(req).validate(req, CAT) if p.severity == "error"]
    assert problem.code == "object-not-permissionable"
    assert f"{name} (object access [read]): " in problem.message
    assert f"what gives access instead: {instead}" in problem.message


def test_an_ordinary_object_is_not_refused() -> None:
    req = ObjectReq("Account", frozenset({ObjectRight.READ}), why="w")
    assert [p for p in kind_of(req).validate(req, CAT) if p.severity == "error"] == []
