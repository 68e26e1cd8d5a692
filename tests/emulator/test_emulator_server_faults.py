"""Faults: deterministic per seed, applied at the wire, settable through /_emulator/faults."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from leastforce.emulator.faults import FaultInjector, FaultKind, FaultPlan

API = "/services/data/v64.0"


def _sequence(plan: FaultPlan, writes: list[bool]) -> list[FaultKind]:
    injector = FaultInjector(plan)
    return [injector.decide(is_write=w).kind for w in writes]


def test_same_seed_same_sequence_and_other_seed_differs() -> None:
    plan = FaultPlan(seed=7, error_rate=0.3, drop_rate=0.2)
    calls = [i % 3 == 0 for i in range(200)]
    first = _sequence(plan, calls)
    assert first == _sequence(plan, calls)
    assert first != _sequence(FaultPlan(seed=8, error_rate=0.3, drop_rate=0.2), calls)
    kinds = set(first)
    assert {FaultKind.NONE, FaultKind.DROP, FaultKind.ERROR_500, FaultKind.ERROR_503} <= kinds


def test_rates_are_roughly_respected() -> None:
    kinds = _sequence(FaultPlan(seed=1, error_rate=0.25), [False] * 4000)
    errors = sum(k in (FaultKind.ERROR_500, FaultKind.ERROR_503) for k in kinds)
    assert 800 < errors < 1200


def test_counted_faults_fire_at_their_call() -> None:
    kinds = _sequence(
        FaultPlan(fail_nth_write=2, expire_session_after=3, rate_limit_after=5),
        [True, False, True, False, False, False, True],
    )
    assert kinds == [
        FaultKind.NONE,
        FaultKind.NONE,
        FaultKind.FAIL_WRITE,
        FaultKind.EXPIRE_SESSION,
        FaultKind.NONE,
        FaultKind.RATE_LIMIT,
        FaultKind.RATE_LIMIT,
    ]


def test_plan_validation() -> None:
    with pytest.raises(ValueError):
        FaultPlan(error_rate=1.5)
    with pytest.raises(ValueError):
        FaultPlan(error_rate=0.6, drop_rate=0.6)
    with pytest.raises(ValueError, match="unknown fault setting"):
        FaultPlan.from_mapping({"eror_rate": 0.1})
    assert FaultPlan.from_json('{"seed": 3, "latency_ms": 5}') == FaultPlan(seed=3, latency_ms=5)


def _statuses(org: Any, https: requests.Session, n: int) -> list[int]:
    out = []
    for _ in range(n):
        try:
            out.append(
                https.get(
                    org.instance_url + API + "/limits", headers={"Authorization": f"Bearer {org.admin_token}"}
                ).status_code
            )
        except requests.exceptions.ConnectionError:
            out.append(0)  # dropped
    return out


def test_wire_faults_replay_identically(emulator: Any, https: requests.Session) -> None:
    plan = {"seed": 42, "error_rate": 0.3, "drop_rate": 0.1}
    emulator.set_faults(plan)
    first = _statuses(emulator, https, 30)
    emulator.set_faults(plan)  # restarts the sequence from the seed
    assert _statuses(emulator, https, 30) == first
    assert {0, 200} <= set(first) and ({500, 503} & set(first))


def test_admin_endpoint_sets_faults_and_reports_stats(emulator: Any, https: requests.Session) -> None:
    admin = {"Authorization": f"Bearer {emulator.control_key}"}
    url = emulator.instance_url + "/_emulator/faults"
    assert https.get(url).status_code == 401
    set_answer = https.post(url, json={"seed": 1, "rate_limit_after": 1}, headers=admin)
    assert set_answer.status_code == 200 and set_answer.json()["rate_limit_after"] == 1
    statuses = _statuses(emulator, https, 3)
    assert statuses == [200, 403, 403]
    limited = https.get(
        emulator.instance_url + API + "/limits", headers={"Authorization": f"Bearer {emulator.admin_token}"}
    )
    assert limited.json()[0] == {
        "message": "TotalRequests Limit exceeded.",
        "errorCode": "REQUEST_LIMIT_EXCEEDED",
    }
    stats = https.get(emulator.instance_url + "/_emulator/stats", headers=admin).json()
    assert stats["faults"]["injected"]["rate_limit"] == 3
    assert stats["api_requests"]["used"] == emulator.request_count()
    assert https.post(url, json={"bogus": 1}, headers=admin).status_code == 400
    assert https.delete(url, headers=admin).json()["rate_limit_after"] is None
    assert _statuses(emulator, https, 1) == [200]


def test_expire_session_fault_needs_a_new_login(emulator: Any, https: requests.Session) -> None:
    emulator.set_faults({"expire_session_after": 2})
    statuses = _statuses(emulator, https, 4)
    assert statuses == [200, 200, 401, 401]
    fresh = emulator.store.create_session(emulator.store.admin_user_id, app="test")
    again = https.get(emulator.instance_url + API + "/limits", headers={"Authorization": f"Bearer {fresh}"})
    assert again.status_code == 200


def test_failed_write_writes_nothing(emulator: Any, sf_client: Any) -> None:
    emulator.set_faults({"fail_nth_write": 2})
    sf_client.Account.create({"Name": "first"})
    with pytest.raises(Exception, match="UNKNOWN_EXCEPTION"):
        sf_client.Account.create({"Name": "second"})
    sf_client.Account.create({"Name": "third"})
    names = {
        r["Name"]
        for r in sf_client.query_all("SELECT Name FROM Account WHERE Name IN ('first','second','third')")[
            "records"
        ]
    }
    assert names == {"first", "third"}
