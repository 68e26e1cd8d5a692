"""Bulk API 2.0 query in the local org, over HTTPS, as the Bulk API 2.0 Developer Guide describes it:
create https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm,
status https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_one_job.htm,
results https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm.
"""

from __future__ import annotations

import csv
import gzip
import io
from typing import Any

import requests

from leastforce.emulator.store.org_store import Caller

JOBS = "/services/data/v64.0/jobs/query"


def _auth(org: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {org.admin_token}"}


def _create(org: Any, https: requests.Session, query: str, **extra: str) -> requests.Response:
    body = {"operation": "query", "query": query, **extra}
    return https.post(org.instance_url + JOBS, json=body, headers=_auth(org))


def _rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _stored_ids(org: Any, soql: str) -> set[str]:
    table = org.store.query_table(soql, caller=Caller(org.store.admin_user_id, system=True))
    assert table.columns[0] == "Id"
    return {r[0] for r in table.rows}


def test_create_status_and_results_page_with_locators(emulator: Any, https: requests.Session) -> None:
    created = _create(emulator, https, "SELECT Id, PermissionsRead FROM FieldPermissions")
    assert created.status_code == 200
    job = created.json()
    assert job["state"] == "UploadComplete" and job["object"] == "FieldPermissions"
    assert job["id"].startswith("750") and job["contentType"] == "CSV" and job["apiVersion"] == 64.0
    status = https.get(f"{emulator.instance_url}{JOBS}/{job['id']}", headers=_auth(emulator)).json()
    assert status["state"] == "JobComplete" and status["jobType"] == "V2Query"
    expected = _stored_ids(emulator, "SELECT Id FROM FieldPermissions")
    assert status["numberRecordsProcessed"] == len(expected) > 300
    seen: list[str] = []
    locator, pages = "", 0
    while locator != "null":
        params = {"maxRecords": "100"} | ({"locator": locator} if locator else {})
        page = https.get(
            f"{emulator.instance_url}{JOBS}/{job['id']}/results", params=params, headers=_auth(emulator)
        )
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/csv")
        rows = _rows(page.text)
        assert rows[0] == ["Id", "PermissionsRead"]
        assert int(page.headers["Sforce-NumberOfRecords"]) == len(rows) - 1 <= 100
        assert {r[1] for r in rows[1:]} <= {"true", "false"}
        seen.extend(r[0] for r in rows[1:])
        locator, pages = page.headers["Sforce-Locator"], pages + 1
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert pages == -(-len(expected) // 100)


def test_relationship_fields_are_dotted_columns_and_delimiters_apply(
    emulator: Any, https: requests.Session
) -> None:
    job = _create(
        emulator,
        https,
        "SELECT profile.name, Id, Profile.UserLicense.Name, IsActive FROM User",
        columnDelimiter="PIPE",
        lineEnding="CRLF",
    ).json()
    page = https.get(f"{emulator.instance_url}{JOBS}/{job['id']}/results", headers=_auth(emulator))
    assert page.headers["Sforce-Locator"] == "null"
    assert "\r\n" in page.text
    rows = _rows(page.text, "|")
    # columns in SELECT order (a parent's fields are not grouped as in the REST record), API spelling
    assert rows[0] == ["Profile.Name", "Id", "Profile.UserLicense.Name", "IsActive"]
    admin = next(r for r in rows[1:] if r[1] == emulator.store.admin_user_id)
    assert admin[0] == "System Administrator" and admin[2] == "Salesforce" and admin[3] == "true"


def test_results_are_gzipped_when_asked(emulator: Any, https: requests.Session) -> None:
    job = _create(emulator, https, "SELECT Id FROM PermissionSet").json()
    raw = https.get(
        f"{emulator.instance_url}{JOBS}/{job['id']}/results",
        headers=_auth(emulator) | {"Accept-Encoding": "gzip"},
        stream=True,
    )
    assert raw.headers["Content-Encoding"] == "gzip"
    text = gzip.decompress(raw.raw.read()).decode()
    assert {r[0] for r in _rows(text)[1:]} == _stored_ids(emulator, "SELECT Id FROM PermissionSet")


def test_unsupported_queries_are_refused_at_creation(emulator: Any, https: requests.Session) -> None:
    # "Bulk API 2.0 doesn't support SOQL queries that include ... Aggregate Functions such as COUNT() ...
    # FIELDS() ... Parent-to-child relationship queries" (query_create_job.htm)
    for soql in (
        "SELECT COUNT() FROM User",
        "SELECT FIELDS(STANDARD) FROM PermissionSet",
        "SELECT Id, (SELECT Id FROM Assignments) FROM PermissionSet",
        "SELECT Name FROM Profile GROUP BY Name",
    ):
        answer = _create(emulator, https, soql)
        assert answer.status_code == 400, soql
        assert answer.json()[0]["errorCode"] in ("API_ERROR", "FUNCTIONALITY_NOT_ENABLED")
    malformed = _create(emulator, https, "SELECT FROM")
    assert malformed.status_code == 400 and malformed.json()[0]["errorCode"] == "MALFORMED_QUERY"
    unknown = _create(emulator, https, "SELECT Id FROM Nope__c")
    assert unknown.status_code == 400 and unknown.json()[0]["errorCode"] == "INVALID_TYPE"
    bad = https.post(
        emulator.instance_url + JOBS,
        json={"operation": "upsert", "query": "SELECT Id FROM User"},
        headers=_auth(emulator),
    )
    assert bad.status_code == 400


def test_abort_delete_list_and_unknown_job(emulator: Any, https: requests.Session) -> None:
    job = _create(emulator, https, "SELECT Id FROM User").json()
    url = f"{emulator.instance_url}{JOBS}/{job['id']}"
    listed = https.get(emulator.instance_url + JOBS, headers=_auth(emulator)).json()
    assert listed["done"] is True and job["id"] in {j["id"] for j in listed["records"]}
    aborted = https.patch(url, json={"state": "Aborted"}, headers=_auth(emulator))
    assert aborted.status_code == 200 and aborted.json()["state"] == "Aborted"
    assert https.get(url + "/results", headers=_auth(emulator)).status_code == 400
    assert https.patch(url, json={"state": "Aborted"}, headers=_auth(emulator)).status_code == 400
    assert https.delete(url, headers=_auth(emulator)).status_code == 204
    gone = https.get(url, headers=_auth(emulator))
    assert gone.status_code == 404 and gone.json()[0]["errorCode"] == "NOT_FOUND"


def test_results_need_the_version_the_job_was_made_with(emulator: Any, https: requests.Session) -> None:
    # "Use the same API version to get query results that you used to create the query. Otherwise, the
    # call returns a 409 error." (query_get_job_results.htm)
    job = _create(emulator, https, "SELECT Id FROM User").json()
    other = f"{emulator.instance_url}/services/data/v62.0/jobs/query/{job['id']}/results"
    assert https.get(other, headers=_auth(emulator)).status_code == 409


def test_daily_job_limit_is_counted_in_limits(emulator: Any, https: requests.Session) -> None:
    limits = emulator.instance_url + "/services/data/v64.0/limits"
    before = https.get(limits, headers=_auth(emulator)).json()["DailyBulkV2QueryJobs"]
    _create(emulator, https, "SELECT Id FROM User")
    after = https.get(limits, headers=_auth(emulator)).json()["DailyBulkV2QueryJobs"]
    assert after == {"Max": before["Max"], "Remaining": before["Remaining"] - 1}
    emulator.context.bulk_jobs.daily_max = emulator.context.bulk_jobs.created
    refused = _create(emulator, https, "SELECT Id FROM User")
    assert refused.status_code == 400 and refused.json()[0]["errorCode"] == "LIMIT_EXCEEDED"


def test_record_count_lists_the_named_objects(emulator: Any, https: requests.Session) -> None:
    # "sObjects: A comma-delimited list of object names. If a listed object is not found in the org, it is
    # ignored and not returned in the response." Body {"sObjects": [{"count", "name"}]}
    # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_record_count.htm
    url = emulator.instance_url + "/services/data/v64.0/limits/recordCount"
    answer = https.get(url, params={"sObjects": "fieldpermissions,User,Nope__c"}, headers=_auth(emulator))
    assert answer.status_code == 200
    counts = {e["name"]: e["count"] for e in answer.json()["sObjects"]}
    assert counts == {
        "FieldPermissions": len(_stored_ids(emulator, "SELECT Id FROM FieldPermissions")),
        "User": len(_stored_ids(emulator, "SELECT Id FROM User")),
    }
    everything = https.get(url, headers=_auth(emulator)).json()["sObjects"]
    assert {"Account", "PermissionSet"} <= {e["name"] for e in everything}
