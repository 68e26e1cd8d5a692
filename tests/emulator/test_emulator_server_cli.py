"""`leastforce emulator serve` as a process: prints one JSON object, serves until SIGTERM, keeps state."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from leastforce.emulator.store.org_store import Caller
from support.serve import start_serve


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def _session(info: dict[str, Any]) -> requests.Session:
    session = requests.Session()
    session.verify = info["caBundle"]
    session.trust_env = False
    session.headers["Authorization"] = f"Bearer {info['accessToken']}"
    return session


def test_serve_prints_json_and_restart_keeps_state(tmp_path: Path) -> None:
    state = tmp_path / "org"
    proc, info = start_serve(state, "--faults", '{"seed": 3}')
    try:
        assert info["instanceUrl"].startswith("https://127.0.0.1:")
        assert Path(info["caBundle"]) == state / "ca.pem"
        assert "demo admin" in info["note"]
        assert (state / "server.key").stat().st_mode & 0o777 == 0o600
        created = _session(info).post(
            info["instanceUrl"] + "/services/data/v64.0/sobjects/Account", json={"Name": "Survivor"}
        )
        assert created.status_code == 201
        faults = _session(info).get(info["instanceUrl"] + "/_emulator/faults").json()
        assert faults["seed"] == 3
    finally:
        _stop(proc)
    proc, again = start_serve(state)
    try:
        assert again["password"] == info["password"]
        assert again["caBundle"] == info["caBundle"]
        found = (
            _session(again)
            .get(
                again["instanceUrl"] + "/services/data/v64.0/query",
                params={"q": "SELECT Id FROM Account WHERE Name = 'Survivor'"},
            )
            .json()
        )
        assert found["totalSize"] == 1 and found["records"][0]["Id"] == created.json()["id"]
        old_token = _session(info).get(again["instanceUrl"] + "/services/data/v64.0/limits")
        assert old_token.status_code == 200  # sessions are org state too, as on Salesforce
    finally:
        _stop(proc)


def test_admin_password_logs_in_with_the_cli_app(emulator: Any, https: requests.Session) -> None:
    """The printed demo password works with the seeded CLI connected app (password flow)."""
    app = emulator.store.connected_app("PlatformCLI")
    assert app is not None
    answer = https.post(
        emulator.instance_url + "/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": "PlatformCLI",
            "client_secret": app["consumer_secret"] or "",
            "username": emulator.admin_username,
            "password": emulator.admin_password,
        },
    )
    assert answer.status_code == 200, answer.text
    who = emulator.store.session_user(answer.json()["access_token"])
    assert who == emulator.store.admin_user_id
    history = emulator.store.query("SELECT Status FROM LoginHistory", caller=Caller(who, system=True))
    assert any(r["Status"] == "Success" for r in history.records)


def test_faults_and_stats_commands(emulator: Any) -> None:
    from click.testing import CliRunner

    from leastforce.commands.emulator import command

    target = ["--url", emulator.instance_url, "--token", emulator.control_key, "--ca", emulator.ca_bundle]
    runner = CliRunner()
    set_result = runner.invoke(
        command, ["faults", *target, "--set", '{"seed": 9, "latency_ms": 1}', "--json"]
    )
    assert set_result.exit_code == 0, set_result.output
    assert json.loads(set_result.output)["result"]["seed"] == 9
    assert emulator.context.faults.plan.latency_ms == 1
    stats = runner.invoke(command, ["stats", *target, "--json"])
    assert json.loads(stats.output)["result"]["faults"]["plan"]["seed"] == 9
    cleared = runner.invoke(command, ["faults", *target, "--clear"])
    assert cleared.exit_code == 0 and emulator.context.faults.plan.seed == 0
    refused = runner.invoke(
        command, ["faults", "--url", emulator.instance_url, "--token", "nope", "--ca", emulator.ca_bundle]
    )
    assert refused.exit_code != 0


def test_serve_install_hosts_the_manifests_packages(tmp_path: Path) -> None:
    from support.paths import ROOT

    examples = ROOT / "examples"
    proc, info = start_serve(
        tmp_path / "org",
        "--install",
        str(examples / "elements.yaml"),
        "--install",
        str(examples / "upflow.yaml"),
    )
    try:
        assert info["packages"] == ["Elements (elements) 5.0"]
        answer = _session(info).get(
            info["instanceUrl"] + "/services/data/v64.0/tooling/query",
            params={"q": "SELECT SubscriberPackage.NamespacePrefix FROM InstalledSubscriberPackage"},
        )
        assert [r["SubscriberPackage"]["NamespacePrefix"] for r in answer.json()["records"]] == ["elements"]
    finally:
        _stop(proc)


def test_serve_install_refuses_a_bad_manifest(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "manifest: 1\nintegration: X\nsummary: s\npackages:\n  - {name: X, namespace: x, min_version: 'v5'}\n"
        "features:\n  f: {summary: s, requires: [{permission: ApiEnabled, why: w}]}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "leastforce", "emulator", "serve", "--install", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"{bad}:5:" in done.stderr
