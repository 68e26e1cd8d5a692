"""Compute-only measurements from a saved snapshot, run in a child process pinned to one core.

    python -m bench.compute SNAPSHOT_FILE RUNS   ->  one JSON object on stdout

Per run: ``resolve_all_s`` (index build + every user's effective access, materialised as audit reads it:
the permission map of every user, and the object and field maps too of every integration user),
``full_user_ms`` (the mean cost of materialising every map of one user, over a sample of 200 users:
the price of a per-user export of everything, which grows with users x fields per user) and ``explain_field_s`` (who can read Contact.Email,
``who_has`` from the snapshot, its index built inside the timing as the CLI would), plus
``explain_field_warm_s`` (the same with a prebuilt index). ``peak_rss_mb`` is this process's peak RSS
(VmHWM) after everything, snapshot load included.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Any

from bench.generate import EXPLAIN_FIELD
from leastforce.access import resolve_all, resolve_user
from leastforce.access_index import AccessIndex
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.loader import load_catalog
from leastforce.checks.audit_find import integration_reasons, token_holders
from leastforce.checks.explain import who_has
from leastforce.model import OrgSnapshot
from leastforce.org.snapshot_file import load_snapshot


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
    _pin_one_core()
    catalog = load_catalog()
    started = time.perf_counter()
    snapshot = load_snapshot(path)
    load_s = time.perf_counter() - started
    out: dict[str, Any] = {"load_snapshot_s": load_s, "resolve_all_s": [], "explain_field_s": []}
    out |= {"explain_field_warm_s": [], "index_s": [], "users_resolved": 0, "field_holders": 0}
    out |= {"full_user_ms": [], "fields_per_user": 0}
    tokens = token_holders(snapshot)
    for _ in range(runs):
        started = time.perf_counter()
        index = AccessIndex.build(snapshot, catalog)
        out["index_s"].append(time.perf_counter() - started)
        users = 0
        for access in resolve_all(snapshot, catalog, index=index):
            len(access.permissions)
            if integration_reasons(access, tokens):
                len(access.objects), len(access.fields)
            users += 1
        out["resolve_all_s"].append(time.perf_counter() - started)
        out["users_resolved"] = users
        out["full_user_ms"].append(_full_user_ms(snapshot, catalog, index))
        started = time.perf_counter()
        holders = who_has(snapshot, EXPLAIN_FIELD, catalog)
        out["explain_field_s"].append(time.perf_counter() - started)
        started = time.perf_counter()
        who_has(snapshot, EXPLAIN_FIELD, catalog, index=index)
        out["explain_field_warm_s"].append(time.perf_counter() - started)
        out["field_holders"] = len(holders)
    out["peak_rss_mb"] = _peak_rss_mb()
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
