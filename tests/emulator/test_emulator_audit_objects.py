"""The objects audit tools read, over HTTPS: SetupAuditTrail, VerificationHistory (REST), and the Tooling
API's SecurityHealthCheck, SecuritySettings and SourceMember (issue 15, item 5)."""

from __future__ import annotations

from typing import Any

import requests

API = "/services/data/v64.0"


def _get(emulator: Any, https: requests.Session, path: str, **params: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {emulator.admin_token}"}
    return https.get(emulator.instance_url + API + path, headers=headers, params=params)


def test_setup_audit_trail_is_queryable_with_its_documented_fields(
    emulator: Any, https: requests.Session
) -> None:
    # Fields: Salesforce Field Reference, SetupAuditTrail
    # https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-setupaudittrail.html
    q = (
        "SELECT Id, Action, Section, CreatedDate, CreatedById, CreatedBy.Name, Display, DelegateUser,"
        " CreatedByContext, CreatedByIssuer, ResponsibleNamespacePrefix FROM SetupAuditTrail"
        " ORDER BY CreatedDate DESC LIMIT 10"
    )
    answer = _get(emulator, https, "/query", q=q)
    assert answer.status_code == 200, answer.text
    records = answer.json()["records"]
    assert records and {r["Action"] for r in records} >= {"PermSetCreate"}
    assert all(r["CreatedBy"]["Name"] for r in records)
    # Supported calls are query() and retrieve() only: no create.
    headers = {"Authorization": f"Bearer {emulator.admin_token}"}
    refused = https.post(
        emulator.instance_url + API + "/sobjects/SetupAuditTrail", json={"Action": "x"}, headers=headers
    )
    assert refused.status_code >= 400


def test_verification_history_is_queryable_and_starts_empty(emulator: Any, https: requests.Session) -> None:
    # https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-verificationhistory.html
    q = (
        "SELECT Id, Activity, EventGroup, LoginHistoryId, Policy, Remarks, ResourceId, SourceIp, Status,"
        " UserId, VerificationMethod, VerificationTime FROM VerificationHistory"
    )
    answer = _get(emulator, https, "/query", q=q)
    assert answer.status_code == 200, answer.text
    assert answer.json()["totalSize"] == 0


def test_tooling_security_objects(emulator: Any, https: requests.Session) -> None:
    # SecurityHealthCheck: CustomBaselineId, DurableId, Score (Tooling API reference)
    # https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_securityhealthcheck.htm
    health = _get(
        emulator,
        https,
        "/tooling/query",
        q="SELECT Score, DurableId, CustomBaselineId FROM SecurityHealthCheck",
    )
    assert health.status_code == 200, health.text
    score = health.json()["records"][0]["Score"]
    assert 0 <= int(score) <= 100
    settings = _get(
        emulator, https, "/tooling/query", q="SELECT Id, DurableId, FullName FROM SecuritySettings"
    )
    assert settings.status_code == 200 and settings.json()["totalSize"] == 1
    # Tooling-only: the REST query endpoint does not know them.
    rest = _get(emulator, https, "/query", q="SELECT Score FROM SecurityHealthCheck")
    assert rest.status_code == 400 and rest.json()[0]["errorCode"] == "INVALID_TYPE"


def test_source_member_describe(emulator: Any, https: requests.Session) -> None:
    # Fields: Tooling API reference, SourceMember (the sf CLI's source tracking reads them)
    # https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_sourcemember.htm
    answer = _get(emulator, https, "/tooling/sobjects/SourceMember/describe")
    assert answer.status_code == 200, answer.text
    names = {f["name"] for f in answer.json()["fields"]}
    assert names >= {
        "Id",
        "ChangedBy",
        "IsNameObsolete",
        "IsNewMember",
        "MemberIdOrName",
        "MemberName",
        "MemberType",
        "RevisionCounter",
        "RevisionNum",
    }
    assert _get(emulator, https, "/sobjects/SourceMember/describe").status_code == 404
