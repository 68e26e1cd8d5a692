"""The sf CLI's JSON envelope: ``{"status": 0, "result": ..., "warnings": [...]}``.

Errors follow sf's shape: name, message, exitCode, status (the exit code), warnings.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, dates, sets and mappings as plain JSON values (deterministic order)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((to_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


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
