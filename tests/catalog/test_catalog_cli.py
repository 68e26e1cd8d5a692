"""`leastforce catalog show|list` through click's CliRunner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from leastforce.cli import group


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(group, ["catalog", *args])
    return result.exit_code, result.output


def test_show_by_label_case_insensitive() -> None:
    code, out = run("show", "manage", "flow")
    assert code == 0
    assert out.startswith("ManageInteraction  (Manage Flow)")
    assert "App Permissions > Flow and Flow Orchestration" in out
    assert "sources:" in out


def test_show_json_envelope() -> None:
    code, out = run("show", "ModifyAllData", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == 0 and data["warnings"] == []
    result = data["result"]
    assert result["kind"] == "permission"
    assert result["permission"]["risk"] == "critical"
    assert {"ViewAllData", "ViewSetup"} <= set(result["requires"])
    assert any(s["id"] == "kb-modify-all-data" for s in result["sources"])


def test_show_object_license_profile() -> None:
    assert "object permissions: no" in run("show", "User")[1]
    code, out = run("show", "SalesforceAPIIntegrationPsl")
    assert code == 0 and out.startswith("Salesforce API Integration")
    code, out = run("show", "Minimum Access - API Only Integrations")
    assert code == 0 and "API only" in out


def test_show_unknown_exits_2_with_suggestions() -> None:
    result = CliRunner().invoke(group, ["catalog", "show", "ManageFlw"])
    assert result.exit_code != 0
    assert "ManageInteraction" in str(result.exception)


def test_show_unknown_through_main_exit_code(capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from leastforce.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["catalog", "show", "ManageFlw"])
    assert exit_info.value.code == 2
    assert "did you mean ManageInteraction" in capsys.readouterr().err


def test_list_filters() -> None:
    code, out = run("list", "--risk", "critical")
    assert code == 0
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert "ModifyAllData" in names and "ApiEnabled" not in names
    code, out = run("list", "--section", "users")
    assert {line.split("\t")[0] for line in out.splitlines()} >= {"ManageSharing", "ViewAllUsers"}


def test_list_json() -> None:
    code, out = run("list", "--json", "--section", "App Permissions")
    data = json.loads(out)
    assert code == 0 and data["status"] == 0
    names = [p["name"] for p in data["result"]["permissions"]]
    assert {"ManageInteraction", "QueryAllFiles", "ManageCases"} <= set(names)
    assert "ApiEnabled" not in names  # a System Permission
    assert data["result"]["total"] == len(names)


def test_list_rejects_unknown_risk() -> None:
    code, _ = run("list", "--risk", "extreme")
    assert code == 2
