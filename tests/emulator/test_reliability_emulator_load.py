"""The emulator under load: 8 concurrent clients, mixed requests (queries, creates, updates, deletes,
describes, gets), no errors, no lost writes, and every answer identical to a sequential run of the same
requests on a fresh copy of the same org.

Each client works on its own records (Accounts named ``load-<client>-<n>``) and also asks shared read-only
questions (seeded profiles, permission sets, describes) whose answers must not change under load. Record
Ids differ between two orgs, so answers are compared with every Id replaced by the client's own handle
for it (``rec3``): the same requests must get the same answers up to the Ids the org picked.

`make test` runs 1,000 requests; `make soak` (pytest -m slow) runs the full 5,000.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from leastforce.emulator.handle import EmulatorHandle, running_emulator

CLIENTS = 8
API = "/services/data/v64.0"
SHARED_QUERIES = (
    "SELECT Name, UserType FROM Profile ORDER BY Name",
    "SELECT Name, Label, IsOwnedByProfile FROM PermissionSet WHERE IsOwnedByProfile = false ORDER BY Name",
    "SELECT MasterLabel, DeveloperName FROM PermissionSetLicense ORDER BY DeveloperName",
)
SHARED_DESCRIBES = ("Account", "PermissionSet", "User")
_ID = re.compile(r"\b[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?\b")


@dataclass(frozen=True)
class Step:
    """One request: method, path (``{rec}`` filled with a record's Id), body, and a handle it creates."""

    method: str
    path: str
    record: int = -1  # the client's record handle this step targets (or creates)
    body: dict[str, Any] | None = None
    params: dict[str, str] | None = None


def plan_for(client: int, count: int) -> list[Step]:
    """A deterministic mix of requests for one client; only ever touches that client's own records."""
    rng = random.Random(client)
    steps: list[Step] = []
    alive: list[int] = []
    made = 0
    prefix = f"load-{client}-"
    own = (
        f"SELECT Name, Description, NumberOfEmployees FROM Account WHERE Name LIKE '{prefix}%' ORDER BY Name"
    )
    while len(steps) < count:
        roll = rng.random()
        if roll < 0.25 or not alive:
            steps.append(Step("POST", "/sobjects/Account", made, {"Name": f"{prefix}{made:04d}"}))
            alive.append(made)
            made += 1
        elif roll < 0.45:
            rec = rng.choice(alive)
            body = {"Description": f"v{len(steps)}", "NumberOfEmployees": rng.randint(1, 10_000)}
            steps.append(Step("PATCH", "/sobjects/Account/{rec}", rec, body))
        elif roll < 0.55:
            rec = alive.pop(rng.randrange(len(alive)))
            steps.append(Step("DELETE", "/sobjects/Account/{rec}", rec))
        elif roll < 0.65:
            rec = rng.choice(alive)
            steps.append(Step("GET", "/sobjects/Account/{rec}", rec, params={"fields": "Name,Description"}))
        elif roll < 0.80:
            steps.append(Step("GET", "/query", params={"q": own}))
        elif roll < 0.92:
            steps.append(Step("GET", "/query", params={"q": rng.choice(SHARED_QUERIES)}))
        else:
            steps.append(Step("GET", f"/sobjects/{rng.choice(SHARED_DESCRIBES)}/describe"))
    return steps


@dataclass
class Client:
    """Runs one client's plan against an org and keeps each answer with Ids replaced by handles."""

    org: EmulatorHandle
    steps: list[Step]
    ids: dict[int, str] = field(default_factory=dict)
    answers: list[tuple[int, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def run(self) -> None:
        with requests.Session() as http:
            http.verify = self.org.ca_bundle
            http.trust_env = False
            http.headers["Authorization"] = f"Bearer {self.org.admin_token}"
            for step in self.steps:
                self._one(http, step)

    def _one(self, http: requests.Session, step: Step) -> None:
        path = step.path.replace("{rec}", self.ids.get(step.record, "missing"))
        try:
            answer = http.request(
                step.method,
                self.org.instance_url + API + path,
                json=step.body,
                params=step.params,
                timeout=60,
            )
        except requests.RequestException as exc:
            self.errors.append(f"{step.method} {path}: {exc}")
            return
        body = answer.json() if answer.content else None
        if answer.status_code >= 400:
            self.errors.append(f"{step.method} {path}: {answer.status_code} {answer.text[:200]}")
        if step.method == "POST" and isinstance(body, dict) and "id" in body:
            self.ids[step.record] = body["id"]
        self.answers.append((answer.status_code, self._normalised(body)))

    def _normalised(self, body: Any) -> Any:
        """The answer with every Id this client created replaced by its handle, and URLs dropped."""
        text = json.dumps(body, sort_keys=True)
        handles = {record_id: f"rec{handle}" for handle, record_id in self.ids.items()}
        text = _ID.sub(lambda m: handles.get(m.group(0), m.group(0)), text)
        return _without_urls(json.loads(text))


def _without_urls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_urls(v) for k, v in value.items() if k not in ("url", "attributes")}
    if isinstance(value, list):
        return [_without_urls(v) for v in value]
    return value


@contextmanager
def fresh_org(template: Path, where: Path) -> Iterator[EmulatorHandle]:
    shutil.copytree(template, where)
    with running_emulator(state_dir=where) as org:
        yield org


def own_accounts(org: EmulatorHandle) -> list[tuple[str, Any, Any]]:
    """Every load-* Account as (Name, Description, NumberOfEmployees), read from the store directly."""
    from leastforce.emulator.store.org_store import Caller

    page = org.store.query(
        "SELECT Name, Description, NumberOfEmployees FROM Account WHERE Name LIKE 'load-%' ORDER BY Name",
        caller=Caller(org.store.admin_user_id, system=True),
        batch_size=100_000,
    )
    return [(r["Name"], r["Description"], r["NumberOfEmployees"]) for r in page.records]


def run_load(template: Path, tmp_path: Path, total: int) -> None:
    plans = [plan_for(client, total // CLIENTS) for client in range(CLIENTS)]
    with fresh_org(template, tmp_path / "concurrent") as org:
        clients = [Client(org, plan) for plan in plans]
        threads = [threading.Thread(target=c.run) for c in clients]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        elapsed = time.monotonic() - started
        assert not any(t.is_alive() for t in threads)
        concurrent_state = own_accounts(org)
    with fresh_org(template, tmp_path / "sequential") as org:
        sequential = [Client(org, plan) for plan in plans]
        for client in sequential:
            client.run()
        sequential_state = own_accounts(org)
    assert [e for c in clients for e in c.errors] == []
    assert [e for c in sequential for e in c.errors] == []
    assert sum(len(c.answers) for c in clients) == total
    for number, (together, alone) in enumerate(zip(clients, sequential, strict=True)):
        for index, (got, want) in enumerate(zip(together.answers, alone.answers, strict=True)):
            assert got == want, f"client {number}, request {index}: {plans[number][index]}"
    # no lost writes: the final records are exactly the sequential run's
    assert concurrent_state == sequential_state
    assert len(concurrent_state) > CLIENTS  # the mix leaves records behind to compare
    print(f"{total} requests from {CLIENTS} clients in {elapsed:.1f}s")


def test_eight_clients_1000_requests_match_a_sequential_run(_emulator_template: Path, tmp_path: Path) -> None:
    run_load(_emulator_template, tmp_path, 1_000)


@pytest.mark.slow
def test_eight_clients_5000_requests_match_a_sequential_run(_emulator_template: Path, tmp_path: Path) -> None:
    run_load(_emulator_template, tmp_path, 5_000)


def test_plans_mix_every_kind_of_request() -> None:
    steps = [s for c in range(CLIENTS) for s in plan_for(c, 125)]
    kinds = {(s.method, s.path.split("/")[1]) for s in steps}
    assert kinds >= {
        ("POST", "sobjects"),
        ("PATCH", "sobjects"),
        ("DELETE", "sobjects"),
        ("GET", "sobjects"),
        ("GET", "query"),
    }
    assert any(s.path.endswith("/describe") for s in steps)
