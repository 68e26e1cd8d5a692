"""The --json contract: every command's output validates against its schema in schema/results/, every key
is camelCase (like the Salesforce CLI's), errors use sf's error envelope, and the schema files are the ones
the result models generate today (``make schema``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from leastforce.render.json.base import DATA_KEYED_FIELDS
from leastforce.render.json.schemas import RESULTS, result_schemas, schema_text
from support.cli import run_cli
from support.paths import ROOT
from support.plan import EXAMPLES, USERNAME

SCHEMAS = ROOT / "schema" / "results"
CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
UPFLOW = str(EXAMPLES / "upflow.yaml")
#: Every schema a test below checks an output against (the last test compares it with RESULTS).
CHECKED = {
    *("validate", "build", "guide", "catalog-show", "catalog-list", "doctor", "emulator-serve"),
    *("plan", "apply", "verify", "explain", "explain-escalation", "audit", "snapshot", "observe"),
    "adopt",
}


def non_camel_keys(value: Any, path: str = "$") -> list[str]:
    """Paths of keys that are not camelCase; objects under DATA_KEYED_FIELDS (Salesforce field names)
    are data, so only their own key is checked, not the keys inside."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not CAMEL.match(key):
                found.append(f"{path}.{key}")
            if key in DATA_KEYED_FIELDS and isinstance(item, dict):
                continue
            found += non_camel_keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += non_camel_keys(item, f"{path}[{i}]")
    return found


def check(schema_name: str, envelope: Any) -> Any:
    """Validate against schema/results/<name>.schema.json and check the keys; returns the result."""
    schema = json.loads((SCHEMAS / f"{schema_name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(envelope)
    assert non_camel_keys(envelope) == []
    return envelope.get("result")


def run_json(capsys: Any, *args: str) -> tuple[int, Any]:
    code, out = run_cli([*args, "--json"], capsys)
    return code, json.loads(out)


def test_key_check_and_schemas_can_fail() -> None:
    assert non_camel_keys({"ok": [{"api_calls": 1}], "values": {"Permissions_X": 1}}) == ["$.ok[0].api_calls"]
    with pytest.raises(jsonschema.ValidationError):
        check("snapshot", {"status": 0, "result": {"file": "x"}, "warnings": []})


def test_schema_files_are_up_to_date() -> None:
    """A changed result model needs `make schema`; nothing stale is left in schema/results."""
    expected = {f"{name}.schema.json": schema_text(schema) for name, schema in result_schemas().items()}
    actual = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.schema.json")}
    assert actual == expected, "schema/results is stale: run `make schema`"
    for name, schema in result_schemas().items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"].endswith(f"/{name}.schema.json")


def test_schema_writer_takes_no_option_as_a_directory(tmp_path: Path, monkeypatch: Any) -> None:
    """`--help` once became a committed directory of schemas: options print usage and write nothing."""
    from leastforce.render.json import schemas

    monkeypatch.chdir(tmp_path)
    assert schemas.main(["--help"]) == 0 and schemas.main(["-x"]) == 2 and schemas.main(["a", "b"]) == 2
    assert list(tmp_path.iterdir()) == []
    assert schemas.main([]) == 0 and (tmp_path / "schema" / "results" / "audit.schema.json").is_file()


def test_offline_commands(capsys: Any, tmp_path: Path) -> None:
    code, body = run_json(capsys, "validate", *map(str, sorted(EXAMPLES.glob("*.yaml"))))
    assert code == 0 and check("validate", body)["valid"] is True
    code, body = run_json(capsys, "validate", str(EXAMPLES / "broken" / "upflow-typos.yaml"))
    assert code == 2 and check("validate", body)["problems"]

    code, body = run_json(capsys, "build", UPFLOW, "-o", str(tmp_path / "out"), "--with-optional")
    assert code == 0 and check("build", body)["permissionSets"]
    code, body = run_json(capsys, "guide", UPFLOW)
    assert code == 0 and check("guide", body)["guide"]
    code, body = run_json(capsys, "guide", UPFLOW, "-o", str(tmp_path / "guide.md"))
    assert code == 0 and check("guide", body)["guide"] is None

    for name, kind in (
        ("ApiEnabled", "permission"),
        ("Account", "object"),
        ("Salesforce Integration", "license"),
        ("Minimum Access - Salesforce", "profile"),
    ):
        code, body = run_json(capsys, "catalog", "show", name)
        assert code == 0 and check("catalog-show", body)["kind"] == kind and kind in body["result"]
    code, body = run_json(capsys, "catalog", "list", "--risk", "critical")
    assert code == 0 and check("catalog-list", body)["total"] > 0

    code, body = run_json(capsys, "doctor", "--error", "INVALID_SESSION_ID", "--manifest", UPFLOW)
    assert code == 1 and check("doctor", body)["diagnoses"]


def test_error_envelopes(capsys: Any, org_env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    code, body = run_json(capsys, "catalog", "show", "NoSuchThing")
    assert code == 2 and body["name"] == "InputError" and "data" not in body
    check("error", body)
    code, body = run_json(capsys, "verify")
    assert code == 2 and body["name"] == "UsageError"
    check("error", body)
    monkeypatch.setenv("SF_ACCESS_TOKEN", "00Dbad!token")
    code, body = run_json(capsys, "verify", UPFLOW, "--user", USERNAME)
    assert code == 3 and body["data"] == "INVALID_SESSION_ID"
    check("error", body)


def test_org_commands(capsys: Any, org_env: Any, tmp_path: Path) -> None:
    before = tmp_path / "before.sqlite"
    code, body = run_json(capsys, "snapshot", "-o", str(before))
    assert code == 0 and check("snapshot", body)["apiCalls"] > 0

    user = ("--user", USERNAME)
    code, body = run_json(capsys, "plan", UPFLOW, *user)
    assert code == 0 and check("plan", body)["changes"]
    code, body = run_json(capsys, "apply", UPFLOW, *user, "--yes")
    result = check("apply", body)
    assert code == 0 and result["applied"] and result["inSyncAfter"] and result["verify"]["passed"]

    code, body = run_json(capsys, "verify", UPFLOW, *user)
    result = check("verify", body)
    assert code == 0 and result["userChecks"] and result["features"][0]["requirements"][0]["satisfiedBy"]
    code, body = run_json(capsys, "adopt", *user, "-o", str(tmp_path / "adopted.yaml"))
    assert code == 0 and check("adopt", body)["features"] and check("adopt", body)["risky"]
    code, body = run_json(capsys, "explain", "ApiEnabled", *user)
    assert code == 0 and check("explain", body)["paths"]
    code, body = run_json(capsys, "explain", "ModifyAllData", *user)
    assert code == 1 and check("explain", body)["suggestion"]
    code, body = run_json(capsys, "explain", "--escalation", *user)
    assert code in (0, 1) and check("explain-escalation", body)["username"] == USERNAME

    code, body = run_json(capsys, "audit", "--since", str(before), "--html", str(tmp_path / "a.html"))
    result = check("audit", body)
    assert code == 0 and result["users"] and result["drift"] and result["orgWide"]
    code, body = run_json(capsys, "doctor", *user, "--manifest", UPFLOW)
    assert check("doctor", body)["orgChecked"] is True

    requests.post(  # close the period: the calls above become Event Monitoring log files
        f"{org_env.instance_url}/_emulator/eventlogs",
        headers={"Authorization": f"Bearer {org_env.control_key}"},
        verify=org_env.ca_bundle,
        timeout=30,
    ).raise_for_status()
    code, body = run_json(capsys, "observe", *user, "--manifest", UPFLOW)
    assert code == 0 and check("observe", body)["rights"]


def test_emulator_serve(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "leastforce", "emulator", "serve", "--state", str(tmp_path), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        text = ""
        while True:
            line = proc.stdout.readline()
            assert line, "serve exited early"
            text += line
            try:
                body = json.loads(text)
                break
            except ValueError:
                continue
        assert check("emulator-serve", body)["instanceUrl"].startswith("https://")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_every_result_schema_is_exercised() -> None:
    assert set(RESULTS) == CHECKED
