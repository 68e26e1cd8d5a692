"""The JSON Schema: generated from the pydantic models, committed, and agreeing with the loader."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from leastforce.manifest.jsonschema import SCHEMA_ID, manifest_json_schema, render
from support.paths import ROOT

COMMITTED = ROOT / "schema" / "manifest.schema.json"


def _validator() -> jsonschema.Draft7Validator:
    schema = json.loads(COMMITTED.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_committed_schema_equals_generated() -> None:
    assert COMMITTED.read_text() == render(), (
        "run: python -m leastforce.manifest.jsonschema > schema/manifest.schema.json"
    )


def test_module_prints_the_schema() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "leastforce.manifest.jsonschema"], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == manifest_json_schema()


def test_schema_is_draft07_with_id_and_local_definitions() -> None:
    schema = manifest_json_schema()
    assert list(schema)[:2] == ["$schema", "$id"]
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] == SCHEMA_ID
    assert "$defs" not in json.dumps(schema)
    assert {"PermissionAtom", "ObjectAtom", "AnyAtom", "UserDoc"} <= set(schema["definitions"])


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "examples").glob("*.yaml"), *(ROOT / "examples" / "vendors").glob("*.yaml")]),
    ids=lambda p: p.stem,
)
def test_examples_satisfy_the_committed_schema(path: Path) -> None:
    data = YAML(typ="safe").load(path.read_text())
    errors = [e.message for e in _validator().iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize(
    "patch",
    [
        {"colour": "blue"},
        {"manifest": 2},
        {"features": {"sync": {"summary": "s", "requires": [{"permission": "ApiEnabled"}]}}},
        {
            "features": {
                "sync": {
                    "summary": "s",
                    "requires": [{"object": "Account", "access": ["read"], "why": "w", "x": 1}],
                }
            }
        },
        {"user": {"api_only": "yes"}},
    ],
)
def test_schema_refuses_what_the_loader_refuses(patch: dict[str, object]) -> None:
    good = {
        "manifest": 1,
        "integration": "X",
        "summary": "s",
        "features": {"sync": {"summary": "s", "requires": [{"permission": "ApiEnabled", "why": "w"}]}},
    }
    assert list(_validator().iter_errors(good)) == []
    assert list(_validator().iter_errors({**good, **patch}))
