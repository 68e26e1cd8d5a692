"""The measurements of one size: verify, snapshot vs a plain simple-salesforce baseline, compute, audit.

Each step runs ``runs`` times against the same served org and reports the median; the snapshot and its
baseline alternate within each run so that their ratio is measured under the same conditions.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner
from simple_salesforce import Salesforce

from bench.generate import cached_org
from bench.people import UPFLOW_USER
from bench.served import ServedOrg, leastforce_process, served_org
from bench.sizes import Size
from leastforce.cli import group
from leastforce.org.client import API_VERSION, Session, SimpleSalesforceClient
from leastforce.org.read.bulk import ReadApi
from leastforce.org.read.whole_org import TABLES, read_tables, snapshot_from_tables
from leastforce.org.snapshot_file import save_snapshot

ROOT = Path(__file__).resolve().parent.parent
UPFLOW = ROOT / "examples" / "upflow.yaml"
PAGE = 2000  # Salesforce's default and largest query batch


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def measure_size(size: Size, runs: int, log: Any = print) -> dict[str, Any]:
    """Every number of the results.json entry for ``size`` (medians over ``runs``)."""
    state = cached_org(size)
    generated = json.loads((state / "done.json").read_text())
    with served_org(state) as org:
        verify_runs = [_verify(org) for _ in range(runs)]
        log(f"  {size.name}: verify {median([r[1] for r in verify_runs])} s, {verify_runs[0][0]} calls")
        snaps, rests, bases = [], [], []
        tables: dict[str, list[dict[str, Any]]] = {}
        for _ in range(runs):
            tables, calls, seconds = _snapshot(org)
            snaps.append((calls, seconds))
            rests.append(_snapshot(org, ReadApi.REST)[1:])
            bases.append(_baseline(org))
        log(
            f"  {size.name}: snapshot {median([s for _, s in snaps])} s ({snaps[0][0]} calls), REST-only "
            f"{median([s for _, s in rests])} s ({rests[0][0]} calls), baseline {median(bases)} s"
        )
        audit_runs = [_audit(org) for _ in range(runs)]
        audit_rss = _audit_peak_rss(org)
        log(
            f"  {size.name}: audit {median([a[1] for a in audit_runs])} s, its own process {audit_rss:.0f} MB"
        )
    compute = _compute(tables, runs)
    log(f"  {size.name}: resolve_all {median(compute['resolve_all_s'])} s, {compute['peak_rss_mb']:.0f} MB")
    return {
        "verify_calls": max(c for c, _ in verify_runs),
        "verify_s": median([s for _, s in verify_runs]),
        "snapshot_calls": snaps[0][0],
        "snapshot_min_calls": sum(max(1, math.ceil(len(rows) / PAGE)) for rows in tables.values()),
        "snapshot_s": median([s for _, s in snaps]),
        "baseline_s": median(bases),
        "rest_snapshot_calls": rests[0][0],
        "rest_snapshot_s": median([s for _, s in rests]),
        "resolve_all_s": median(compute["resolve_all_s"]),
        "peak_rss_mb": round(compute["peak_rss_mb"], 1),
        "explain_field_s": median(compute["explain_field_s"]),
        "audit_s": median([s for _, s in audit_runs]),
        "escalation_s": median(compute["escalation_s"]),
        "holders_s": median(compute["holders_s"]),
        # extras
        "snapshot_ratio": round(statistics.median(s / b for (_, s), b in zip(snaps, bases, strict=True)), 3),
        "explain_field_warm_s": median(compute["explain_field_warm_s"]),
        "explain_field_nogc_s": median(compute["explain_field_nogc_s"]),
        "full_user_ms": median(compute["full_user_ms"]),
        "index_s": median(compute["index_s"]),
        "load_snapshot_s": round(compute["load_snapshot_s"], 3),
        "users_resolved": compute["users_resolved"],
        "field_holders": compute["field_holders"],
        "audit_calls": audit_runs[0][0],
        "audit_peak_rss_mb": round(audit_rss, 1),
        "rows": {table: len(rows) for table, rows in tables.items()},
        "generated": generated,
        "runs": runs,
    }


def _env(org: ServedOrg) -> dict[str, str | None]:
    unset = ("LEASTFORCE_ORG", "SF_CLIENT_ID", "SF_USERNAME", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    return {"SF_ACCESS_TOKEN": org.access_token, "SF_CA_BUNDLE": org.ca_bundle} | dict.fromkeys(unset)


def _cli(org: ServedOrg, args: list[str]) -> tuple[dict[str, Any], int, float]:
    """Run a leastforce command in-process as a user would; (JSON result, API calls, seconds)."""
    before = org.api_requests()
    started = time.perf_counter()
    result = CliRunner().invoke(group, args, env=_env(org), catch_exceptions=False)
    seconds = time.perf_counter() - started
    calls = org.api_requests() - before
    body = json.loads(result.stdout)
    return body, calls, seconds


def _verify(org: ServedOrg) -> tuple[int, float]:
    body, calls, seconds = _cli(
        org, ["verify", str(UPFLOW), "--org", org.instance_url, "--user", UPFLOW_USER, "--json"]
    )
    if body["status"] != 0:
        raise RuntimeError(f"the bench's Upflow user should pass verify: {json.dumps(body)[:2000]}")
    return calls, seconds


def _audit(org: ServedOrg) -> tuple[int, float]:
    body, calls, seconds = _cli(org, ["audit", "--org", org.instance_url, "--json"])
    if body["status"] not in (0, 1):
        raise RuntimeError(f"audit failed: {json.dumps(body)[:2000]}")
    return calls, seconds


def _audit_peak_rss(org: ServedOrg) -> float:
    """`leastforce audit --json` once more, in its own process: its peak RSS (MB), output included."""
    out, _seconds, peak = leastforce_process(org, ["audit", "--org", org.instance_url, "--json"])
    if json.loads(out)["status"] not in (0, 1):
        raise RuntimeError(f"audit failed: {out[:2000]!r}")
    return peak


def _snapshot(
    org: ServedOrg, api: ReadApi = ReadApi.AUTO
) -> tuple[dict[str, list[dict[str, Any]]], int, float]:
    """leastforce's full read (read_tables: concurrent tables over HTTPS, big ones through Bulk API 2.0
    unless ``api`` is REST); (tables, calls, seconds)."""
    session = Session(org.instance_url, org.access_token, org.ca_bundle)
    before = org.api_requests()
    started = time.perf_counter()
    tables, _stats = read_tables(lambda: SimpleSalesforceClient(session), api=api)
    seconds = time.perf_counter() - started
    return tables, org.api_requests() - before, seconds


def _baseline(org: ServedOrg) -> float:
    """The same tables with a plain simple-salesforce query_all loop: sequential, one client."""
    http = requests.Session()
    http.verify = org.ca_bundle
    http.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment wins over verify
    started = time.perf_counter()
    sf = Salesforce(
        instance_url=org.instance_url, session_id=org.access_token, session=http, version=API_VERSION
    )
    for soql in TABLES.values():
        sf.query_all(soql)
    return time.perf_counter() - started


def _compute(tables: dict[str, list[dict[str, Any]]], runs: int) -> dict[str, Any]:
    """resolve_all and who_has in a child process (one core; its own peak RSS)."""
    with tempfile.TemporaryDirectory(prefix="leastforce-bench-") as temp:
        path = Path(temp) / "snapshot.sqlite"
        save_snapshot(snapshot_from_tables(tables), path)
        del tables
        out = subprocess.run(
            [sys.executable, "-m", "bench.compute", str(path), str(runs)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    return dict(json.loads(out.stdout))
