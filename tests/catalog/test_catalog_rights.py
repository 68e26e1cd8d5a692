"""The rules of catalog/rights.py used everywhere: field Edit needs Read; the permissions that imply
object access on every object."""

from __future__ import annotations

from leastforce.catalog.rights import OBJECT_ACCESS_PERMISSIONS, close_field_rights, implied_object_rights
from leastforce.values.model import FieldRight, ObjectRight

R, E = FieldRight.READ, FieldRight.EDIT


def test_field_edit_needs_read() -> None:
    assert close_field_rights(frozenset({E})) == {R, E}
    assert close_field_rights(frozenset({R})) == {R}


def test_complete_field_rights_come_back_as_the_same_object() -> None:
    # access.index shares one frozenset between the many field rows with the same rights.
    for rights in (frozenset({R}), frozenset({R, E}), frozenset()):
        assert close_field_rights(rights) is rights


def test_view_all_data_and_modify_all_data_imply_object_access_on_every_object() -> None:
    assert OBJECT_ACCESS_PERMISSIONS == ("ViewAllData", "ModifyAllData")
    for name in OBJECT_ACCESS_PERMISSIONS:
        assert ObjectRight.READ in implied_object_rights([name])
        assert ObjectRight.VIEW_ALL_FIELDS not in implied_object_rights([name])  # fields need their own grant
    assert implied_object_rights(["ApiEnabled", "ViewSetup"]) == frozenset()

