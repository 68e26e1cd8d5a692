"""OrgStore: seeding, CRUD, queries with paging and indexes, collections, persistence, threads."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store.ids import make_id, suffix, to18
from leastforce.emulator.store.org_store import Caller, OrgStore


@pytest.fixture
def store(tmp_path: Path):
    org = OrgStore.open(tmp_path / "org")
    yield org
    org.close()


@pytest.fixture
def admin(store: OrgStore) -> Caller:
    return Caller(store.admin_user_id)


def rows(store: OrgStore, soql: str, caller: Caller, **kw) -> list[dict]:
    return store.query(soql, caller=caller, **kw).records


def test_ids_have_real_prefixes_and_case_safe_suffix(store: OrgStore) -> None:
    assert store.org_id.startswith("00D") and len(store.org_id) == 18
    assert store.admin_user_id.startswith("005")
    assert to18(store.admin_user_id[:15]) == store.admin_user_id
    assert to18(store.admin_user_id[:15] + "AAA") is None or store.admin_user_id.endswith("AAA")
    # The documented example: 001A0000006Vm9r -> 001A0000006Vm9rIAC
    assert suffix("001A0000006Vm9r") == "IAC"
    assert make_id("0PS", 1) != make_id("0PS", 2)


def test_state_file_is_private(tmp_path: Path) -> None:
    OrgStore.open(tmp_path / "s").close()
    mode = (tmp_path / "s" / "org.sqlite").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_seeded_org_has_profiles_licenses_and_admin(store: OrgStore, admin: Caller) -> None:
    profiles = {r["Name"] for r in rows(store, "SELECT Name FROM Profile", admin)}
    assert {"System Administrator", "Standard User", "Minimum Access - API Only Integrations"} <= profiles
    owned = rows(
        store,
        "SELECT Id, Profile.Name, PermissionsModifyAllData FROM PermissionSet "
        "WHERE IsOwnedByProfile = true AND Profile.Name = 'System Administrator'",
        admin,
    )
    assert len(owned) == 1 and owned[0]["PermissionsModifyAllData"] is True
    licenses = {
        r["Name"]: r for r in rows(store, "SELECT Name, TotalLicenses, UsedLicenses FROM UserLicense", admin)
    }
    assert licenses["Salesforce Integration"]["TotalLicenses"] == 5
    assert licenses["Salesforce"]["UsedLicenses"] == 1
    psl = rows(store, "SELECT DeveloperName FROM PermissionSetLicense", admin)
    assert psl == [{"attributes": psl[0]["attributes"], "DeveloperName": "SalesforceAPIIntegrationPsl"}]
    user = store.find_user("admin@leastforce.emulator")
    assert user and user["ProfileName"] == "System Administrator"
    assert store.check_password(user["Id"], store.admin_password or "")
    assert not store.check_password(user["Id"], "wrong")
    assert "ModifyAllData" in store.effective_permissions(store.admin_user_id)


def test_tooling_only_permission_dependency(store: OrgStore, admin: Caller) -> None:
    page = store.query("SELECT COUNT() FROM PermissionDependency", caller=admin, tooling=True)
    assert page.total_size > 0
    with pytest.raises(ApiError) as err:
        store.query("SELECT Id FROM PermissionDependency", caller=admin)
    assert err.value.error_code == "INVALID_TYPE"
    with pytest.raises(ApiError) as err:
        store.query("SELECT Id FROM ScratchOrgInfo", caller=admin)
    assert err.value.error_code == "INVALID_TYPE"
    assert "sObject type 'ScratchOrgInfo' is not supported" in err.value.message


def test_describe(store: OrgStore) -> None:
    glob = store.describe_global()
    names = {s["name"] for s in glob["sobjects"]}
    assert {"Account", "PermissionSet", "User"} <= names and "PermissionDependency" not in names
    ps = store.describe("PermissionSet")
    fields = {f["name"]: f for f in ps["fields"]}
    assert fields["PermissionsApiEnabled"]["type"] == "boolean"
    assert (
        fields["ProfileId"]["referenceTo"] == ["Profile"]
        and fields["ProfileId"]["relationshipName"] == "Profile"
    )
    assert any(c["relationshipName"] == "Assignments" for c in ps["childRelationships"])
    account = {f["name"]: f for f in store.describe("Account")["fields"]}
    assert account["Industry"]["permissionable"] is True and account["Name"]["permissionable"] is False
    with pytest.raises(ApiError) as err:
        store.describe("NoSuchThing")
    assert (err.value.status, err.value.error_code) == (404, "NOT_FOUND")


def test_crud_round_trip(store: OrgStore, admin: Caller) -> None:
    acc = store.create("Account", {"Name": "Acme", "NumberOfEmployees": 5}, caller=admin)
    assert acc.startswith("001")
    got = store.get("Account", acc, ["Name", "NumberOfEmployees"], caller=admin)
    assert got["Name"] == "Acme" and got["NumberOfEmployees"] == 5
    assert got["attributes"] == {"type": "Account", "url": f"/services/data/v64.0/sobjects/Account/{acc}"}
    store.update("Account", acc, {"Name": "Acme 2"}, caller=admin)
    assert store.get("Account", acc[:15], None, caller=admin)["Name"] == "Acme 2"
    store.delete("Account", acc, caller=admin)
    with pytest.raises(ApiError) as err:
        store.get("Account", acc, None, caller=admin)
    assert (err.value.status, err.value.error_code) == (404, "NOT_FOUND")


def test_field_errors(store: OrgStore, admin: Caller) -> None:
    with pytest.raises(ApiError) as err:
        store.create("Account", {"Name": "A", "Bogus__c": 1}, caller=admin)
    assert (err.value.error_code, err.value.message) == (
        "INVALID_FIELD",
        "No such column 'Bogus__c' on sobject of type Account",
    )
    with pytest.raises(ApiError) as err:
        store.create("Account", {"Industry": "Banking"}, caller=admin)
    assert (err.value.error_code, err.value.message) == (
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [Name]",
    )
    with pytest.raises(ApiError) as err:
        store.create("PermissionSet", {"Name": "X", "Label": "X", "IsOwnedByProfile": True}, caller=admin)
    assert err.value.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(ApiError) as err:
        store.create("Contact", {"LastName": "L", "AccountId": "not-an-id"}, caller=admin)
    assert err.value.error_code == "MALFORMED_ID"
    with pytest.raises(ApiError) as err:
        store.create("Contact", {"LastName": "L", "AccountId": make_id("001", 999)}, caller=admin)
    assert (err.value.error_code, err.value.message) == (
        "INVALID_CROSS_REFERENCE_KEY",
        "invalid cross reference id",
    )


def test_query_paging_and_locator(store: OrgStore, admin: Caller) -> None:
    store.bulk_insert("Account", [{"Name": f"A{i:04d}"} for i in range(45)])
    first = store.query("SELECT Name FROM Account ORDER BY Name", caller=admin, batch_size=20)
    assert (first.total_size, first.done, len(first.records)) == (45, False, 20)
    assert first.locator and first.locator.startswith("01g") and first.locator.endswith("-20")
    second = store.query_more(first.locator, caller=admin)
    third = store.query_more(second.locator or "", caller=admin)
    assert third.done and third.locator is None
    names = [r["Name"] for r in first.records + second.records + third.records]
    assert names == [f"A{i:04d}" for i in range(45)]
    with pytest.raises(ApiError) as err:
        store.query_more("01gLf0000000000AAA-20", caller=admin)
    assert err.value.error_code == "INVALID_QUERY_LOCATOR"


def test_foreign_key_filters_use_an_index(store: OrgStore, admin: Caller) -> None:
    """A ParentId filter becomes an indexed SQL condition: the SQL plan searches the index."""
    ps = store.create("PermissionSet", {"Name": "Big", "Label": "Big"}, caller=admin)
    other = store.create("PermissionSet", {"Name": "Other", "Label": "Other"}, caller=admin)
    store.bulk_insert(
        "FieldPermissions",
        [
            {
                "ParentId": other,
                "SobjectType": "Account",
                "Field": f"Account.F{i}__c",
                "PermissionsRead": True,
            }
            for i in range(3000)
        ],
    )
    store.create(
        "FieldPermissions",
        {"ParentId": ps, "SobjectType": "Account", "Field": "Account.Industry", "PermissionsRead": True},
        caller=admin,
    )
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    found = rows(store, f"SELECT Field FROM FieldPermissions WHERE ParentId = '{ps}'", admin)
    store._conn.set_trace_callback(None)
    assert [r["Field"] for r in found] == ["Account.Industry"]
    scans = [s for s in statements if "so_FieldPermissions" in s]
    assert scans and all("WHERE" in s and "ParentId" in s for s in scans)
    plan = store._conn.execute(
        'EXPLAIN QUERY PLAN SELECT * FROM "so_FieldPermissions" WHERE "ParentId" IN (?)', (ps,)
    ).fetchall()
    assert any("USING INDEX" in str(tuple(row)) for row in plan)


def test_collection_all_or_none_rolls_back(store: OrgStore, admin: Caller) -> None:
    items = [{"attributes": {"type": "Account"}, "Name": "Good"}, {"attributes": {"type": "Account"}}]
    results = store.collection("create", items, all_or_none=True, caller=admin)
    assert results[0] == {
        "success": False,
        "errors": [
            {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
                "fields": [],
            }
        ],
    }
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert rows(store, "SELECT Id FROM Account", admin) == []
    partial = store.collection("create", items, all_or_none=False, caller=admin)
    assert partial[0]["success"] and not partial[1]["success"]
    assert len(rows(store, "SELECT Id FROM Account", admin)) == 1
    deleted = store.collection("delete", [partial[0]["id"]], all_or_none=False, caller=admin)
    assert deleted == [{"id": partial[0]["id"], "success": True, "errors": []}]


def test_collection_mixing_setup_and_data_objects_fails(store: OrgStore, admin: Caller) -> None:
    items = [
        {"attributes": {"type": "Account"}, "Name": "A"},
        {"attributes": {"type": "PermissionSet"}, "Name": "P", "Label": "P"},
    ]
    with pytest.raises(ApiError) as err:
        store.collection("create", items, all_or_none=False, caller=admin)
    assert err.value.error_code == "MIXED_DML_OPERATION"


def test_writes_survive_reopen(tmp_path: Path) -> None:
    org = OrgStore.open(tmp_path / "o")
    admin = Caller(org.admin_user_id)
    acc = org.create("Account", {"Name": "Kept"}, caller=admin)
    org_id = org.org_id
    org.close()
    again = OrgStore.open(tmp_path / "o")
    try:
        assert again.org_id == org_id
        assert again.get("Account", acc, ["Name"], caller=admin)["Name"] == "Kept"
        assert len(rows(again, "SELECT Id FROM Profile WHERE Name = 'System Administrator'", admin)) == 1
    finally:
        again.close()


def test_concurrent_writers_lose_nothing(store: OrgStore, admin: Caller) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                store.create("Account", {"Name": f"T{n}-{i}"}, caller=admin)
                store.query("SELECT COUNT() FROM Account", caller=admin)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.query("SELECT COUNT() FROM Account", caller=admin).total_size == 150


def test_request_limit(store: OrgStore) -> None:
    store.requests_max = 3
    assert [store.count_request() for _ in range(3)] == [1, 2, 3]
    with pytest.raises(ApiError) as err:
        store.count_request()
    assert (err.value.status, err.value.error_code, err.value.message) == (
        403,
        "REQUEST_LIMIT_EXCEEDED",
        "TotalRequests Limit exceeded.",
    )
    assert store.limits()["DailyApiRequests"] == {"Max": 3, "Remaining": 0}


def test_sessions_and_connected_apps(store: OrgStore) -> None:
    token = store.create_session(store.admin_user_id, app=None)
    assert token.startswith(store.org_id[:15] + "!")
    assert store.session_user(token) == store.admin_user_id
    store.expire_sessions()
    assert store.session_user(token) is None
    app = store.add_connected_app("Vendor", consumer_key="ck", consumer_secret="cs", admin_preauthorized=True)
    assert store.connected_app("ck") == app and app["admin_preauthorized"]
    assert not store.is_app_preauthorized(app["Id"], store.admin_user_id)
    owned = store.query(
        "SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = true AND "
        "Profile.Name = 'System Administrator'",
        caller=Caller(store.admin_user_id),
    ).records[0]["Id"]
    store.create(
        "SetupEntityAccess",
        {"ParentId": owned, "SetupEntityId": app["Id"]},
        caller=Caller(store.admin_user_id),
    )
    assert store.is_app_preauthorized(app["Id"], store.admin_user_id)
    store.record_login(store.admin_user_id, "Success", "Vendor")
    store.touch_token(store.admin_user_id, "Vendor")
    store.touch_token(store.admin_user_id, "Vendor")
    tokens = store.query("SELECT UseCount FROM OauthToken", caller=Caller(store.admin_user_id)).records
    assert [t["UseCount"] for t in tokens] == [2]


@given(prefix=st.sampled_from(["001", "005", "0PS", "0Pa", "a0B"]), number=st.integers(0, 62**10 - 1))
def test_ids_round_trip(prefix: str, number: int) -> None:
    full = make_id(prefix, number)
    assert len(full) == 18 and full.startswith(prefix)
    assert to18(full) == full and to18(full[:15]) == full
    assert to18(full[:15] + "ZZZ") in (None, full)


def test_sessions_survive_reopen(tmp_path: Path) -> None:
    org = OrgStore.open(tmp_path / "s")
    token = org.create_session(org.admin_user_id, app="cli")
    org.close()
    again = OrgStore.open(tmp_path / "s")
    try:
        assert again.session_user(token) == again.admin_user_id
        again.revoke_session(token)
        assert again.session_user(token) is None
    finally:
        again.close()


def test_limits_list_the_documented_org_limits(store: OrgStore) -> None:
    # REST API Developer Guide, "Limits" response body table and "List Org Limits" (shape {"Max", "Remaining"}):
    # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
    limits = store.limits()
    assert len(limits) >= 50
    for name in (
        "DailyApiRequests",
        "DailyBulkApiBatches",
        "DailyBulkV2QueryJobs",
        "DailyAsyncApexExecutions",
        "DataStorageMB",
        "FileStorageMB",
        "SingleEmail",
        "MassEmail",
        "HourlyODataCallout",
        "DailyDurableStreamingApiEvents",
        "ActiveScratchOrgs",
        "PermissionSets",
    ):
        assert set(limits[name]) >= {"Max", "Remaining"}, name
        assert 0 <= limits[name]["Remaining"] <= limits[name]["Max"], name
    assert set(limits["PermissionSets"]["CreateCustom"]) == {"Max", "Remaining"}
    before = store.count_request()
    assert store.limits()["DailyApiRequests"]["Remaining"] == store.requests_max - before


def test_limits_count_custom_permission_sets(store: OrgStore) -> None:
    before = store.limits()["PermissionSets"]
    store.create(
        "PermissionSet",
        {"Name": "Limits_Counted", "Label": "Limits Counted"},
        caller=Caller(store.admin_user_id),
    )
    after = store.limits()["PermissionSets"]
    assert after["Remaining"] == before["Remaining"] - 1
    assert after["CreateCustom"]["Remaining"] == before["CreateCustom"]["Remaining"] - 1


def test_row_picker_reads_what_get_reads(store: OrgStore) -> None:
    """A flat query reads its values through db.Row.picker: the same values as Row.get (booleans as
    booleans, a null boolean as false, compound fields as None), and by name for a row of another
    table layout (a column added by ALTER TABLE since the picker was made)."""
    import sqlite3

    from leastforce.emulator.store import db

    user = store._schema.get("User")
    conn = sqlite3.connect(":memory:")
    db.create_table(conn, user)
    stored = [f.name for f in db.stored_fields(user)]
    names = stored[::-1]  # any order
    compound = [f.name for f in user.fields.values() if f.name not in stored]
    assert compound  # Address: not stored, read as None
    values = {"Id": "005000000000001AAA", "Username": "a@b.c", "IsActive": 1}
    conn.execute(
        f"INSERT INTO {db.table('User')} (Id, Username, IsActive) VALUES (?, ?, ?)", list(values.values())
    )
    first = next(db.select(conn, user))
    pick = first.picker(names)
    assert pick(first) == [first.get(n) for n in names]
    assert pick(first)[names.index("IsActive")] is True and first.get("IsActive") is True
    booleans = [n for n in stored if user.fields[n].type == "boolean" and n != "IsActive"]
    assert booleans and all(pick(first)[names.index(n)] is False for n in booleans)
    conn.execute(f'ALTER TABLE {db.table("User")} ADD COLUMN "Extra__x"')
    moved = next(db.select(conn, user))
    assert pick(moved) == [moved.get(n) for n in names] == pick(first)
    only = first.picker(["Username"])
    assert only(first) == ["a@b.c"]
    with_compound = first.picker(["Username", compound[0]])
    assert with_compound(first) == ["a@b.c", None]


def test_rows_read_with_some_columns_answer_for_every_field(store: OrgStore) -> None:
    """db.select(columns=...) reads the named columns (and Id) only; a field outside them is read from
    the record on demand, so a query's answer never depends on the columns the engine declared."""
    import sqlite3

    from leastforce.emulator.store import db

    user = store._schema.get("User")
    conn = sqlite3.connect(":memory:")
    db.create_table(conn, user)
    conn.execute(
        f"INSERT INTO {db.table('User')} (Id, Username, Email, IsActive) VALUES (?, ?, ?, ?)",
        ["005000000000001AAA", "a@b.c", "a@example.com", 1],
    )
    full = next(db.select(conn, user))
    row = next(db.select(conn, user, columns=["Username", "NoSuchField"]))
    assert len(row._row) == 2  # Id and Username: nothing else was read
    assert row.get("Username") == "a@b.c" and row.get("Id") == "005000000000001AAA"
    pick = row.picker(["Username", "Email"])  # Email is not among its columns: read by name
    assert pick(row) == ["a@b.c", "a@example.com"]
    assert row.get("IsActive") is True and row["Email"] == "a@example.com"
    assert [row.get(n) for n in user.fields] == [full.get(n) for n in user.fields]
    assert row.get("NoSuchField", "x") == "x"


def test_whole_table_reads_answer_as_row_by_row_reads(store: OrgStore, admin: Caller) -> None:
    """A Bulk query of plain fields with no WHERE clause is read by SQLite in one statement
    (db.select_columns); it answers exactly as the row-by-row engine (a WHERE that keeps every row forces
    that path): booleans, datetimes, FIELDS(), and the rows a caller may not read left out."""
    from test_emulator_rules import make_user

    reader = Caller(make_user(store, admin, "Standard User", "reader"))
    store.record_login(admin.user_id, "Success", "Browser")
    store.record_login(reader.user_id, "Success", "Browser")
    queries = (
        "SELECT Id, Username, IsActive, LastLoginDate, CreatedDate FROM User",
        "SELECT FIELDS(STANDARD) FROM PermissionSet",
        "SELECT Id, UserId, LoginTime, Status FROM LoginHistory",
    )
    for caller in (admin, reader, Caller("", system=True)):
        for soql in queries:
            try:
                whole = store.query_table(soql, caller=caller)
            except ApiError:
                continue  # the reader may not query this object at all
            keyed = soql.replace("FROM PermissionSet", "FROM PermissionSet WHERE Id != null")
            keyed = keyed if "WHERE" in keyed else soql + " WHERE Id != null"
            by_row = store.query_table(keyed, caller=caller)
            assert (whole.columns, whole.types) == (by_row.columns, by_row.types)
            assert whole.rows == by_row.rows, soql  # 1/0 equal True/False: the Bulk writer spells both
            assert whole.rows, soql
    flags = {type(row[2]) for row in store.query_table(queries[0], caller=admin).rows}
    assert flags == {int}  # IsActive as 1/0: the whole-table read answered, not the row-by-row one
    mine = store.query_table(queries[2], caller=reader).rows
    assert {row[1] for row in mine} == {reader.user_id}  # own login rows only (no Manage Users)
