"""Micro benchmark of the emulator's SOQL engine over a large table, through the real store (not a test).

Run: .venv/bin/python -m bench.soql_engine [rows]   (default 1,500,000 PermissionSetAssignment rows)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from leastforce.emulator.store.org_store import Caller, OrgStore

QUERIES = [
    "SELECT COUNT() FROM PermissionSetAssignment",
    "SELECT COUNT() FROM PermissionSetAssignment WHERE IsActive = true AND PermissionSetId = '{ps}'",
    "SELECT Id, AssigneeId FROM PermissionSetAssignment WHERE AssigneeId = '{user}'",
    "SELECT Id FROM PermissionSetAssignment ORDER BY SystemModstamp DESC LIMIT 10",
    "SELECT Id, Assignee.Username FROM PermissionSetAssignment WHERE Assignee.Username LIKE 'u1%' LIMIT 200",
    "SELECT Id FROM PermissionSetAssignment WHERE ExpirationDate = LAST_N_DAYS:30 LIMIT 100",
    "SELECT PermissionSetId, COUNT(Id) FROM PermissionSetAssignment GROUP BY PermissionSetId",
]


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="leastforce-soql-bench-") as temp:
        store = OrgStore.open(Path(temp))
        try:
            profile = store.query("SELECT Id FROM Profile LIMIT 1", caller=_system(store)).records[0]["Id"]
            users = store.bulk_insert(
                "User",
                ({"Username": f"u{i}@x.com", "LastName": f"u{i}", "ProfileId": profile} for i in range(1000)),
            )
            sets = store.bulk_insert(
                "PermissionSet", ({"Name": f"Set{i}", "Label": f"Set {i}"} for i in range(100))
            )
            store.bulk_insert(
                "PermissionSetAssignment",
                (
                    {
                        "AssigneeId": users[i % 1000],
                        "PermissionSetId": sets[i % 100],
                        "IsActive": i % 3 != 0,
                        "ExpirationDate": f"2026-0{1 + i % 9}-15T00:00:00.000+0000" if i % 5 == 0 else None,
                    }
                    for i in range(n)
                ),
            )
            for text in QUERIES:
                started = time.perf_counter()
                page = store.query(text.format(ps=sets[5], user=users[7]), caller=_system(store))
                print(f"{time.perf_counter() - started:7.2f}s  {page.total_size:>8}  {text[:90]}")
        finally:
            store.close()


def _system(store: OrgStore) -> Caller:
    return Caller(store.admin_user_id, system=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_500_000)
