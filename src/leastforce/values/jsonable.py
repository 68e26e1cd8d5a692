"""Values as plain JSON data: the one conversion both the JSON output and the snapshot file use.

It lives with the values (not in render/) so that the org layer can store snapshots without importing a
renderer.
"""

from __future__ import annotations

import dataclasses
import enum
import json
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
