"""Compute-only measurements from a saved snapshot, run in a child process pinned to one core.

    python -m bench.compute SNAPSHOT_FILE RUNS   ->  one JSON object on stdout

Per round, in this order:
- ``explain_field_s``: who can read Contact.Email (``who_has`` from the snapshot, its index built inside
  the timing as the CLI does); ``explain_field_nogc_s`` the same with the cyclic garbage collector paused;
- ``index_s``, ``resolve_all_s``: index build + every user's effective access, materialised as audit
  reads it (the permission map of every user; the object and field maps too of integration users);
- ``explain_field_warm_s``: who_has again with that prebuilt index;
- ``escalation_s``: the escalation graph and every user's shortest path to admin (index prebuilt);
  ``holders_s``: every (user, risky right) org-wide, as audit lists them;
- ``full_user_ms``: the mean cost of materialising every map of one user (sample of 200 users): the
  price of exporting everything per user, which grows with users x fields per user.
``peak_rss_mb`` is this process's peak RSS (VmHWM) after everything, snapshot load included.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
from typing import Any

from bench.generate import EXPLAIN_FIELD
from leastforce.access.index import AccessIndex
from leastforce.access.resolve import resolve_all, resolve_user
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.loader import load_catalog
from leastforce.checks.audit.escalation import EscalationGraph, escalation_for
from leastforce.checks.audit.find import integration_reasons, token_holders
from leastforce.checks.audit.holders import org_holders
from leastforce.checks.explain.who_has import who_has
from leastforce.org.snapshot_file import load_snapshot
from leastforce.values.model import OrgSnapshot


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[-1]})


def _full_user_ms(snapshot: OrgSnapshot, catalog: Catalog, index: AccessIndex, sample: int = 200) -> float:
    """Mean ms to materialise every map (permissions, objects, fields) of one user, fresh merges."""
    users = [snapshot.users[u] for u in sorted(snapshot.users)[:: max(1, len(snapshot.users) // sample)]]
    started = time.perf_counter()
    for user in users:
        access = resolve_user(index, user, snapshot.taken_at)
        len(access.permissions), len(access.objects), len(access.fields)
    return (time.perf_counter() - started) * 1000 / len(users)


def measure(path: str, runs: int) -> dict[str, Any]:
    """Load the snapshot once, then ``runs`` rounds; lists of seconds per key, plus counts and peak RSS."""
    _pin_one_core()
    catalog = load_catalog()
    started = time.perf_counter()
    snapshot = load_snapshot(path)
    out: dict[str, Any] = {"load_snapshot_s": time.perf_counter() - started}
    tokens = token_holders(snapshot)
    for _ in range(runs):
        for key, value in _one_round(snapshot, catalog, tokens).items():
            out.setdefault(key, []).append(value)
    out["users_resolved"] = out.pop("users")[-1]
    out["field_holders"] = out.pop("holders")[-1]
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _one_round(snapshot: OrgSnapshot, catalog: Catalog, tokens: frozenset[str]) -> dict[str, float]:
    """explain first (as `leastforce explain` runs right after loading), then the index and resolve_all."""
    out: dict[str, float] = {}
    started = time.perf_counter()
    out["holders"] = len(who_has(snapshot, EXPLAIN_FIELD, catalog))
    out["explain_field_s"] = time.perf_counter() - started
    gc.disable()  # the same without the cyclic collector: what the collector's passes over the heap cost
    try:
        started = time.perf_counter()
        who_has(snapshot, EXPLAIN_FIELD, catalog)
        out["explain_field_nogc_s"] = time.perf_counter() - started
    finally:
        gc.enable()
    started = time.perf_counter()
    index = AccessIndex.build(snapshot, catalog)
    out["index_s"] = time.perf_counter() - started
    users = 0
    for access in resolve_all(snapshot, catalog, index=index):
        len(access.permissions)
        if integration_reasons(access, tokens):
            len(access.objects), len(access.fields)
        users += 1
    out["resolve_all_s"] = time.perf_counter() - started
    out["users"] = users
    started = time.perf_counter()
    who_has(snapshot, EXPLAIN_FIELD, catalog, index=index)
    out["explain_field_warm_s"] = time.perf_counter() - started
    started = time.perf_counter()
    escalation_for(EscalationGraph(index, snapshot.taken_at), snapshot.users)
    out["escalation_s"] = time.perf_counter() - started
    started = time.perf_counter()
    org_holders(index, snapshot.taken_at, ())
    out["holders_s"] = time.perf_counter() - started
    out["full_user_ms"] = _full_user_ms(snapshot, catalog, index)
    return out


def _peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM first: Linux keeps ru_maxrss across exec, so a child started by a
    big parent would report the parent's size."""
    try:
        status = open("/proc/self/status").read()  # noqa: SIM115
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    json.dump(measure(sys.argv[1], int(sys.argv[2])), sys.stdout)
