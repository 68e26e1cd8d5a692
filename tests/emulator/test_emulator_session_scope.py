"""What a session may see: query cursors belong to the user who ran the query, and the setup objects
with special access rules need View Setup and Configuration (or the object's other permissions)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store.org_store import Caller, OrgStore

API = "/services/data/v64.0"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OrgStore]:
    org = OrgStore.open(tmp_path / "org")
    yield org
    org.close()


def _user(store: OrgStore, profile: str, name: str) -> str:
    admin = Caller(store.admin_user_id)
    profile_id = store.query(f"SELECT Id FROM Profile WHERE Name = '{profile}'", caller=admin).records[0][
        "Id"
    ]
    return store.create(
        "User",
        {
            "Username": f"{name}@example.com",
            "LastName": name,
            "Email": f"{name}@example.com",
            "Alias": name[:8],
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "ProfileId": profile_id,
        },
        caller=admin,
    )


def _grant(store: OrgStore, user_id: str, permission: str) -> None:
    admin = Caller(store.admin_user_id)
    ps = store.create(
        "PermissionSet",
        {"Name": f"Grant_{permission}", "Label": permission, f"Permissions{permission}": True},
        caller=admin,
    )
    store.create("PermissionSetAssignment", {"AssigneeId": user_id, "PermissionSetId": ps}, caller=admin)


# -- cursors ----------------------------------------------------------------------------------------
def test_a_locator_belongs_to_the_user_who_ran_the_query(store: OrgStore) -> None:
    store.bulk_insert("Account", [{"Name": f"A {i:04d}"} for i in range(450)])
    owner = Caller(store.admin_user_id)
    other = Caller(_user(store, "System Administrator", "other"))
    first = store.query("SELECT Id FROM Account", caller=owner, batch_size=200)
    assert first.locator is not None
    with pytest.raises(ApiError) as refused:
        store.query_more(first.locator, caller=other)
    assert (refused.value.status, refused.value.error_code) == (400, "INVALID_QUERY_LOCATOR")
    # Still there for its owner: the other user's try did not close it.
    assert len(store.query_more(first.locator, caller=owner).records) == 200


def test_a_child_locator_belongs_to_its_user_too(store: OrgStore) -> None:
    store.child_batch_size = 2
    admin = Caller(store.admin_user_id)
    account = store.create("Account", {"Name": "Parent"}, caller=admin)
    for i in range(5):
        store.create("Contact", {"LastName": f"C{i}", "AccountId": account}, caller=admin)
    page = store.query(
        f"SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id = '{account}'", caller=admin
    )
    url = page.records[0]["Contacts"]["nextRecordsUrl"]
    locator = url.rsplit("/", 1)[1]
    other = Caller(_user(store, "System Administrator", "other"))
    with pytest.raises(ApiError, match="invalid query locator"):
        store.query_more(locator, caller=other)
    assert store.query_more(locator, caller=admin).records


def test_next_records_url_of_another_session_is_invalid_over_rest(
    emulator: Any, https: requests.Session
) -> None:
    store = emulator.store
    store.bulk_insert("Account", [{"Name": f"A {i:04d}"} for i in range(300)])
    other_token = store.create_session(_user(store, "System Administrator", "other"), app="test")
    first = https.get(
        emulator.instance_url + API + "/query",
        params={"q": "SELECT Id FROM Account"},
        headers={"Authorization": f"Bearer {emulator.admin_token}", "Sforce-Query-Options": "batchSize=200"},
    )
    next_url = first.json()["nextRecordsUrl"]
    stolen = https.get(emulator.instance_url + next_url, headers={"Authorization": f"Bearer {other_token}"})
    assert stolen.status_code == 400
    assert stolen.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
    mine = https.get(
        emulator.instance_url + next_url, headers={"Authorization": f"Bearer {emulator.admin_token}"}
    )
    assert mine.status_code == 200


# -- View Setup and Configuration -------------------------------------------------------------------
SETUP_OBJECTS = [
    "PermissionSet",
    "ObjectPermissions",
    "FieldPermissions",
    "SetupEntityAccess",
    "PermissionSetAssignment",
]


@pytest.mark.parametrize("sobject", SETUP_OBJECTS)
def test_without_view_setup_the_setup_objects_do_not_exist(store: OrgStore, sobject: str) -> None:
    user = Caller(_user(store, "Minimum Access - API Only Integrations", "integ"))
    with pytest.raises(ApiError) as refused:
        store.query(f"SELECT Id FROM {sobject}", caller=user)
    assert refused.value.error_code == "INVALID_TYPE"
    assert f"sObject type '{sobject}' is not supported" in refused.value.message
    any_id = store.query(f"SELECT Id FROM {sobject} LIMIT 1", caller=Caller(store.admin_user_id)).records
    if any_id:
        with pytest.raises(ApiError) as hidden:
            store.get(sobject, any_id[0]["Id"], None, caller=user)
        assert hidden.value.error_code == "NOT_FOUND"


@pytest.mark.parametrize("sobject", SETUP_OBJECTS)
def test_view_setup_opens_them(store: OrgStore, sobject: str) -> None:
    user_id = _user(store, "Minimum Access - API Only Integrations", "integ")
    _grant(store, user_id, "ViewSetup")
    store.query(f"SELECT Id FROM {sobject} LIMIT 1", caller=Caller(user_id))


@pytest.mark.parametrize(
    ("sobject", "permission", "opens"),
    [
        ("PermissionSet", "AssignPermissionSets", True),
        ("PermissionSetAssignment", "AssignPermissionSets", True),
        ("ObjectPermissions", "AssignPermissionSets", False),
        ("FieldPermissions", "AssignPermissionSets", False),
    ],
)
def test_the_other_permissions_each_object_documents(
    store: OrgStore, sobject: str, permission: str, opens: bool
) -> None:
    user_id = _user(store, "Minimum Access - API Only Integrations", "integ")
    ps = store.query(
        "SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = false LIMIT 1",
        caller=Caller(store.admin_user_id),
    )
    assert ps.records is not None
    _grant(store, user_id, permission)
    held = store.effective_permissions(user_id)
    assert permission in held
    if "ViewSetup" in held:
        pytest.skip(f"{permission} brings View Setup with it in this org")
    if opens:
        store.query(f"SELECT Id FROM {sobject} LIMIT 1", caller=Caller(user_id))
    else:
        with pytest.raises(ApiError, match="is not supported"):
            store.query(f"SELECT Id FROM {sobject} LIMIT 1", caller=Caller(user_id))


def test_a_child_subquery_on_a_hidden_object_is_refused(store: OrgStore) -> None:
    user_id = _user(store, "Standard User", "std")  # View Setup on the seeded Standard User profile
    store.query("SELECT Id, (SELECT Id FROM FieldPerms) FROM PermissionSet LIMIT 1", caller=Caller(user_id))
    integ = Caller(_user(store, "Minimum Access - API Only Integrations", "integ"))
    with pytest.raises(ApiError, match="is not supported"):
        store.query("SELECT Id FROM PermissionSet LIMIT 1", caller=integ)
