"""Secrets never leak: every command runs with known secret values in the environment (SF_ACCESS_TOKEN,
SF_CLIENT_SECRET, SF_PASSWORD, SF_JWT_KEY_FILE), through every credential flow and through failures (bad
token, wrong password, wrong client secret, wrong JWT key, unreachable org), and none of those values, nor
any session token the org issued, appears in stdout, stderr, log records (DEBUG, every logger), the files a
command writes (snapshot, SFDX project, guide, audit report) or the messages of the exceptions behind an
error (the whole __cause__/__context__ chain).

The command list comes from the CLI at test time: a new command must be added to INVOCATIONS (or EXEMPT,
with the reason), so this test grows with the CLI.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest

import leastforce.cli as cli
from leastforce.emulator.store.org_store import Caller
from leastforce.org.client import RetryPolicy
from support.keys import private_key_pem, rsa_key_and_cert
from support.paths import ROOT

MANIFEST = str(ROOT / "examples" / "upflow.yaml")
INTEGRATION_USER = "upflow-secrets@acme.example"
EXEMPT = {
    "emulator": "`emulator serve` prints the emulator's own demo admin token and password by design "
    "(docs/emulator.md); `emulator faults/stats` take its control key. None is a real org's secret.",
}


@dataclass
class World:
    """The org, the known secrets, the credential scenarios and where commands write."""

    org: Any
    out: Path
    secret_values: list[str]
    scenarios: dict[str, dict[str, str]]
    reported: list[BaseException] = field(default_factory=list)

    @property
    def admin(self) -> str:
        return str(self.org.admin_username)


Invocations = Callable[[World, str], list[list[str]]]
INVOCATIONS: dict[str, Invocations] = {
    "catalog": lambda w, org: [["catalog", "list"], ["catalog", "show", "ApiEnabled", "--json"]],
    "validate": lambda w, org: [["validate", MANIFEST, "--json"]],
    "build": lambda w, org: [["build", MANIFEST, "-o", str(w.out / "build")]],
    "guide": lambda w, org: [["guide", MANIFEST, "--format", "html", "-o", str(w.out / "guide.html")]],
    "snapshot": lambda w, org: [["snapshot", "--org", org, "-o", str(w.out / "snap.sqlite"), "--json"]],
    "verify": lambda w, org: [
        ["verify", MANIFEST, "--org", org, "--user", w.admin],
        ["verify", MANIFEST, "--org", org, "--user", w.admin, "--json"],
    ],
    "explain": lambda w, org: [["explain", "--org", org, "--user", w.admin, "ApiEnabled"]],
    "adopt": lambda w, org: [
        ["adopt", "--org", org, "--user", w.admin, "-o", str(w.out / "adopted.yaml"), "--force", "--json"]
    ],
    "plan": lambda w, org: [["plan", MANIFEST, "--org", org, "--user", INTEGRATION_USER, "--json"]],
    "apply": lambda w, org: [["apply", MANIFEST, "--org", org, "--user", INTEGRATION_USER, "--yes"]],
    "audit": lambda w, org: [["audit", "--org", org, "--html", str(w.out / "audit.html"), "--json"]],
    "observe": lambda w, org: [
        ["observe", "--org", org, "--user", w.admin, "--days", "1"],
        ["observe", "--org", org, "--user", w.admin, "--json"],
    ],
    "doctor": lambda w, org: [
        [
            "doctor",
            "--org",
            org,
            "--user",
            w.admin,
            "--error",
            "INVALID_SESSION_ID: Session expired or invalid",
        ]
    ],
}
OFFLINE = {"catalog", "validate", "build", "guide"}


def cli_commands() -> set[str]:
    return set(cli.group.list_commands(click.Context(cli.group)))


def test_every_command_is_checked_for_leaks() -> None:
    missing = cli_commands() - set(INVOCATIONS) - set(EXEMPT)
    assert missing == set(), f"add {sorted(missing)} to INVOCATIONS in {__file__}"


def _key_and_cert() -> tuple[str, str]:
    key, cert = rsa_key_and_cert("leastforce-secrets-test")
    return private_key_pem(key), cert


@pytest.fixture
def world(emulator: Any, tmp_path: Path) -> World:
    store = emulator.store
    admin = Caller(store.admin_user_id, system=True)
    client_secret = "CS" + secrets.token_hex(24).upper()
    key_pem, cert = _key_and_cert()
    other_key_pem, _ = _key_and_cert()
    app = store.add_connected_app(
        "Secrets App",
        consumer_secret=client_secret,
        certificate=cert,
        run_as_user_id=store.admin_user_id,
        admin_preauthorized=False,
    )
    ps = store.create("PermissionSet", {"Name": "Secrets_App_Access", "Label": "Secrets App"}, caller=admin)
    store.create("SetupEntityAccess", {"ParentId": ps, "SetupEntityId": app["Id"]}, caller=admin)
    store.create(
        "PermissionSetAssignment", {"AssigneeId": store.admin_user_id, "PermissionSetId": ps}, caller=admin
    )
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "server.key").write_text(key_pem)
    (keys / "other.key").write_text(other_key_pem)
    bad_token = f"{store.org_id[:15]}!BAD{secrets.token_urlsafe(40)}"
    wrong_password = "WrongPw-" + secrets.token_urlsafe(12)
    wrong_secret = "CS" + secrets.token_hex(24).upper()
    values = [
        emulator.admin_token,
        bad_token,
        client_secret,
        wrong_secret,
        emulator.admin_password,
        wrong_password,
    ]
    values += [
        line for pem in (key_pem, other_key_pem) for line in pem.splitlines() if "PRIVATE KEY" not in line
    ]
    everything = {  # every secret present in the environment, whatever the flow
        "SF_CA_BUNDLE": emulator.ca_bundle,
        "SF_CLIENT_SECRET": client_secret,
        "SF_PASSWORD": emulator.admin_password,
        "SF_JWT_KEY_FILE": str(keys / "server.key"),
        "SF_ACCESS_TOKEN": emulator.admin_token,
    }
    base = {"SF_CA_BUNDLE": emulator.ca_bundle}
    app_id = {"SF_CLIENT_ID": app["consumer_key"]}
    scenarios = {
        "token": everything,
        "jwt": base
        | app_id
        | {
            "SF_USERNAME": emulator.admin_username,
            "SF_JWT_KEY_FILE": str(keys / "server.key"),
            "SF_CLIENT_SECRET": client_secret,
            "SF_PASSWORD": emulator.admin_password,
        },
        "client-credentials": base
        | app_id
        | {"SF_CLIENT_SECRET": client_secret, "SF_PASSWORD": wrong_password},
        "password": base
        | app_id
        | {
            "SF_CLIENT_SECRET": client_secret,
            "SF_USERNAME": emulator.admin_username,
            "SF_PASSWORD": emulator.admin_password,
        },
        "bad-token": everything | {"SF_ACCESS_TOKEN": bad_token},
        "wrong-password": base
        | app_id
        | {
            "SF_CLIENT_SECRET": client_secret,
            "SF_USERNAME": emulator.admin_username,
            "SF_PASSWORD": wrong_password,
        },
        "wrong-client-secret": base | app_id | {"SF_CLIENT_SECRET": wrong_secret},
        "wrong-jwt-key": base
        | app_id
        | {"SF_USERNAME": emulator.admin_username, "SF_JWT_KEY_FILE": str(keys / "other.key")},
        "unreachable": everything,
    }
    out = tmp_path / "out"
    out.mkdir()
    return World(emulator, out, values, scenarios)


ENV_NAMES = (
    "SF_ACCESS_TOKEN",
    "SF_CLIENT_ID",
    "SF_CLIENT_SECRET",
    "SF_USERNAME",
    "SF_PASSWORD",
    "SF_SECURITY_TOKEN",
    "SF_JWT_KEY_FILE",
    "SF_CA_BUNDLE",
    "LEASTFORCE_ORG",
    "LEASTFORCE_DEBUG",
)


@pytest.fixture
def recorded(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Keep every exception the CLI reports, to search its whole chain."""
    original = cli._report

    def keep(exc: BaseException, *args: Any) -> None:
        world.reported.append(exc)
        original(exc, *args)

    monkeypatch.setattr(cli, "_report", keep)
    yield world


def chain_text(exc: BaseException | None) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts += [str(exc), repr(exc), repr(getattr(exc, "args", ()))]
        exc = exc.__cause__ or exc.__context__
    return "\n".join(parts)


def issued_tokens(org: Any) -> list[str]:
    """Every session token the emulator ever issued (logins during the test included)."""
    with sqlite3.connect(Path(org.state_dir) / "org.sqlite") as db:
        return [row[0] for row in db.execute("SELECT token FROM _session")]


def secret_part(value: str) -> str:
    """A session id's secret is after the "!" (before it: the public org Id)."""
    return value.split("!", 1)[1] if "!" in value else value


def run_all(
    world: World,
    scenario: str,
    names: set[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> tuple[str, list[int]]:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in world.scenarios[scenario].items():
        monkeypatch.setenv(name, value)
    org = "https://127.0.0.1:1" if scenario == "unreachable" else world.org.instance_url
    texts: list[str] = []
    codes: list[int] = []
    with caplog.at_level(logging.DEBUG):
        for command in sorted(names):
            for args in INVOCATIONS[command](world, org):
                with pytest.raises(SystemExit) as done:
                    cli.main(args)
                captured = capsys.readouterr()
                texts += [captured.out, captured.err]
                codes.append(int(done.value.code or 0))
                assert "Traceback" not in captured.out + captured.err, (args, captured.err)
    texts.append(caplog.text)
    texts += [chain_text(exc) for exc in world.reported]
    for path in world.out.rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts), codes


def assert_no_secret(world: World, text: str) -> None:
    values = [secret_part(v) for v in world.secret_values + issued_tokens(world.org)]
    leaked = [v[:12] + "..." for v in values if len(v) >= 8 and v in text]
    assert leaked == [], f"secrets found in output: {leaked}"


@pytest.mark.parametrize("scenario", ["token", "bad-token", "wrong-password", "unreachable"])
def test_no_command_leaks_a_secret(
    scenario: str,
    recorded: World,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    names = set(INVOCATIONS) & cli_commands()
    if scenario != "token":
        names -= OFFLINE  # offline commands read no credentials; once (with all secrets set) is enough
    if scenario == "unreachable":
        # the same 4 attempts, without the backoff between them (1.4 s per command)
        monkeypatch.setattr(RetryPolicy.__init__, "__defaults__", (4, 0.0, 0.0, 60.0))
    text, codes = run_all(recorded, scenario, names, monkeypatch, capsys, caplog)
    if scenario == "token":
        assert 0 in codes
    else:
        assert set(codes) <= {1, 2, 3} and 3 in codes, codes  # org errors, never a crash
    assert_no_secret(recorded, text)


@pytest.mark.parametrize(
    "scenario", ["jwt", "client-credentials", "password", "wrong-client-secret", "wrong-jwt-key"]
)
def test_credential_flows_leak_nothing(
    scenario: str,
    recorded: World,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    text, codes = run_all(recorded, scenario, {"verify", "snapshot"}, monkeypatch, capsys, caplog)
    expected = {0, 1} if not scenario.startswith("wrong") else {3}
    assert set(codes) <= expected, codes
    assert_no_secret(recorded, text)


def test_snapshot_and_emulator_state_files_are_private(
    recorded: World,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    run_all(recorded, "token", {"snapshot"}, monkeypatch, capsys, caplog)
    assert (recorded.out / "snap.sqlite").stat().st_mode & 0o777 == 0o600
    state = Path(recorded.org.state_dir)
    modes = {p.name: p.stat().st_mode & 0o777 for p in state.iterdir() if p.is_file()}
    public = {"ca.pem", "server.pem"}  # certificates are public by nature
    assert {"org.sqlite", "emulator-admin.json", "server.key", "ca.key"} <= set(modes)
    assert {name: mode for name, mode in modes.items() if name not in public and mode != 0o600} == {}


def test_emulator_state_is_private_from_the_first_write(tmp_path: Path) -> None:
    """Created 0600 (not chmod-ed later): even a permissive umask leaves no readable window."""
    import os

    from leastforce.emulator.handle import running_emulator

    old = os.umask(0)
    try:
        with running_emulator(state_dir=tmp_path / "state") as org:
            org.store.create("Account", {"Name": "x"}, caller=Caller(org.store.admin_user_id))
            modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "state").iterdir()}
    finally:
        os.umask(old)
    assert {n: m for n, m in modes.items() if not n.endswith(".pem") and m != 0o600} == {}


def test_the_leak_check_finds_a_leak(world: World) -> None:
    for value in (
        world.secret_values[2],
        "x" + secret_part(world.org.admin_token) + "y",
        world.secret_values[-1],
    ):
        with pytest.raises(AssertionError, match="secrets found"):
            assert_no_secret(world, f"some output {value} more")


@pytest.mark.parametrize("as_json", [False, True])
def test_an_org_echoing_a_credential_is_redacted(
    as_json: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defence in depth (cli.redact): even if a server's error text carries the token or password back."""
    from leastforce.errors import AuthError

    token, password = "00DLf0000000001!" + secrets.token_urlsafe(30), "Pw-" + secrets.token_urlsafe(10)
    monkeypatch.setenv("SF_ACCESS_TOKEN", token)
    monkeypatch.setenv("SF_PASSWORD", password)
    exc = AuthError(f"bad session {token} for password {password}", hint=f"token ...{token[16:]}")
    with pytest.raises(SystemExit) as done:
        cli._report(exc, "AuthError", str(exc), 3, as_json)
    out = capsys.readouterr()
    assert done.value.code == 3
    assert token[16:] not in out.out + out.err and password not in out.out + out.err
    assert "[REDACTED]" in out.out + out.err
