"""The examples with a managed package, end to end on the local org: with the package installed (as
`emulator serve --install` does) apply and verify exit 0; without it plan lists the missing package with its
install link, apply writes nothing and verify fails with the same fix."""

from __future__ import annotations

import json
from typing import Any

import pytest

from leastforce.catalog import load_catalog
from leastforce.manifest import load_manifest
from support.cli import run_cli
from support.org_setup import Admin
from support.paths import ROOT
from support.plan import install_declared, org_state

USER = "integration@packages.example"
EXAMPLES = ("elements", "eventspark-flock")


def _path(example: str) -> str:
    return str(ROOT / "examples" / f"{example}.yaml")


def _packages(example: str) -> Any:
    return load_manifest(_path(example), load_catalog()).manifest.packages


@pytest.mark.parametrize("example", EXAMPLES)
def test_with_the_package_installed_apply_and_verify_pass(example: str, org_env: Any, capsys: Any) -> None:
    install_declared(org_env.store, load_manifest(_path(example), load_catalog()).manifest)
    code, _ = run_cli(["apply", _path(example), "--user", USER, "--yes"], capsys)
    assert code == 0
    code, out = run_cli(["verify", _path(example), "--user", USER, "--json"], capsys)
    assert code == 0, out
    prereqs = json.loads(out)["result"]["prerequisites"]
    assert any("installed" in json.dumps(p) for p in prereqs)
    again, _ = run_cli(["plan", _path(example), "--user", USER], capsys)
    assert again == 0


@pytest.mark.parametrize("example", EXAMPLES)
def test_without_the_package_plan_blocks_with_the_link_and_apply_writes_nothing(
    example: str, org_env: Any, capsys: Any
) -> None:
    before = org_state(org_env.store)
    _, out = run_cli(["plan", _path(example), "--user", USER, "--json"], capsys)
    blockers = [f for f in json.loads(out)["result"]["findings"] if f["kind"] == "blocker"]
    package = _packages(example)[0]
    assert any(package.name == f["subject"] and package.install_url in f["message"] for f in blockers)
    code, _ = run_cli(["apply", _path(example), "--user", USER, "--yes"], capsys)
    assert code != 0
    assert org_state(org_env.store) == before


def test_verify_fails_without_the_package_and_names_the_install(org_env: Any, capsys: Any) -> None:
    Admin.of(org_env).user(USER, "Minimum Access - Salesforce")
    code, out = run_cli(["verify", _path("elements"), "--user", USER, "--json"], capsys)
    assert code == 1
    prereqs = json.loads(out)["result"]["prerequisites"]
    missing = [p for p in prereqs if "elements" in json.dumps(p) and not p.get("passed")]
    assert missing and "Download AppExchange Packages" in json.dumps(missing)


def test_an_older_version_is_a_blocker(org_env: Any, capsys: Any) -> None:
    from dataclasses import replace

    (package,) = _packages("elements")
    org_env.store.install_packages((replace(package, min_version=(4, 9, 0)),))
    _, out = run_cli(["plan", _path("elements"), "--user", USER, "--json"], capsys)
    messages = [f["message"] for f in json.loads(out)["result"]["findings"] if f["kind"] == "blocker"]
    assert any("is version 4.9, below 5.0" in m for m in messages), messages
