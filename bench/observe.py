"""The observe benchmark: 30 days of API Total Usage log files of an org making 200,000 API calls a day
(6 million rows, about 1.5 GB of CSV), 2% of them the Upflow user's. Measured: `leastforce observe` in its
own process, as a user runs it (wall time, peak RSS from wait4), against a served copy of the org.

The log files are written once into a cached org (bench/orgs/observe-...): Daily files only, so every
call is counted once (checks/observe/period.py), with the columns and formats the local org writes
(emulator/store/eventlog.py).
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.generate import ORGS_DIR
from bench.people import UPFLOW_USER, add_upflow
from bench.served import ServedOrg, leastforce_process, served_org
from bench.sizes import data_fingerprint
from bench.writer import open_writer
from leastforce.emulator.store.eventlog import API_TOTAL_USAGE, API_TOTAL_USAGE_COLUMNS, timestamps
from leastforce.emulator.store.org_store import OrgStore

DAYS = 30
PER_DAY = 200_000
SHARE = 50  # one call in SHARE is the observed user's (2%)
OTHER_USERS = 400
VERSION = 1  # bump when the files' shape changes
# The observed user's calls, cycled: (method, resource, entity, status)
MINE = (
    ("GET", "/v64.0/query", "Account", "200"),
    ("GET", "/v64.0/query", "Account", "200"),
    ("GET", "/v64.0/sobjects/Account/001000000000001", "Account", "200"),
    ("PATCH", "/v64.0/sobjects/Account/001000000000001", "Account", "204"),
    ("GET", "/v64.0/query", "Opportunity", "400"),
    ("GET", "/v64.0/sobjects/Account/describe", "Account", "200"),
)
OTHERS = (
    ("GET", "/v64.0/query", "Account", "200"),
    ("GET", "/v64.0/query", "Contact", "200"),
    ("POST", "/v64.0/sobjects/Lead", "Lead", "201"),
    ("PATCH", "/v64.0/sobjects/Case/500000000000001", "Case", "204"),
    ("GET", "/v64.0/limits", "", "200"),
    ("POST", "/v64.0/composite", "", "200"),
)


def cached_logs(days: int = DAYS, per_day: int = PER_DAY, root: Path = ORGS_DIR) -> Path:
    """The state directory of the org with its log files, generated on first use (then reused)."""
    target = root / f"observe-{days}x{per_day}-v{VERSION}-{data_fingerprint()}"
    if (target / "done.json").exists():
        return target
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        for item in sorted(partial.rglob("*"), reverse=True):
            item.unlink() if item.is_file() else item.rmdir()
        partial.rmdir()
    started = time.perf_counter()
    info = generate_logs(partial, days, per_day)
    info["generate_s"] = round(time.perf_counter() - started, 1)
    (partial / "done.json").write_text(json.dumps(info, indent=2) + "\n")
    partial.rename(target)
    return target


def generate_logs(state_dir: Path, days: int, per_day: int) -> dict[str, Any]:
    """Seed an org with the Upflow user and write ``days`` Daily files ending yesterday (UTC)."""
    store = OrgStore.open(state_dir, seed=True)
    try:
        org = open_writer(store, random.Random("leastforce-bench-observe"))
        add_upflow(org)
        [user] = org.rows(f"SELECT Id FROM User WHERE Username = '{UPFLOW_USER}'")
        uid = str(user["Id"])
        others = [f"005{'B' * 4}{n:08d}" for n in range(OTHER_USERS)]
        midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        mine = 0
        for day in range(days):
            start = midnight - timedelta(days=days - day)
            body, count = _day(start, per_day, uid, others, store.org_id, org.rng)
            store.add_log_file(API_TOTAL_USAGE, "Daily", start, API_TOTAL_USAGE_COLUMNS, body)
            mine += count
    finally:
        store.close()
    first = (midnight - timedelta(days=days)).date().isoformat()
    return {"days": days, "rows": days * per_day, "user_rows": mine, "user_id": uid, "first_day": first}


def _day(
    start: datetime, rows: int, uid: str, others: list[str], org_id: str, rng: random.Random
) -> tuple[bytes, int]:
    """One day's CSV (every value quoted, as Salesforce writes it) and how many rows are the user's."""
    lines = [",".join(f'"{name}"' for name, _ in API_TOTAL_USAGE_COLUMNS)]
    step = 86_400 / rows
    base = start.timestamp()
    mine = 0
    for n in range(rows):
        stamp, derived = timestamps(base + n * step)
        if n % SHARE == 0:
            user, (method, resource, entity, status) = uid, MINE[mine % len(MINE)]
            mine += 1
        else:
            user, (method, resource, entity, status) = rng.choice(others), rng.choice(OTHERS)
        values = (
            API_TOTAL_USAGE, stamp, f"4{n:019d}", org_id[:15], user[:15], "REST", "64.0", resource,
            "simple-salesforce", method, "10.0.0.1", "1", "0H4000000000001", "Sync", entity, status,
            derived, user,
        )  # fmt: skip
        lines.append(",".join(f'"{v}"' for v in values))
    return ("\n".join(lines) + "\n").encode(), mine


def measure_observe(
    runs: int, log: Any = print, days: int = DAYS, per_day: int = PER_DAY, root: Path = ORGS_DIR
) -> dict[str, Any]:
    """observe_rows, observe_s (median), observe_peak_rss_mb (max) and what they rest on."""
    state = cached_logs(days, per_day, root)
    info = json.loads((state / "done.json").read_text())
    days = (datetime.now(UTC).date() - datetime.fromisoformat(info["first_day"]).date()).days
    with served_org(state) as org:
        results = [_observe(org, days, info) for _ in range(runs)]
    seconds = sorted(s for s, _ in results)[len(results) // 2]
    peak = max(m for _, m in results)
    log(f"  observe: {info['rows']:,} rows in {seconds:.1f} s, peak RSS {peak:.0f} MB")
    return {
        "observe_rows": info["rows"],
        "observe_user_rows": info["user_rows"],
        "observe_s": round(seconds, 2),
        "observe_peak_rss_mb": round(peak, 1),
        "observe_generate_s": info.get("generate_s"),
        "runs": runs,
    }


def _observe(org: ServedOrg, days: int, info: dict[str, Any]) -> tuple[float, float]:
    """One `leastforce observe --json` in a child process: (seconds, peak RSS in MB)."""
    args = ["observe", "--org", org.instance_url, "--user", UPFLOW_USER, "--days", str(days), "--json"]
    out, seconds, peak = leastforce_process(org, args)
    body = json.loads(out)
    if body["status"] != 0 or body["result"]["calls"] != info["user_rows"]:
        raise RuntimeError(f"observe should count {info['user_rows']} calls: {out[:2000]!r}")
    return seconds, peak
