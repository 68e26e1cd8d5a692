"""The manifest's JSON Schema (draft-07), generated from the pydantic models in ``schema``.

``python -m leastforce.manifest.jsonschema`` prints it; the committed copy is schema/manifest.schema.json
(a test keeps the two equal). Editors use it through the modeline
``# yaml-language-server: $schema=../schema/manifest.schema.json``. Draft-07 keeps definitions under
``definitions`` (pydantic writes the newer ``$defs``), so references are rewritten to match.
"""

from __future__ import annotations

import json
from typing import Any

from leastforce.manifest.schema import SCHEMA_ID, ManifestDoc

__all__ = ["SCHEMA_ID", "manifest_json_schema", "render"]


def manifest_json_schema() -> dict[str, Any]:
    """The JSON Schema of a manifest as a dict, ``$schema`` and ``$id`` first."""
    body = ManifestDoc.model_json_schema(ref_template="#/definitions/{model}", mode="validation")
    definitions = body.pop("$defs", {})
    head = {"$schema": body.pop("$schema"), "$id": body.pop("$id")}
    return {**head, **body, "definitions": definitions}


def render() -> str:
    """The schema as the committed file holds it (2-space indent, trailing newline)."""
    return json.dumps(manifest_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    print(render(), end="")


if __name__ == "__main__":
    main()
