"""Upsert by external ID in the local org, as the REST API Developer Guide describes it:
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm (201 with
`"created": true` for a new record; 200 with `"created": false` for an update from API version 46.0, 204
before; 300 with the matching records when several match; NOT_FOUND for an unknown external ID field)."""

from __future__ import annotations

from typing import Any

import requests

from leastforce.emulator.store.org_store import Caller
from leastforce.values.packages import PackageObject, PackageSpec

OBJ = "acme__Widget__c"
KEY = "acme__Ext__c"
SPEC = PackageSpec(
    "Acme", "acme", (1, 0, 0), objects=(PackageObject(OBJ, (KEY, "acme__Note__c"), external_ids=(KEY,)),)
)


def _call(org: Any, https: requests.Session, method: str, path: str, version: str = "64.0", **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {org.admin_token}"}
    return https.request(method, f"{org.instance_url}/services/data/v{version}{path}", headers=headers, **kw)


def _installed(org: Any) -> Any:
    org.store.install_packages((SPEC,))
    return org


def test_upsert_creates_then_updates(emulator: Any, https: requests.Session) -> None:
    org = _installed(emulator)
    created = _call(org, https, "PATCH", f"/sobjects/{OBJ}/{KEY}/W-1", json={"Name": "First"})
    assert created.status_code == 201
    new_id = created.json()["id"]
    assert created.json() == {"id": new_id, "success": True, "errors": [], "created": True}
    updated = _call(org, https, "PATCH", f"/sobjects/{OBJ}/{KEY}/W-1", json={"acme__Note__c": "again"})
    assert updated.status_code == 200
    assert updated.json() == {"id": new_id, "success": True, "errors": [], "created": False}
    row = _call(org, https, "GET", f"/sobjects/{OBJ}/{new_id}").json()
    assert row[KEY] == "W-1" and row["Name"] == "First" and row["acme__Note__c"] == "again"
    by_key = _call(org, https, "GET", f"/sobjects/{OBJ}/{KEY}/W-1")
    assert by_key.status_code == 200 and by_key.json()["Id"] == new_id


def test_before_46_an_update_is_204_and_no_created_flag(emulator: Any, https: requests.Session) -> None:
    org = _installed(emulator)
    created = _call(org, https, "PATCH", f"/sobjects/{OBJ}/{KEY}/W-2", "45.0", json={"Name": "Old"})
    assert created.status_code == 201 and "created" not in created.json()
    updated = _call(org, https, "PATCH", f"/sobjects/{OBJ}/{KEY}/W-2", "45.0", json={"Name": "Older"})
    assert updated.status_code == 204 and updated.content == b""


def test_several_matches_answer_300_with_their_urls_and_write_nothing(
    emulator: Any, https: requests.Session
) -> None:
    org = _installed(emulator)
    system = Caller(org.store.admin_user_id, system=True)
    ids = [org.store.create(OBJ, {"Name": f"Dup {i}", KEY: "SAME"}, caller=system) for i in range(2)]
    answer = _call(org, https, "PATCH", f"/sobjects/{OBJ}/{KEY}/SAME", json={"Name": "Changed"})
    assert answer.status_code == 300
    assert sorted(answer.json()) == sorted(f"/services/data/v64.0/sobjects/{OBJ}/{i}" for i in ids)
    names = {_call(org, https, "GET", f"/sobjects/{OBJ}/{i}").json()["Name"] for i in ids}
    assert names == {"Dup 0", "Dup 1"}


def test_unknown_field_is_not_found_and_a_plain_field_is_refused(
    emulator: Any, https: requests.Session
) -> None:
    org = _installed(emulator)
    unknown = _call(org, https, "PATCH", f"/sobjects/{OBJ}/acme__Nope__c/1", json={"Name": "x"})
    assert unknown.status_code == 404
    assert unknown.json() == [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
    plain = _call(org, https, "PATCH", f"/sobjects/{OBJ}/acme__Note__c/1", json={"Name": "x"})
    assert plain.status_code == 400 and plain.json()[0]["errorCode"] == "INVALID_FIELD"
    assert "acme__Note__c is not an External ID" in plain.json()[0]["message"]


def test_describe_marks_the_external_id(emulator: Any, https: requests.Session) -> None:
    org = _installed(emulator)
    fields = {f["name"]: f for f in _call(org, https, "GET", f"/sobjects/{OBJ}/describe").json()["fields"]}
    assert fields[KEY]["externalId"] is True and fields[KEY]["idLookup"] is True
    assert fields["acme__Note__c"]["externalId"] is False
