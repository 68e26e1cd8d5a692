"""Check a SARIF log against the official SARIF 2.1.0 JSON schema (vendored in tests/data/sarif/)."""

from __future__ import annotations

import functools
import json
from typing import Any

from support.paths import TESTS

SCHEMA = TESTS / "data" / "sarif" / "sarif-schema-2.1.0.json"


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft4Validator, FormatChecker

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=FormatChecker())


def assert_valid_sarif(log: Any) -> None:
    """Fail with every schema violation (path and message) when ``log`` is not valid SARIF 2.1.0."""
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
