"""Every ``--json`` output, built in one place: the sf CLI's envelope here, one module per result beside it.

Success: ``{"status": N, "result": ..., "warnings": [...]}``; errors follow sf's shape: ``name``,
``message``, ``exitCode``, ``status`` (the exit code), ``warnings`` and optional ``data``. Each result is a
pydantic model of this package (``base.JsonModel``: camelCase keys, like the Salesforce CLI); its JSON
Schema is generated from the same model into ``schema/results/`` (``schemas.py``, ``make schema``).
Commands build the result with the module's ``*_output`` function and hand it to ``success_envelope``.
https://developer.salesforce.com/docs/atlas.en-us.sfdx_setup.meta/sfdx_setup/sfdx_dev_cli_json_support.htm
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import orjson

from leastforce.render.json.base import JsonModel
from leastforce.values.jsonable import to_jsonable
from leastforce.values.secrets import redact_json, redact_tree
from leastforce.values.visible import json_safe

__all__ = ["error_envelope", "success_envelope", "to_jsonable", "write_json"]


def success_envelope(result: Any, status: int = 0, warnings: list[str] | None = None) -> dict[str, Any]:
    """The envelope around a result model (camelCase keys); any other value passes through as is."""
    body = result.dump() if isinstance(result, JsonModel) else to_jsonable(result)
    return {"status": status, "result": body, "warnings": list(warnings or [])}


def error_envelope(name: str, message: str, exit_code: int, data: Any = None) -> dict[str, Any]:
    """sf's error shape (schema/results/error.schema.json)."""
    error = ErrorOutput(name=name, message=message, exit_code=exit_code, status=exit_code, warnings=())
    out = error.dump()
    if data is not None:
        out["data"] = to_jsonable(data)
    return out


def write_json(envelope: Mapping[str, Any]) -> None:
    """Every --json output: registered secrets redacted in every string (the error's ``data`` too), and
    bidi and invisible characters written as \\uXXXX escapes (the same JSON value, but JSON shown in a
    terminal cannot be reordered; json.dumps escapes the control characters itself). An all-ASCII text
    (nothing to escape) goes out as the encoder's bytes: an org-wide audit's is 150 MB, not copied."""
    data = json_bytes(envelope)
    out = getattr(sys.stdout, "buffer", None)
    if out is None or not data.isascii() or b"\x7f" in data:
        sys.stdout.write(json_safe(data.decode("utf-8")))
        sys.stdout.write("\n")
        sys.stdout.flush()
        return
    sys.stdout.flush()  # anything already written as text goes first
    out.write(data)
    out.write(b"\n")
    out.flush()


def json_text(value: Mapping[str, Any]) -> str:
    """``value`` as indented JSON, every registered secret redacted (``json_bytes``)."""
    return json_bytes(value).decode("utf-8")


def json_bytes(value: Mapping[str, Any]) -> bytes:
    """``value`` as indented JSON in UTF-8 (orjson: the standard encoder is pure Python once indented,
    seconds for an org-wide audit), every registered secret redacted. Redacting the text rather than each
    string is safe only if the result is still the same JSON shape: if not (a form spanning two strings),
    the slow path redacts string by string."""
    data = _dumps(value)
    redacted = redact_json(data, lambda form: _dumps(form)[1:-1])
    if redacted == data:
        return data
    try:
        orjson.loads(redacted)
    except orjson.JSONDecodeError:
        return _dumps(redact_tree(dict(value)))
    return redacted


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


class ErrorOutput(JsonModel):
    """An error, as sf prints it with ``--json``; ``data`` is the org's error code when there is one."""

    name: str
    message: str
    exit_code: int
    status: int
    warnings: tuple[str, ...]
    data: Any = None

    def dump(self) -> dict[str, Any]:
        out = super().dump()
        if self.data is None:
            del out["data"]
        return out


__all__ = ["ErrorOutput", "JsonModel", "error_envelope", "success_envelope", "to_jsonable", "write_json"]
