"""The local org's conditional request headers on sObject Rows and its after-commit fault, as the REST API
documents them ("Conditional Request Headers"): If-Unmodified-Since on PATCH answers 412 when the record
changed after the date (to the second), an invalid date is 400; If-Modified-Since on GET answers 304."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import requests

from leastforce.emulator.faults import FaultInjector, FaultKind, FaultPlan
from support.org_setup import Admin


def _http(when: datetime) -> str:
    return format_datetime(when, usegmt=True)


@pytest.fixture
def row(emulator: Any) -> tuple[str, dict[str, str], str]:
    set_id = Admin.of(emulator).permission_set("Conditional_Test")
    url = f"{emulator.instance_url}/services/data/v64.0/sobjects/PermissionSet/{set_id}"
    return url, {"Authorization": f"Bearer {emulator.admin_token}"}, emulator.ca_bundle


def test_if_unmodified_since_refuses_a_write_over_a_later_change(row: Any) -> None:
    url, auth, ca = row
    earlier = _http(datetime.now(UTC) - timedelta(hours=1))
    refused = requests.patch(
        url, json={"Description": "x"}, headers=auth | {"If-Unmodified-Since": earlier}, verify=ca
    )
    assert refused.status_code == 412
    assert refused.json()[0]["errorCode"] == "PRECONDITION_FAILED"
    assert requests.get(url, headers=auth, verify=ca).json()["Description"] != "x"  # nothing written

    later = _http(datetime.now(UTC) + timedelta(seconds=5))
    done = requests.patch(
        url, json={"Description": "y"}, headers=auth | {"If-Unmodified-Since": later}, verify=ca
    )
    assert done.status_code == 204
    assert requests.get(url, headers=auth, verify=ca).json()["Description"] == "y"


def test_the_record_date_is_compared_to_the_second(row: Any) -> None:
    url, auth, ca = row
    stamp = requests.get(url, headers=auth, verify=ca).json()["LastModifiedDate"]
    same_second = _http(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z"))  # milliseconds dropped
    done = requests.patch(
        url, json={"Description": "z"}, headers=auth | {"If-Unmodified-Since": same_second}, verify=ca
    )
    assert done.status_code == 204


def test_an_invalid_date_is_400_and_if_modified_since_answers_304(row: Any) -> None:
    url, auth, ca = row
    bad = requests.patch(
        url, json={"Description": "x"}, headers=auth | {"If-Unmodified-Since": "yesterday"}, verify=ca
    )
    assert bad.status_code == 400
    later = _http(datetime.now(UTC) + timedelta(seconds=5))
    assert requests.get(url, headers=auth | {"If-Modified-Since": later}, verify=ca).status_code == 304
    earlier = _http(datetime.now(UTC) - timedelta(hours=1))
    assert requests.get(url, headers=auth | {"If-Modified-Since": earlier}, verify=ca).status_code == 200


def test_a_lost_answer_commits_the_write_and_closes_the_connection(emulator: Any, row: Any) -> None:
    url, auth, ca = row
    emulator.set_faults({"lose_nth_write": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.patch(url, json={"Description": "lost"}, headers=auth, verify=ca)
    emulator.set_faults(None)
    assert requests.get(url, headers=auth, verify=ca).json()["Description"] == "lost"  # it happened


def test_lost_answers_hit_writes_only_and_the_rates_are_checked() -> None:
    injector = FaultInjector(FaultPlan(seed=1, lose_answer_rate=1.0))
    assert injector.decide(is_write=False).kind is FaultKind.NONE
    assert injector.decide(is_write=True).kind is FaultKind.LOSE_ANSWER
    nth = FaultInjector(FaultPlan(lose_nth_write=2))
    assert [nth.decide(is_write=True).kind for _ in range(3)] == [
        FaultKind.NONE,
        FaultKind.LOSE_ANSWER,
        FaultKind.NONE,
    ]
    with pytest.raises(ValueError, match="lose_answer_rate must not exceed 1"):
        FaultPlan(drop_rate=0.5, error_rate=0.3, lose_answer_rate=0.3)


def test_the_client_never_retries_a_write_whose_answer_is_lost_but_retries_a_read(emulator: Any) -> None:
    from leastforce.errors import AnswerLost, ConflictError
    from support.plan import client_for

    client = client_for(emulator)
    emulator.set_faults({"lose_nth_write": 1})
    with pytest.raises(AnswerLost):
        client.request("POST", "sobjects/PermissionSet", json={"Name": "Once", "Label": "Once"})
    emulator.set_faults({"drop_rate": 0.0, "error_rate": 0.0})
    assert len(client.query("SELECT Id FROM PermissionSet WHERE Name = 'Once'")) == 1  # made once, not twice
    emulator.set_faults({"seed": 3, "drop_rate": 0.5})
    assert client.query("SELECT Id FROM PermissionSet WHERE Name = 'Once'")  # reads are retried
    emulator.set_faults(None)
    set_id = client.query("SELECT Id FROM PermissionSet WHERE Name = 'Once'")[0]["Id"]
    with pytest.raises(ConflictError):
        client.request(
            "PATCH",
            f"sobjects/PermissionSet/{set_id}",
            json={"Description": "x"},
            headers={"If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"},
        )
