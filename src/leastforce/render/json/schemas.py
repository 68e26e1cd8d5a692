"""The JSON Schema of every command's ``--json`` envelope, generated from the result models.

``python -m leastforce.render.json.schemas DIR`` writes ``DIR/<command>.schema.json`` (``make schema``);
tests/render/test_json_contract.py checks the files are up to date and that every output validates.
Draft 2020-12 (pydantic's default): https://json-schema.org/draft/2020-12/schema
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import create_model

from leastforce.render.json import ErrorOutput
from leastforce.render.json.adopt import AdoptOutput
from leastforce.render.json.audit import AuditOutput
from leastforce.render.json.base import JsonModel
from leastforce.render.json.catalog import CatalogListOutput, CatalogShowOutput
from leastforce.render.json.doctor import DoctorOutput
from leastforce.render.json.emulator import EmulatorOutput
from leastforce.render.json.escalation import EscalationReportOutput
from leastforce.render.json.explain import ExplainOutput
from leastforce.render.json.manifest import BuildOutput, GuideOutput, ValidateOutput
from leastforce.render.json.observe import ObserveOutput
from leastforce.render.json.plan import ApplyOutput, PlanOutput
from leastforce.render.json.snapshot import SnapshotOutput
from leastforce.render.json.verify import VerifyOutput

ID_BASE = "https://leastforce.dev/schema/results/"

#: Command (as typed, spaces as dashes) -> the model of its envelope's ``result``.
RESULTS: dict[str, type[JsonModel]] = {
    "validate": ValidateOutput,
    "build": BuildOutput,
    "guide": GuideOutput,
    "plan": PlanOutput,
    "apply": ApplyOutput,
    "verify": VerifyOutput,
    "explain": ExplainOutput,
    "explain-escalation": EscalationReportOutput,
    "audit": AuditOutput,
    "adopt": AdoptOutput,
    "doctor": DoctorOutput,
    "observe": ObserveOutput,
    "snapshot": SnapshotOutput,
    "catalog-show": CatalogShowOutput,
    "catalog-list": CatalogListOutput,
    "emulator-serve": EmulatorOutput,
}


def _envelope(command: str, model: type[JsonModel]) -> type[JsonModel]:
    """sf's success envelope around the result: status (the exit code), result, warnings."""
    name = "".join(part.capitalize() for part in command.split("-")) + "Envelope"
    return create_model(
        name,
        __base__=JsonModel,
        __doc__=f"`leastforce {command.replace('-', ' ')} --json`: the sf CLI's envelope.",
        status=(int, ...),
        result=(model, ...),
        warnings=(tuple[str, ...], ...),
    )


def _with_id(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{ID_BASE}{name}.schema.json",
        **schema,
    }


def result_schemas() -> dict[str, dict[str, Any]]:
    """File stem -> schema: one per command, and ``error`` for every command's error envelope."""
    out = {
        command: _with_id(_envelope(command, model).model_json_schema(by_alias=True), command)
        for command, model in RESULTS.items()
    }
    out["error"] = _with_id(ErrorOutput.model_json_schema(by_alias=True), "error")
    return out


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory`` (removing none); the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in result_schemas().items():
        path = directory / f"{name}.schema.json"
        path.write_text(schema_text(schema), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Write the schemas into ``argv[0]`` (default schema/results); usage on ``-h``/``--help``."""
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: python -m leastforce.render.json.schemas [DIRECTORY]", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    for written_path in write_schemas(Path(argv[0] if argv else "schema/results")):
        print(written_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
