"""Seeded fault injection during apply: every run ends fully applied, exactly as before, or (only where
Salesforce makes undo impossible: a user already created, or the request limit hit during undo) in the
state the error reports; and a second apply without faults always converges.

Faults include lost answers (the write is committed, the connection closes before the answer), and half
the seeds start from a drifted org (a managed set with an extra object row, a widened row and a missing
field row), so the journal holds updates and deletes, not only creates.

200 seeds in `make test`; `make soak` runs LEASTFORCE_SOAK_SEEDS (default 2,000) with the slow marker.
The org is reset between seeds with SQLite's backup API (Checkpoint), so each seed costs ~0.1 s.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leastforce.emulator.handle import running_emulator
from leastforce.errors import OrgError
from leastforce.org.apply.run import ApplyError, apply
from leastforce.org.client import RetryPolicy
from leastforce.planning.changes import Action
from support.plan import (
    Checkpoint,
    client_for,
    desired_for,
    install_packages,
    org_state,
    plan_and_apply,
    plan_for,
    record,
)

EXAMPLES = ("upflow", "analytics-platform", "elements", "eventspark-flock", "ticketing")


@pytest.fixture(scope="module")
def fault_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Checkpoint, dict[str, Any]]]:
    """One emulated org for all seeds, with a checkpoint of its fresh state and each example's applied state."""
    state = tmp_path_factory.mktemp("fault-org")
    with running_emulator(state_dir=Path(state)) as org:
        org.store.requests_max = 10**9  # the daily limit is not what this test is about
        client = client_for(org)
        for example in EXAMPLES:
            install_packages(org, example)
        checkpoint = Checkpoint(org.store)
        applied: dict[str, Any] = {}
        for example in EXAMPLES:
            done = plan_and_apply(client, desired_for(example)[1])
            applied[example] = org_state(org.store)
            _drift(client, done.entries)
            applied[f"drifted:{example}"] = Checkpoint(org.store)
            checkpoint.restore()
        yield org, checkpoint, applied


def _drift(client: Any, entries: Any) -> None:
    """Someone changed the managed set by hand: an extra object row, a widened row, a field row removed."""
    rows = [
        e for e in entries if e.change.sobject == "ObjectPermissions" and e.change.action is Action.CREATE
    ]
    set_id = next(e.record_id for e in entries if e.change.sobject == "PermissionSet")
    taken = {e.values.get("SobjectType") for e in rows if e.values.get("ParentId") == set_id}
    extra = next(o for o in ("Contract", "Campaign", "Solution", "Idea") if o not in taken)
    client.request(
        "POST",
        "sobjects/ObjectPermissions",
        json={"ParentId": set_id, "SobjectType": extra, "PermissionsRead": True},
    )
    readable = [
        e for e in rows if e.values.get("PermissionsRead") and not e.values.get("PermissionsViewAllRecords")
    ]
    if readable:
        client.request(
            "PATCH",
            f"sobjects/ObjectPermissions/{readable[0].record_id}",
            json={"PermissionsViewAllRecords": True},
        )
    fields = [e for e in entries if e.change.sobject == "FieldPermissions"]
    if fields:
        client.request("DELETE", f"sobjects/FieldPermissions/{fields[0].record_id}")


def fault_plan(seed: int) -> dict[str, Any]:
    """One to three kinds of trouble, drawn from the seed."""
    rng = random.Random(seed)
    plan: dict[str, Any] = {"seed": seed}
    for kind in rng.sample(["errors", "drops", "expiry", "nth_write", "limit", "lost"], k=rng.randint(1, 3)):
        if kind == "errors":
            plan["error_rate"] = rng.choice([0.1, 0.2, 0.35])
        elif kind == "drops":
            plan["drop_rate"] = rng.choice([0.05, 0.15])
        elif kind == "expiry":
            plan["expire_session_after"] = rng.randint(1, 20)
        elif kind == "nth_write":
            plan["fail_nth_write"] = rng.randint(1, 8)
        elif kind == "lost":  # after commit: the write is done, its answer never arrives
            if rng.random() < 0.5:
                plan["lose_answer_rate"] = rng.choice([0.1, 0.25])
            else:
                plan["lose_nth_write"] = rng.randint(1, 8)
        else:
            plan["rate_limit_after"] = rng.randint(2, 22)
    return plan


def run_seed(org: Any, checkpoint: Checkpoint, applied: dict[str, Any], seed: int) -> str:
    """One seeded run; returns its outcome ("applied", "restored", "partial"); asserts the guarantees."""
    example = EXAMPLES[seed % len(EXAMPLES)]
    drifted = seed % 2 == 1
    (applied[f"drifted:{example}"] if drifted else checkpoint).restore()
    org.set_faults(None)
    desired = desired_for(example)[1]
    before = org_state(org.store)
    attempts = random.Random(-seed).choice([1, 2, 4])
    client = client_for(org, RetryPolicy(attempts=attempts, base_delay_s=0, max_delay_s=0, timeout_s=10))
    org.set_faults(fault_plan(seed))
    outcome, error = "applied", None
    try:
        apply(plan_for(client, desired), client)
    except ApplyError as exc:
        outcome, error = ("restored" if exc.restored else "partial"), exc
    except OrgError:
        outcome = "restored"  # failed while reading: nothing was written
    org.set_faults(None)
    after = org_state(org.store)
    context = f"seed {seed} ({example}{', drifted' if drifted else ''}, {fault_plan(seed)}, attempts {attempts}): {error}"
    if outcome == "applied":
        assert after == applied[example], context
    elif outcome == "restored":
        assert after == before, context
    elif error is not None and not error.done:  # only an outcome the org could not be asked about
        assert "outcome unknown" in str(error), context
    else:
        assert error is not None and error.done, context
        text = str(error)
        assert "user was already created" in text or "undo was incomplete" in text, context
        assert after != before, context
        for entry in error.done:  # what the error says stays in the org is there, as it says
            row = record(org.store, entry.change.sobject, entry.record_id)
            if entry.change.action is Action.DELETE:
                assert row is None, context
            else:
                assert row is not None, context
                assert all(row[k] == v for k, v in entry.values.items() if not k.startswith("_")), context
    fresh = client_for(org)
    plan_and_apply(fresh, desired)
    assert org_state(org.store) == applied[example], f"second apply did not converge: {context}"
    assert plan_for(fresh, desired).in_sync, context
    return outcome


def _seeds(count: int) -> range:
    return range(count)


def test_apply_under_faults_200_seeds(fault_org: tuple[Any, Checkpoint, dict[str, Any]]) -> None:
    org, checkpoint, applied = fault_org
    outcomes = Counter(run_seed(org, checkpoint, applied, seed) for seed in _seeds(200))
    # The seeds must exercise every path, or the test proves little.
    assert outcomes["applied"] > 0 and outcomes["restored"] > 0 and outcomes["partial"] > 0, outcomes


@pytest.mark.slow
def test_apply_under_faults_soak(fault_org: tuple[Any, Checkpoint, dict[str, Any]]) -> None:
    org, checkpoint, applied = fault_org
    count = int(os.environ.get("LEASTFORCE_SOAK_SEEDS", "2000"))
    outcomes = Counter(run_seed(org, checkpoint, applied, 10_000 + seed) for seed in _seeds(count))
    assert sum(outcomes.values()) == count
