"""`leastforce emulator`: run the local Salesforce emulator and drive it.

leastforce emulator serve [--port N] [--state DIR] [--faults JSON] [--install MANIFEST ...] [--json]
leastforce emulator faults --url URL --token KEY [--ca FILE] [--set JSON | --clear]
leastforce emulator stats  --url URL --token KEY [--ca FILE]
"""

from __future__ import annotations

import json
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any

import click

from leastforce.errors import InputError, OrgError
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.emulator import EmulatorOutput


@click.group(name="emulator")
def command() -> None:
    """A local Salesforce org over HTTPS (for tests, demos and trying leastforce without an org)."""


@command.command("serve")
@click.option(
    "--port", type=int, default=0, show_default=True, help="TCP port on 127.0.0.1 (0: any free port)."
)
@click.option(
    "--state",
    "state",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the org's SQLite state and CA (default: a temporary directory).",
)
@click.option("--faults", "faults", help='Fault plan as JSON, e.g. \'{"seed": 1, "error_rate": 0.1}\'.')
@click.option(
    "--install",
    "manifests",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Install the managed packages this manifest declares (packages:); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def serve(
    port: int, state: Path | None, faults: str | None, manifests: tuple[Path, ...], as_json: bool
) -> None:
    """Serve until SIGINT or SIGTERM; print the instance URL, CA bundle and an admin access token."""
    from leastforce.emulator.faults import FaultPlan
    from leastforce.emulator.handle import open_emulator
    from leastforce.emulator.statedir import StateFileError

    try:
        plan = FaultPlan.from_json(faults) if faults else None
    except (ValueError, TypeError) as exc:
        raise InputError(f"--faults: {exc}") from exc
    install, approved = _declared(manifests)
    with tempfile.TemporaryDirectory(prefix="leastforce-emulator-") as temp:
        state_dir = state or Path(temp)
        try:
            handle = open_emulator(state_dir, port=port, faults=plan, install=install)
        except StateFileError as exc:
            raise InputError(f"--state: {exc}") from exc
        except OSError as exc:
            raise OrgError(f"cannot start the emulator on 127.0.0.1:{port}: {exc}") from exc
        for app in approved:  # the guide's Edit Policies step, which no API can do (docs/emulator.md)
            handle.store.set_app_admin_approved(app, True)
        info = EmulatorOutput(
            instance_url=handle.instance_url,
            ca_bundle=handle.ca_bundle,
            access_token=handle.admin_token,
            username=handle.admin_username,
            password=handle.admin_password,
            control_key=handle.control_key,
            org_id=handle.store.org_id,
            state_dir=str(state_dir),
            note="username/password belong to the emulator's own demo admin, not to any real org",
            packages=[
                f"{p.name} ({p.namespace}) {p.version_text}" for p in handle.store.installed_packages()
            ],
        )
        _announce(info, as_json)
        _serve_until_signal(handle)


def _declared(manifests: tuple[Path, ...]) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The packages the manifests declare, as values (the emulator never reads a manifest itself), and the
    apps they provide that the manifests' ``app:`` wants "Admin approved users are pre-authorized"."""
    if not manifests:
        return (), ()
    from leastforce.catalog import load_catalog
    from leastforce.manifest import load_manifest
    from leastforce.values.apps import PermittedUsers

    catalog = load_catalog()
    found: dict[str, Any] = {}
    approved: list[str] = []
    for path in manifests:
        manifest = load_manifest(path, catalog).manifest
        for spec in manifest.packages:
            found.setdefault(spec.namespace.lower(), spec)
        app = manifest.app
        if app and app.permitted_users is PermittedUsers.ADMIN_APPROVED:
            approved.append(app.name)
    provided = {n for p in found.values() for n in (p.connected_app, p.external_client_app) if n}
    return tuple(found.values()), tuple(a for a in approved if a in provided)


def _announce(info: EmulatorOutput, as_json: bool) -> None:
    if as_json:
        write_json(success_envelope(info))
        return
    click.echo(f"leastforce emulator listening at {info.instance_url}")
    click.echo(f"  CA bundle:     {info.ca_bundle}")
    click.echo(f"  access token:  {info.access_token}")
    click.echo(f"  admin:         {info.username} / {info.password}  (the emulator's demo admin)")
    click.echo(f"  control key:   {info.control_key}  (for /_emulator/faults and /_emulator/stats)")
    click.echo(f"  state:         {info.state_dir}")
    for package in info.packages:
        click.echo(f"  installed:     {package}")
    click.echo("Press Ctrl+C to stop.", err=True)


def _serve_until_signal(handle: Any) -> None:
    """Serve in a thread; SIGINT/SIGTERM stop it and close the store (every acknowledged write is on disk)."""
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    handle.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        handle.close()
        for sig, old in previous.items():
            signal.signal(sig, old)


@command.command("faults")
@click.option("--url", required=True, help="The emulator's instance URL.")
@click.option("--token", required=True, help="The control key (or the admin access token).")
@click.option("--ca", type=click.Path(exists=True, dir_okay=False), help="The emulator's CA bundle (ca.pem).")
@click.option("--set", "plan", help="New fault plan as JSON (replaces the current one).")
@click.option("--clear", is_flag=True, help="Remove every fault.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def faults_command(
    url: str, token: str, ca: str | None, plan: str | None, clear: bool, as_json: bool
) -> None:
    """Show or change a running emulator's fault plan."""
    if plan and clear:
        raise InputError("use either --set or --clear")
    method = "DELETE" if clear else "POST" if plan else "GET"
    body = None
    if plan:
        try:
            body = json.loads(plan)
        except ValueError as exc:
            raise InputError(f"--set: not JSON: {exc}") from exc
    _print(_admin_call(url, token, ca, method, "/_emulator/faults", body), as_json)


@command.command("stats")
@click.option("--url", required=True, help="The emulator's instance URL.")
@click.option("--token", required=True, help="The control key (or the admin access token).")
@click.option("--ca", type=click.Path(exists=True, dir_okay=False), help="The emulator's CA bundle (ca.pem).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats_command(url: str, token: str, ca: str | None, as_json: bool) -> None:
    """Show a running emulator's counters (API requests, faults, calls)."""
    _print(_admin_call(url, token, ca, "GET", "/_emulator/stats", None), as_json)


def _admin_call(url: str, token: str, ca: str | None, method: str, path: str, body: Any) -> Any:
    import requests

    try:
        answer = requests.request(
            method,
            url.rstrip("/") + path,
            json=body,
            timeout=30,
            verify=ca or True,
            headers={"Authorization": f"Bearer {token}"},
        )
    except requests.RequestException as exc:
        raise OrgError(f"cannot reach the emulator at {url}: {exc}") from exc
    if answer.status_code >= 400:
        raise OrgError(f"the emulator refused: {answer.text}", status=answer.status_code)
    return answer.json()


def _print(result: Any, as_json: bool) -> None:
    if as_json:
        write_json(success_envelope(result))
    else:
        click.echo(json.dumps(result, indent=2))
