"""The sf CLI's JSON envelope: ``{"status": 0, "result": ..., "warnings": [...]}``.

Errors follow sf's shape: name, message, exitCode, status (the exit code), warnings.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from leastforce.values.jsonable import to_jsonable


def success_envelope(result: Any, status: int = 0, warnings: list[str] | None = None) -> dict[str, Any]:
    return {"status": status, "result": to_jsonable(result), "warnings": list(warnings or [])}


def error_envelope(name: str, message: str, exit_code: int, data: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "message": message,
        "exitCode": exit_code,
        "status": exit_code,
        "warnings": [],
    }
    if data is not None:
        out["data"] = to_jsonable(data)
    return out


def write_json(envelope: Mapping[str, Any]) -> None:
    sys.stdout.write(json.dumps(envelope, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
