"""Micro benchmark of the SOQL engine over an in-memory table (not a test).

Run: .venv/bin/python bench/soql_engine.py [rows]   (default 1,500,000 PermissionSetAssignment rows)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from leastforce.emulator.soql import execute, parse_soql
from test_soql_fake import FakeSource, sid

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
    users = [{"Id": sid("005", i), "Username": f"u{i}@x.com"} for i in range(1, 1001)]
    sets = [{"Id": sid("0PS", i), "Name": f"Set{i}"} for i in range(1, 101)]
    rows = [
        {
            "Id": sid("0Pa", i),
            "AssigneeId": users[i % 1000]["Id"],
            "PermissionSetId": sets[i % 100]["Id"],
            "IsActive": i % 3 != 0,
            "ExpirationDate": f"2026-0{1 + i % 9}-15T00:00:00.000+0000" if i % 5 == 0 else None,
            "SystemModstamp": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00.000+0000",
        }
        for i in range(1, n + 1)
    ]
    source = FakeSource(
        {"User": users, "PermissionSet": sets, "PermissionSetAssignment": rows}, use_hints=False
    )
    for text in QUERIES:
        query = parse_soql(text.format(ps=sets[5]["Id"], user=users[7]["Id"]))
        start = time.perf_counter()
        result = execute(query, source)
        print(f"{time.perf_counter() - start:7.2f}s  {result.total_size:>8}  {text[:90]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_500_000)
