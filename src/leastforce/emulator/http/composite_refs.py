"""References between Composite subrequests: `@{referenceId.field}`, `@{ref.records[0].Id}`.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite.htm: a later
subrequest's url or body may name a value of an earlier subrequest's response body; the reference is
replaced by that value. A reference to a subrequest that failed (or to a value its body lacks) cannot
be resolved, and the subrequest is not run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_REF = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")


class Unresolved(Exception):
    """A reference with no value: ``expression`` (e.g. ``refAccount.id``) in ``name``'s result."""

    def __init__(self, name: str, expression: str) -> None:
        super().__init__(expression)
        self.name, self.expression = name, expression


def resolve(value: Any, bodies: Mapping[str, Any]) -> Any:
    """``value`` with every reference replaced: a string that is one reference becomes the value itself
    (a number stays a number), references inside longer strings become text."""
    if isinstance(value, str):
        whole = _REF.fullmatch(value)
        if whole:
            return _lookup(whole, bodies)
        return _REF.sub(lambda m: str(_lookup(m, bodies)), value)
    if isinstance(value, dict):
        return {k: resolve(v, bodies) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, bodies) for v in value]
    return value


def _lookup(match: re.Match[str], bodies: Mapping[str, Any]) -> Any:
    name, path = match.group(1), match.group(2)
    expression = name + path
    if name not in bodies:
        raise Unresolved(name, expression)
    current = bodies[name]
    for field, index in _STEP.findall(path):
        if field and isinstance(current, dict) and field in current:
            current = current[field]
        elif index and isinstance(current, list) and int(index) < len(current):
            current = current[int(index)]
        else:
            raise Unresolved(name, expression)
    if current is None:
        raise Unresolved(name, expression)
    return current
