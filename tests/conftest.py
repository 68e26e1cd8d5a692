"""Shared fixtures. `emulator`: a running emulated org (fresh state per test, cheap: the seeded state is
built once per session and copied); `sf_client`: a simple-salesforce client on it as the admin."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from support.cli import run_cli


@pytest.fixture(scope="session")
def _emulator_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded org state directory (SQLite + CA), built once per test session."""
    from leastforce.emulator.http.tls import ensure_certificates
    from leastforce.emulator.store.org_store import OrgStore

    state = tmp_path_factory.mktemp("emulator-template")
    ensure_certificates(state)
    OrgStore.open(state, seed=True).close()
    return state


@pytest.fixture
def emulator(_emulator_template: Path, tmp_path: Path) -> Iterator[Any]:
    """A running emulator with its own copy of the seeded org (yields the EmulatorHandle)."""
    from leastforce.emulator.handle import running_emulator

    state = tmp_path / "emulator-state"
    shutil.copytree(_emulator_template, state)
    with running_emulator(state_dir=state) as org:
        yield org


@pytest.fixture
def https(emulator: Any) -> Iterator[requests.Session]:
    """A requests.Session that trusts the emulator's CA."""
    with requests.Session() as session:
        session.verify = emulator.ca_bundle
        # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment would override session.verify.
        session.trust_env = False
        yield session


@pytest.fixture
def sf_client_factory(emulator: Any, https: requests.Session) -> Callable[..., Any]:
    """Build a simple-salesforce client for a token (default: the admin's)."""
    from simple_salesforce import Salesforce

    def make(token: str | None = None, version: str = "64.0") -> Any:
        return Salesforce(
            instance_url=emulator.instance_url,
            session_id=token or emulator.admin_token,
            session=https,
            version=version,
        )

    return make


@pytest.fixture
def sf_client(sf_client_factory: Callable[..., Any]) -> Any:
    return sf_client_factory()


@pytest.fixture
def org_env(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The environment a user sets to point leastforce at the emulator: token, CA bundle, LEASTFORCE_ORG."""
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    monkeypatch.setenv("LEASTFORCE_ORG", emulator.instance_url)
    return emulator


@pytest.fixture
def cli_json(org_env: Any, capsys: Any) -> Callable[..., tuple[int, Any]]:
    """``cli_json("verify", ...)`` runs a command on the emulator with --json: (exit code, envelope)."""
    import json

    def invoke(*args: str) -> tuple[int, Any]:
        code, out = run_cli([*args, "--json"], capsys)
        return code, json.loads(out)

    return invoke
