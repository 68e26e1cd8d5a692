"""Catalog facts about what takes no permissions: fields without FLS, objects without object permissions."""

from __future__ import annotations

import pytest

from leastforce.catalog import Catalog, NoFieldSecurity, field_security_exemption, load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("obj", "field", "exemption"),
    [
        ("Account", "Name", NoFieldSecurity.REQUIRED),
        ("Account", "Id", NoFieldSecurity.SYSTEM),
        ("Contact", "Id", NoFieldSecurity.SYSTEM),
        ("Account", "OwnerId", NoFieldSecurity.OWNER),
        ("Account", "CreatedDate", NoFieldSecurity.SYSTEM),
        ("Account", "CreatedById", NoFieldSecurity.SYSTEM),
        ("Account", "LastModifiedDate", NoFieldSecurity.SYSTEM),
        ("Account", "LastModifiedById", NoFieldSecurity.SYSTEM),
        ("Account", "SystemModstamp", NoFieldSecurity.SYSTEM),
        ("Account", "IsDeleted", NoFieldSecurity.SYSTEM),
        ("Account", "BillingAddress", NoFieldSecurity.COMPOUND),
        ("Opportunity", "StageName", NoFieldSecurity.REQUIRED),
        ("Contact", "LastName", NoFieldSecurity.REQUIRED),
    ],
)
def test_fields_without_field_level_security_say_why(
    catalog: Catalog, obj: str, field: str, exemption: NoFieldSecurity
) -> None:
    found = catalog.objects[obj].fields[field]
    assert not found.permissionable
    assert found.exemption is exemption
    assert found.not_permissionable_reason == exemption.value


@pytest.mark.parametrize(
    ("obj", "field"),
    [("Account", "Industry"), ("Opportunity", "Description"), ("Contact", "Email"), ("Account", "BillingCity")],
)
def test_fields_with_field_level_security_have_no_reason(catalog: Catalog, obj: str, field: str) -> None:
    found = catalog.objects[obj].fields[field]
    assert found.permissionable and found.exemption is None and found.not_permissionable_reason == ""


def test_every_field_without_fls_has_a_reason(catalog: Catalog) -> None:
    for obj in catalog.objects.values():
        for field in obj.fields.values():
            assert field.permissionable == (field.not_permissionable_reason == ""), (obj.name, field.name)


def test_field_security_exemption_rule() -> None:
    assert field_security_exemption("Description", "textarea", True, True) is None
    # Booleans are never nillable yet take FLS; formula / roll-up style fields (not createable) take FLS.
    assert field_security_exemption("DoNotCall", "boolean", False, True) is None
    assert field_security_exemption("NumberOfLeads", "int", False, False) is None
    assert field_security_exemption("Name", "string", False, True) is NoFieldSecurity.REQUIRED
    assert field_security_exemption("OwnerId", "reference", False, True) is NoFieldSecurity.OWNER


@pytest.mark.parametrize(
    ("name", "parent"),
    [
        ("AccountHistory", "Account"),
        ("CaseHistory", "Case"),
        ("OpportunityFieldHistory", "Opportunity"),
        ("OpportunityHistory", "Opportunity"),
        ("AccountShare", "Account"),
        ("Invoice__History", "Invoice__c"),
        ("Invoice__Share", "Invoice__c"),
        ("AccountTeamMember", "Account"),
        ("OpportunityTeamMember", "Opportunity"),
        ("OpportunityStage", "Opportunity"),
    ],
)
def test_objects_without_object_permissions_say_what_grants_access(
    catalog: Catalog, name: str, parent: str
) -> None:
    found = catalog.object_without_permissions(name)
    assert found is not None and found.object == name and found.parent == parent
    assert parent in found.access_from and "{parent}" not in found.access_from + found.reason
    assert found.sources and set(found.sources) <= set(catalog.sources)


def test_catalog_objects_marked_without_permissions_are_covered(catalog: Catalog) -> None:
    task = catalog.object_without_permissions("task")
    assert task is not None and task.object == "Task" and "Access Activities" in task.access_from
    for obj in catalog.objects.values():
        assert (catalog.object_without_permissions(obj.name) is None) == obj.permissionable, obj.name


@pytest.mark.parametrize("name", ["Account", "Invoice__c", "LoginHistory", "History", "Share", "Nope"])
def test_objects_with_permissions_or_unknown_give_none(catalog: Catalog, name: str) -> None:
    assert catalog.object_without_permissions(name) is None
