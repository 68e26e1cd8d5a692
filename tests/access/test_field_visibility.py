"""The field-visibility rule (leastforce.access.fields) holds the same for a user's effective access
(EffectiveAccess.field_rights) and for one source's rights (explain's rights_test, who_has)."""

from __future__ import annotations

import pytest

from leastforce.access.fields import field_routes, holds_field_right
from leastforce.access.grants import Rights
from leastforce.access.resolve import effective_access
from leastforce.catalog.rights import close_field_rights
from leastforce.checks.explain.paths import Target, TargetKind, rights_test
from leastforce.values.model import FieldRight, ObjectRight
from support.factories import NOW, OrgBuilder, field_rights, make_catalog, object_rights

USER = "int@x.com"
R, F = FieldRight.READ, FieldRight.EDIT

# (permissions, objects, fields) -> the rights it gives on Contact.Email (field-level security) and
# Contact.LastName (no field-level security: readable with the object).
CASES = [
    ((), {}, {"Contact.Email": "read"}, {R}, set()),
    ((), {}, {"Contact.Email": "edit"}, {R, F}, set()),  # field Edit needs Read
    ((), {"Contact": "view_all_fields"}, {}, {R}, {R}),
    (("ViewAllFieldsGlobal",), {}, {}, {R}, {R}),
    (("ViewAllData",), {}, {}, set(), {R}),  # View All Data does not reach fields with FLS
    (("ModifyAllData",), {}, {}, set(), {R}),
    ((), {"Contact": "read"}, {}, set(), {R}),
    ((), {"Contact": "edit"}, {}, set(), {R}),  # object Edit needs Read; field Edit needs a row
    ((), {"Account": "read"}, {"Account.Phone": "edit"}, set(), set()),
]


@pytest.mark.parametrize(("perms", "objects", "fields", "email", "last_name"), CASES)
def test_effective_access_and_rights_test_apply_one_rule(perms, objects, fields, email, last_name) -> None:
    snapshot = (
        OrgBuilder()
        .permission_set("S", perms=perms, objects=objects, fields=fields)
        .user(USER)
        .assign(USER, "S")
        .build()
    )
    access = effective_access(snapshot, USER, catalog=make_catalog(), now=NOW)
    one = Rights(
        frozenset(perms),
        object_rights(objects),
        {name: close_field_rights(rights) for name, rights in field_rights(fields).items()},
    )
    for field_name, expected in (("Contact.Email", email), ("Contact.LastName", last_name)):
        assert set(access.field_rights(field_name)) == expected, field_name
        for right in FieldRight:
            target = Target(TargetKind.FIELD, field_name, right=right.key)
            assert rights_test(target, access.open_fields)(one) == (right in expected), (field_name, right)


def test_field_edit_comes_only_from_a_field_permissions_row() -> None:
    assert field_routes(F, open_field=True) == ()
    held = {"field_rights": (), "object_rights": {ObjectRight.VIEW_ALL_FIELDS, ObjectRight.EDIT}}
    assert not holds_field_right(F, permissions={"ViewAllFieldsGlobal", "ModifyAllData"}, open_field=True, **held)
    assert holds_field_right(F, field_rights={F}, object_rights=(), permissions=(), open_field=False)


def test_view_all_data_reaches_only_fields_without_field_level_security() -> None:
    kwargs = {"field_rights": (), "object_rights": (), "permissions": {"ViewAllData"}}
    assert not holds_field_right(R, open_field=False, **kwargs)
    assert holds_field_right(R, open_field=True, **kwargs)
