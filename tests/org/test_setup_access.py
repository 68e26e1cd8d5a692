"""The org's refusal to read a setup object (INVALID_TYPE or INSUFFICIENT_ACCESS) becomes one message."""

from __future__ import annotations

from typing import Any

import pytest

from leastforce.errors import OrgError, PermissionDenied
from leastforce.org.read.setup_access import SELF_CHECK, refusals_named, require_view_setup

NOT_SUPPORTED = (
    "sObject type 'PermissionSet' is not supported. If you are attempting to use a custom object ..."
)


@pytest.mark.parametrize(
    ("error", "named"),
    [
        (OrgError(NOT_SUPPORTED, error_code="INVALID_TYPE", status=400), "PermissionSet"),
        (
            PermissionDenied(
                "insufficient access rights on ObjectPermissions", error_code="INSUFFICIENT_ACCESS"
            ),
            "ObjectPermissions",
        ),
        (PermissionDenied("insufficient access", error_code="INSUFFICIENT_ACCESS"), "PermissionSet"),
    ],
)
def test_refusal_of_a_setup_object_names_view_setup(error: OrgError, named: str) -> None:
    with pytest.raises(PermissionDenied) as raised, refusals_named():
        raise error
    assert "needs View Setup and Configuration (ViewSetup) to read" in raised.value.message
    assert named in raised.value.message and raised.value.exit_code == 3


def test_other_errors_pass_unchanged() -> None:
    other = OrgError("sObject type 'Widget__c' is not supported.", error_code="INVALID_TYPE")
    with pytest.raises(OrgError) as raised, refusals_named():
        raise other
    assert raised.value is other


class _Client:
    instance_url = "https://example.invalid"
    calls = 0

    def __init__(self, answer: Any) -> None:
        self.answer, self.asked = answer, []

    def query(self, soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
        self.asked.append(soql)
        if isinstance(self.answer, Exception):
            raise self.answer
        return list(self.answer)


def test_self_check_refuses_without_view_setup() -> None:
    client = _Client([{"PermissionsViewSetup": False}])
    with pytest.raises(PermissionDenied, match="ViewSetup"):
        require_view_setup(client)  # type: ignore[arg-type]
    assert client.asked == [SELF_CHECK]


def test_self_check_passes_with_view_setup_or_when_the_org_cannot_answer() -> None:
    require_view_setup(_Client([{"PermissionsViewSetup": True}]))  # type: ignore[arg-type]
    require_view_setup(_Client(OrgError("no such type", error_code="INVALID_TYPE")))  # type: ignore[arg-type]
