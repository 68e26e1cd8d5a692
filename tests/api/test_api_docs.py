"""The public API: importable as documented, its connect-time example (docs/api.md) run against the local
org, and each result's to_json() equal to the CLI's --json result."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from support.cli import run_cli
from support.paths import DOCS, ROOT

USER = "upflow-integration@acme.example"
UPFLOW = str(ROOT / "examples" / "upflow.yaml")


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / "api.md").read_text(), flags=re.S)


def test_the_documented_names_import_from_the_package_in_a_fresh_process() -> None:
    code = "from leastforce import connect, load_manifest, verify, plan, explain, audit; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_importing_leastforce_loads_nothing_else() -> None:
    code = "import sys, leastforce; print(sorted(m for m in sys.modules if m.startswith('leastforce')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['leastforce']"


@pytest.fixture
def upflow_applied(org_env: Any, capsys: Any) -> Any:
    """The local org with Upflow applied (not its optional export feature)."""
    code, _ = run_cli(["apply", UPFLOW, "--user", USER, "--yes"], capsys)
    assert code == 0
    return org_env


def test_the_connect_time_check_of_the_docs_runs_and_names_the_fix(
    upflow_applied: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CUSTOMER_INSTANCE_URL", upflow_applied.instance_url)
    monkeypatch.setenv("CUSTOMER_ACCESS_TOKEN", upflow_applied.admin_token)
    monkeypatch.setenv("CUSTOMER_CA_BUNDLE", upflow_applied.ca_bundle)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(_blocks()[0], {"__name__": "docs_api_example"})
    documented = re.search(r"it prints:\n\n```\n(.*?)```", (DOCS / "api.md").read_text(), flags=re.S)
    assert documented is not None
    assert out.getvalue() == documented.group(1)


def test_to_json_is_the_cli_json_result(upflow_applied: Any, capsys: Any) -> None:
    from leastforce import connect, explain, load_manifest, plan, verify

    org = connect(
        upflow_applied.instance_url, access_token=upflow_applied.admin_token, ca_bundle=upflow_applied.ca_bundle
    )
    manifest = load_manifest(UPFLOW)
    checks = [
        (verify(manifest, org, user=USER).to_json(), ["verify", UPFLOW, "--user", USER]),
        (explain(org, "Account:read", user=USER).to_json(), ["explain", "Account:read", "--user", USER]),
        (plan(manifest, org, user=USER).to_json(), ["plan", UPFLOW, "--user", USER]),
    ]
    for from_api, args in checks:
        _, out = run_cli([*args, "--json"], capsys)
        assert from_api == json.loads(out)["result"], args


def test_verify_result_is_frozen_and_reports_the_export_gap(upflow_applied: Any) -> None:
    from dataclasses import FrozenInstanceError

    from leastforce import connect, load_manifest, verify

    org = connect(
        upflow_applied.instance_url, access_token=upflow_applied.admin_token, ca_bundle=upflow_applied.ca_bundle
    )
    result = verify(load_manifest(UPFLOW), org, user=USER, features=["export"])
    assert not result.passed and [f.name for f in result.features] == ["sync", "connect", "export"]
    with pytest.raises(FrozenInstanceError):
        result.api_calls = 0  # type: ignore[misc]


def test_connect_refuses_plain_http() -> None:
    from leastforce import connect
    from leastforce.errors import InputError

    with pytest.raises(InputError, match="https"):
        connect("http://acme.my.salesforce.com", access_token="00D!x")
