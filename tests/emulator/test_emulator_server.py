"""The emulator at the wire, driven by simple-salesforce and requests over real HTTPS."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

API = "/services/data/v64.0"


def _url(org: Any, path: str) -> str:
    return org.instance_url + path


def _auth(org: Any, token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or org.admin_token}"}


def test_versions_list_is_public_and_ends_with_the_newest(emulator: Any, https: requests.Session) -> None:
    answer = https.get(_url(emulator, "/services/data/"))
    assert answer.status_code == 200
    versions = answer.json()
    assert {"label": "Summer '25", "url": "/services/data/v64.0", "version": "64.0"} in versions
    assert {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"} in versions
    assert [float(v["version"]) for v in versions] == sorted(float(v["version"]) for v in versions)


def test_tls_is_verified_against_the_emulator_ca(emulator: Any) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(_url(emulator, "/services/data/"), verify=True, timeout=10)


def test_resource_directory_and_limit_header(emulator: Any, https: requests.Session) -> None:
    before = emulator.request_count()
    answer = https.get(_url(emulator, API + "/"), headers=_auth(emulator))
    assert answer.status_code == 200
    assert answer.json()["query"] == API + "/query"
    assert answer.headers["Sforce-Limit-Info"] == f"api-usage={before + 1}/{emulator.store.requests_max}"
    assert emulator.request_count() == before + 1


def test_query_pages_of_2000_with_next_records_url(emulator: Any, sf_client: Any) -> None:
    emulator.store.bulk_insert("Account", [{"Name": f"Acme {i:05d}"} for i in range(4500)])
    first = sf_client.query("SELECT Id, Name FROM Account")
    assert first["totalSize"] >= 4500
    assert first["done"] is False
    assert len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith(API + "/query/")
    assert first["records"][0]["attributes"]["url"].startswith(API + "/sobjects/Account/")
    everything = sf_client.query_all("SELECT Id, Name FROM Account")
    assert len(everything["records"]) == everything["totalSize"] == first["totalSize"]
    assert len({r["Id"] for r in everything["records"]}) == everything["totalSize"]


def test_batch_size_header_is_clamped_to_200_2000(emulator: Any, https: requests.Session) -> None:
    emulator.store.bulk_insert("Account", [{"Name": f"B{i}"} for i in range(450)])
    url = _url(emulator, API + "/query")
    small = https.get(
        url,
        params={"q": "SELECT Id FROM Account"},
        headers={**_auth(emulator), "Sforce-Query-Options": "batchSize=50"},
    ).json()
    assert len(small["records"]) == 200  # never fewer than 200
    page = https.get(
        url,
        params={"q": "SELECT Id FROM Account"},
        headers={**_auth(emulator), "Sforce-Query-Options": "batchSize=300"},
    ).json()
    assert len(page["records"]) == 300
    rest = https.get(_url(emulator, page["nextRecordsUrl"]), headers=_auth(emulator)).json()
    assert len(page["records"]) + len(rest["records"]) <= page["totalSize"]
    assert rest["totalSize"] == page["totalSize"]


def test_malformed_query_and_invalid_field_errors(emulator: Any, https: requests.Session) -> None:
    url = _url(emulator, API + "/query")
    bad = https.get(url, params={"q": "SELEC Id FROM Account"}, headers=_auth(emulator))
    assert bad.status_code == 400
    assert bad.json()[0]["errorCode"] == "MALFORMED_QUERY"
    field = https.get(url, params={"q": "SELECT Nope__x FROM Account"}, headers=_auth(emulator))
    assert field.status_code == 400
    assert field.json()[0]["errorCode"] == "INVALID_FIELD"
    missing = https.get(url, headers=_auth(emulator))
    assert missing.status_code == 400 and missing.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_simple_salesforce_maps_errors(sf_client: Any, sf_client_factory: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest):
        sf_client.query("SELECT FROM")
    with pytest.raises(SalesforceResourceNotFound):
        sf_client.Account.get("001" + "0" * 15)
    with pytest.raises(SalesforceExpiredSession):
        sf_client_factory("not-a-token").query("SELECT Id FROM Account")


def test_session_errors_have_salesforce_shape(emulator: Any, https: requests.Session) -> None:
    answer = https.get(_url(emulator, API + "/limits"), headers=_auth(emulator, "bogus"))
    assert answer.status_code == 401
    assert answer.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert "Sforce-Limit-Info" in answer.headers


def test_unknown_resource_is_404_and_wrong_method_is_405(emulator: Any, https: requests.Session) -> None:
    missing = https.get(_url(emulator, API + "/nothing/here"), headers=_auth(emulator))
    assert missing.status_code == 404
    assert missing.json() == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
    wrong = https.put(_url(emulator, API + "/query"), headers=_auth(emulator))
    assert wrong.status_code == 405
    assert wrong.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    old = https.get(_url(emulator, "/services/data/v10.0/limits"), headers=_auth(emulator))
    assert old.status_code == 404


def test_sobject_crud_round_trip(sf_client: Any) -> None:
    created = sf_client.Account.create({"Name": "Round Trip"})
    assert created["success"] is True and created["errors"] == []
    record_id = created["id"]
    assert len(record_id) == 18
    fetched = sf_client.Account.get(record_id)
    assert fetched["Name"] == "Round Trip"
    assert fetched["attributes"] == {"type": "Account", "url": f"{API}/sobjects/Account/{record_id}"}
    assert sf_client.Account.update(record_id, {"Name": "Renamed"}) == 204
    assert sf_client.Account.get(record_id)["Name"] == "Renamed"
    assert sf_client.Account.delete(record_id) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf_client.Account.get(record_id)


def test_get_with_fields_parameter(emulator: Any, https: requests.Session, sf_client: Any) -> None:
    record_id = sf_client.Account.create({"Name": "Fields"})["id"]
    answer = https.get(
        _url(emulator, f"{API}/sobjects/Account/{record_id}"),
        params={"fields": "Name"},
        headers=_auth(emulator),
    )
    assert answer.status_code == 200
    assert set(answer.json()) == {"attributes", "Id", "Name"} or set(answer.json()) == {"attributes", "Name"}


def test_create_answers_201(emulator: Any, https: requests.Session) -> None:
    answer = https.post(
        _url(emulator, API + "/sobjects/Account/"), json={"Name": "Created"}, headers=_auth(emulator)
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["success"] is True and body["errors"] == [] and body["id"].startswith("001")


def test_describe_global_and_describe(sf_client: Any) -> None:
    names = {s["name"] for s in sf_client.describe()["sobjects"]}
    assert {"Account", "PermissionSet", "User"} <= names
    described = sf_client.PermissionSet.describe()
    assert described["name"] == "PermissionSet"
    assert any(f["name"] == "PermissionsApiEnabled" for f in described["fields"])


def test_composite_sobjects_create_update_delete(sf_client: Any) -> None:
    created = sf_client.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "C1"},
                {"attributes": {"type": "Account"}, "Name": "C2"},
            ],
        },
    )
    assert [r["success"] for r in created] == [True, True]
    ids = [r["id"] for r in created]
    updated = sf_client.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": True,
            "records": [{"attributes": {"type": "Account"}, "Id": ids[0], "Name": "C1b"}],
        },
    )
    assert updated == [{"id": ids[0], "success": True, "errors": []}]
    assert sf_client.Account.get(ids[0])["Name"] == "C1b"
    deleted = sf_client.restful(
        "composite/sobjects", method="DELETE", params={"ids": ",".join(ids), "allOrNone": "false"}
    )
    assert [r["success"] for r in deleted] == [True, True]


def test_composite_partial_failure_is_http_200(sf_client: Any) -> None:
    results = sf_client.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "ok"},
                {"attributes": {"type": "Account"}, "Nope__c": 1},
            ],
        },
    )
    assert results[0]["success"] is True
    assert results[1]["success"] is False
    assert set(results[1]["errors"][0]) == {"statusCode", "message", "fields"}


def test_limits_and_tooling_query(emulator: Any, sf_client: Any) -> None:
    limits = sf_client.limits()
    assert limits["DailyApiRequests"]["Max"] == emulator.store.requests_max
    tooling = sf_client.toolingexecute("query", params={"q": "SELECT Id, Name FROM PermissionSet"})
    assert tooling["entityTypeName"] == "PermissionSet"
    assert tooling["size"] == len(tooling["records"]) == tooling["totalSize"]
    assert "/tooling/sobjects/PermissionSet/" in tooling["records"][0]["attributes"]["url"]


def test_daily_request_limit_is_enforced(emulator: Any, https: requests.Session) -> None:
    emulator.store.requests_max = emulator.request_count() + 2
    url = _url(emulator, API + "/limits")
    assert https.get(url, headers=_auth(emulator)).status_code == 200
    assert https.get(url, headers=_auth(emulator)).status_code == 200
    refused = https.get(url, headers=_auth(emulator))
    assert refused.status_code == 403
    assert refused.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_concurrent_writers_lose_nothing(emulator: Any, sf_client_factory: Any) -> None:
    def work(n: int) -> list[str]:
        client = sf_client_factory()
        return [client.Account.create({"Name": f"T{n}-{i}"})["id"] for i in range(15)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        ids = [i for batch in pool.map(work, range(6)) for i in batch]
    assert len(set(ids)) == 90
    found = sf_client_factory().query_all("SELECT Id, Name FROM Account WHERE Name LIKE 'T%'")["records"]
    assert {r["Id"] for r in found} >= set(ids)


def test_urls_follow_the_version_and_api_of_the_call(emulator: Any, https: requests.Session) -> None:
    base = emulator.instance_url + "/services/data/v66.0"
    described = https.get(base + "/sobjects/PermissionSet/describe", headers=_auth(emulator)).json()
    assert described["urls"]["describe"] == "/services/data/v66.0/sobjects/PermissionSet/describe"
    page = https.get(
        base + "/tooling/query", params={"q": "SELECT Id FROM PermissionSet LIMIT 1"}, headers=_auth(emulator)
    ).json()
    url = page["records"][0]["attributes"]["url"]
    assert url.startswith("/services/data/v66.0/tooling/sobjects/PermissionSet/")
    fetched = https.get(emulator.instance_url + url, params={"fields": "Id,Name"}, headers=_auth(emulator))
    assert fetched.status_code == 200 and fetched.json()["attributes"]["url"] == url


def test_query_columns_for_the_sf_cli(emulator: Any, https: requests.Session) -> None:
    answer = https.get(
        emulator.instance_url + API + "/query",
        headers=_auth(emulator),
        params={"q": "SELECT Id, Profile.Name, COUNT(Name) cnt FROM User", "columns": "true"},
    ).json()
    columns = answer["columnMetadata"]
    assert [c["columnName"] for c in columns] == ["Id", "Profile", "cnt"]
    assert columns[1]["joinColumns"][0]["columnName"] == "Name"
    assert columns[2]["aggregate"] is True and answer["entityName"] == "User" and answer["idSelected"] is True
