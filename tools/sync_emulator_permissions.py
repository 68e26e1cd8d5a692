"""Append the catalog's user permissions that the emulator's v64 schema lacks to emulator/store/data/sobjects.json.

A current org has fields for permissions newer than the v64 describe (CanApproveUninstalledApps ...);
the emulator's profiles use them. UseAnyApiClient is left out: it exists only where API Access Control
is enabled. Run: .venv/bin/python tools/sync_emulator_permissions.py
"""

from __future__ import annotations

import json
from pathlib import Path

from leastforce.catalog import load_catalog

FEATURE_GATED = {"UseAnyApiClient"}
DATA = Path(__file__).resolve().parents[1] / "src/leastforce/emulator/store/data/sobjects.json"


def main() -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    known = {name for name, _ in data["permissions"]}
    for perm in load_catalog().permissions.values():
        if perm.name not in known and perm.name not in FEATURE_GATED:
            data["permissions"].append([perm.name, perm.label])
    DATA.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    main()
