"""Positions in the YAML tree, and pydantic errors turned into file:line:col problems.

ruamel's round-trip tree records 0-based positions: ``map.lc.key(k)`` / ``map.lc.value(k)`` for
a key and its value, ``seq.lc.item(i)`` for an item, ``node.lc.line/col`` for a collection's start.
Problems report them 1-based.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from leastforce.errors import Position, Problem
from leastforce.manifest import schema
from leastforce.values import problem_codes as codes


class Locator:
    """Positions of keys, values and items of one file's YAML tree."""

    def __init__(self, display: str) -> None:
        self.file = display

    def node(self, node: Any) -> Position:
        """Where a mapping or sequence starts (file only for scalars)."""
        lc = getattr(node, "lc", None)
        if lc is None or lc.line is None:
            return Position(self.file)
        return Position(self.file, lc.line + 1, lc.col + 1)

    def key(self, mapping: Any, key: Any) -> Position:
        """Where ``key`` is written in ``mapping`` (the mapping's start when unknown)."""
        try:
            line, col = mapping.lc.key(key)
        except (AttributeError, KeyError, TypeError):
            return self.node(mapping)
        return Position(self.file, line + 1, col + 1)

    def value(self, mapping: Any, key: Any) -> Position:
        """Where the value of ``key`` starts."""
        try:
            line, col = mapping.lc.value(key)
        except (AttributeError, KeyError, TypeError):
            return self.key(mapping, key)
        return Position(self.file, line + 1, col + 1)

    def item(self, seq: Any, index: int) -> Position:
        """Where item ``index`` of a sequence starts."""
        try:
            line, col = seq.lc.item(index)
        except (AttributeError, KeyError, IndexError, TypeError):
            return self.node(seq)
        return Position(self.file, line + 1, col + 1)

    def path(self, root: Any, loc: Sequence[int | str]) -> tuple[Position, Any]:
        """The position of the deepest node that ``loc`` (a pydantic error location) reaches.

        Union tags and branch names in ``loc`` are skipped; the walk stops at a scalar or at a key
        that is not there (so a missing key points at the mapping that lacks it, an unknown key at
        itself, a wrong value at its key).
        """
        node, here = root, self.node(root)
        for step in loc:
            if isinstance(node, dict) and _has_key(node, step):
                here, node = self.key(node, step), node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                here, node = self.item(node, step), node[step]
            elif isinstance(step, str) and _is_tag(step):
                continue
            else:
                break
        return here, node


def _has_key(mapping: dict[Any, Any], key: Any) -> bool:
    try:
        return key in mapping
    except TypeError:  # an unhashable location part
        return False


def _is_tag(step: str) -> bool:
    """A union tag (atom:permission) or a branch/marker (list[str], [key]), never a YAML key."""
    return step.startswith(schema.ATOM_TAG) or "[" in step or step in ("str", "int", "bool", "none")


def validation_problems(exc: ValidationError, root: Any, locator: Locator) -> list[Problem]:
    """Every pydantic error as a Problem at its YAML position, each once, in file order."""
    seen: dict[tuple[Position, str], Problem] = {}
    for err in exc.errors():
        position, node = locator.path(root, err["loc"])
        message = _message(err, node)
        seen.setdefault((position, message), Problem("error", message, position, codes.MANIFEST_FORMAT))
    return sorted(seen.values(), key=lambda p: (p.position.line, p.position.column, p.message))


def _message(err: Any, node: Any) -> str:
    """A message in the manifest's words for one pydantic error (with where it is, as a dotted path)."""
    loc = [s for s in err["loc"] if not (isinstance(s, str) and _is_tag(s))]
    where = _dotted(loc)
    kind = err["type"]
    if kind == "missing":
        return f"missing required key {loc[-1]!r}" + (f" in {_dotted(loc[:-1])}" if loc[:-1] else "")
    if kind == "extra_forbidden":
        # The key as written: a typo like "m[anifest" looks like a union tag and was filtered out of loc.
        key = err["loc"][-1]
        parent = loc[:-1] if loc and loc[-1] == key else loc
        inside = f" in {_dotted(parent)}" if parent else ""
        return f"unknown key {key!r}{inside}" + _did_you_mean(str(key))
    if kind == "atom_kind":
        return f"{where}: {schema.ATOM_ERROR}"
    if kind == "literal_error" and loc == ["manifest"]:
        return f"unsupported manifest version {err['input']!r}; this leastforce reads `manifest: 1`"
    if kind == "string_pattern_mismatch":
        return f"{where}: {_PATTERN_HELP.get(err['ctx']['pattern'], err['msg'])}, got {err['input']!r}"
    if kind == "names_type":
        return f"{where}: expected a name or a list of names, got {_describe(err['input'])}"
    if kind.endswith("_type") or kind in ("model_type", "model_attributes_type", "literal_error"):
        expected = _EXPECTED.get(kind, err["msg"].removeprefix("Input should be ").lower())
        return f"{where}: expected {expected}, got {_describe(err['input'])}"
    if kind == "string_too_short":
        return f"{where}: must not be empty"
    if kind == "too_short":
        return f"{where}: needs at least {err['ctx']['min_length']} item(s)"
    if kind == "greater_than_equal":
        return f"{where}: must be at least {err['ctx']['ge']}, got {err['input']!r}"
    if kind == "value_error":
        return f"{where}: {err['ctx'].get('error', err['msg'])!s}"
    return f"{where}: {err['msg']}"


_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}
_PATTERN_HELP = {
    schema.API_NAME: "expected an API name (a letter, then letters, digits and single underscores)",
    schema.FIELD_NAME: "expected Object.Field with API names, e.g. Contact.Email",
    schema.FEATURE_NAME: "expected a name in lower case (letters, digits, _ and -), e.g. sync",
    r"\S": "expected non-blank text",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text {value!r}" if len(value) < 40 else "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _dotted(loc: Sequence[int | str]) -> str:
    out = ""
    for step in loc:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "manifest"


def _did_you_mean(key: str) -> str:
    close = difflib.get_close_matches(key, _known_keys(), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _package_models() -> list[Any]:
    from leastforce.manifest import schema_packages as p

    return [p.PackageDoc, p.ProvidesDoc, p.PackageObjectDoc, p.PackageSetDoc]


def _known_keys() -> list[str]:
    models = [*schema.ATOM_MODELS.values(), schema.ManifestDoc, schema.UserDoc, schema.ProfileDoc]
    models += [schema.PermissionSetDoc, schema.FeatureDoc, schema.RoleDoc, schema.CredentialDoc]
    models += [schema.TroubleshootingDoc, *_package_models()]
    fields = [(name, info) for model in models for name, info in model.model_fields.items()]  # type: ignore[attr-defined]
    return sorted({info.alias or name for name, info in fields})  # YAML keys: ``from``, not ``from_``
