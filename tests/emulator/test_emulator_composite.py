"""The Composite and Composite Batch resources of the local org, as the REST API Developer Guide describes
them: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
(request body requests_composite.htm, subrequest result resources_composite_subrequest_result.htm, allOrNone
resources_composite_allornone.htm) and
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm.
"""

from __future__ import annotations

from typing import Any

import requests

V = "/services/data/v64.0"
HALTED = "The transaction was rolled back since another operation in the same transaction failed."


def _post(org: Any, https: requests.Session, path: str, body: Any) -> requests.Response:
    return https.post(
        org.instance_url + V + path, json=body, headers={"Authorization": f"Bearer {org.admin_token}"}
    )


def _new_set(ref: str, name: str) -> dict[str, Any]:
    body = {"Name": name, "Label": name.replace("_", " ")}
    return {"method": "POST", "url": f"{V}/sobjects/PermissionSet", "referenceId": ref, "body": body}


def _names(sf: Any, *names: str) -> set[str]:
    listed = ",".join(f"'{n}'" for n in names)
    return {
        r["Name"] for r in sf.query(f"SELECT Name FROM PermissionSet WHERE Name IN ({listed})")["records"]
    }


def test_subrequests_run_in_order_and_reference_earlier_results(
    emulator: Any, https: requests.Session, sf_client: Any
) -> None:
    body = {
        "allOrNone": True,
        "collateSubrequests": False,
        "compositeRequest": [
            _new_set("newSet", "Composite_One"),
            {
                "method": "PATCH",
                "url": f"{V}/sobjects/PermissionSet/@{{newSet.id}}",
                "referenceId": "relabel",
                "body": {"Description": "made by @{newSet.id}"},
            },
            {"method": "GET", "url": f"{V}/sobjects/PermissionSet/@{{newSet.id}}", "referenceId": "readBack"},
            {
                "method": "GET",
                "url": f"{V}/query?q=SELECT+Id+FROM+PermissionSet+WHERE+Name='Composite_One'",
                "referenceId": "found",
            },
        ],
    }
    answer = _post(emulator, https, "/composite", body)
    assert answer.status_code == 200
    results = answer.json()["compositeResponse"]
    assert [r["referenceId"] for r in results] == ["newSet", "relabel", "readBack", "found"]
    assert all(set(r) == {"body", "httpHeaders", "httpStatusCode", "referenceId"} for r in results)
    created, patched, read, found = results
    new_id = created["body"]["id"]
    assert created["httpStatusCode"] == 201 and created["body"] == {
        "id": new_id,
        "success": True,
        "errors": [],
    }
    assert created["httpHeaders"] == {"Location": f"{V}/sobjects/PermissionSet/{new_id}"}
    assert patched["httpStatusCode"] == 204 and patched["body"] is None
    assert read["httpStatusCode"] == 200 and read["body"]["Description"] == f"made by {new_id}"
    assert found["body"]["records"][0]["Id"] == new_id


def test_all_or_none_rolls_back_every_subrequest_when_one_fails(
    emulator: Any, https: requests.Session, sf_client: Any
) -> None:
    body = {
        "allOrNone": True,
        "compositeRequest": [
            _new_set("first", "Composite_Kept_Never"),
            _new_set("bad", "1bad"),  # an invalid API name: 400
            _new_set("third", "Composite_Third"),
        ],
    }
    results = _post(emulator, https, "/composite", body).json()["compositeResponse"]
    assert [r["httpStatusCode"] for r in results] == [400, 400, 400]
    halted = [{"errorCode": "PROCESSING_HALTED", "message": HALTED}]
    assert results[0]["body"] == halted and results[2]["body"] == halted
    assert results[1]["body"][0]["errorCode"] != "PROCESSING_HALTED"
    assert _names(sf_client, "Composite_Kept_Never", "Composite_Third") == set()


def test_without_all_or_none_others_commit_and_dependents_are_skipped(
    emulator: Any, https: requests.Session, sf_client: Any
) -> None:
    body = {
        "allOrNone": False,
        "compositeRequest": [
            _new_set("bad", "1bad"),
            {"method": "GET", "url": f"{V}/sobjects/PermissionSet/@{{bad.id}}", "referenceId": "dependent"},
            _new_set("good", "Composite_Good"),
        ],
    }
    results = _post(emulator, https, "/composite", body).json()["compositeResponse"]
    assert [r["httpStatusCode"] for r in results] == [400, 400, 201]
    assert results[1]["body"] == [
        {
            "errorCode": "PROCESSING_HALTED",
            "message": "Invalid reference specified. No value for bad.id found in bad.",
        }
    ]
    assert _names(sf_client, "Composite_Good") == {"Composite_Good"}


def test_all_or_none_reaches_into_an_sobject_collections_subrequest(
    emulator: Any, https: requests.Session, sf_client: Any
) -> None:
    """Case 4 of resources_composite_allornone.htm: the collection answers 200 with one failed record, the
    outer allOrNone rolls everything back, including the collection's good record."""
    records = [
        {
            "attributes": {"type": "PermissionSet"},
            "Name": "Composite_In_Collection",
            "Label": "In Collection",
        },
        {"attributes": {"type": "PermissionSet"}, "Name": "1bad", "Label": "Bad"},
    ]
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": f"{V}/composite/sobjects",
                "referenceId": "sets",
                "body": {"records": records},
            },
            _new_set("after", "Composite_After"),
        ],
    }
    results = _post(emulator, https, "/composite", body).json()["compositeResponse"]
    assert results[0]["httpStatusCode"] == 200 and results[1]["httpStatusCode"] == 400
    assert results[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert _names(sf_client, "Composite_In_Collection", "Composite_After") == set()


def test_more_than_25_subrequests_is_refused_and_runs_nothing(
    emulator: Any, https: requests.Session, sf_client: Any
) -> None:
    subs = [_new_set(f"s{i}", f"Composite_Many_{i}") for i in range(26)]
    answer = _post(emulator, https, "/composite", {"compositeRequest": subs})
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
    assert _names(sf_client, "Composite_Many_0") == set()
    ok = _post(emulator, https, "/composite", {"compositeRequest": subs[:25]})
    assert ok.status_code == 200 and len(ok.json()["compositeResponse"]) == 25


def test_a_subrequest_may_not_set_inherited_headers(emulator: Any, https: requests.Session) -> None:
    sub = _new_set("s", "Composite_Header") | {"httpHeaders": {"Authorization": "Bearer x"}}
    assert _post(emulator, https, "/composite", {"compositeRequest": [sub]}).status_code == 400


def test_batch_runs_independent_subrequests_and_halts_on_error(
    emulator: Any, https: requests.Session
) -> None:
    body = {
        "haltOnError": True,
        "batchRequests": [
            {"method": "GET", "url": "v64.0/limits"},
            {
                "method": "POST",
                "url": "v64.0/sobjects/PermissionSet",
                "richInput": {"Name": "1bad", "Label": "x"},
            },
            {"method": "GET", "url": "v64.0/limits"},
        ],
    }
    answer = _post(emulator, https, "/composite/batch", body).json()
    assert answer["hasErrors"] is True
    assert [r["statusCode"] for r in answer["results"]] == [200, 400, 412]
    assert "DailyApiRequests" in answer["results"][0]["result"]
    assert answer["results"][2]["result"][0]["errorCode"] == "BATCH_PROCESSING_HALTED"
