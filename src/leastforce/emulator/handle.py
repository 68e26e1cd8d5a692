"""Start and stop an emulated org in-process: for tests (`running_emulator`) and `leastforce emulator serve`.

    from leastforce.emulator.handle import running_emulator
    with running_emulator() as org:
        requests.get(org.instance_url + "/services/data", verify=org.ca_bundle)

The org's state lives in SQLite under `state_dir` (a temporary directory, removed afterwards, when none
is given); restarting on the same directory keeps every acknowledged write, the CA and the admin password.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from leastforce.emulator import statedir
from leastforce.emulator.faults import FaultInjector, FaultPlan
from leastforce.emulator.http import admin
from leastforce.emulator.http.server import EmulatorContext, EmulatorServer
from leastforce.emulator.http.tls import ensure_certificates
from leastforce.emulator.store.org_store import Caller, OrgStore
from leastforce.values.packages import PackageSpec

_ADMIN_FILE = "emulator-admin.json"


class EmulatorHandle:
    """A running emulated org: its URL, CA bundle, admin credentials and store."""

    def __init__(
        self,
        server: EmulatorServer,
        store: OrgStore,
        state_dir: Path,
        ca_bundle: Path,
        admin_username: str,
        admin_password: str,
        admin_token: str,
    ) -> None:
        self._server = server
        self._thread: threading.Thread | None = None
        self.store = store
        self.state_dir = state_dir
        self.ca_bundle = str(ca_bundle)
        self.instance_url = server.context.instance_url
        self.port = server.port
        self.admin_username = admin_username
        self.admin_password = admin_password  # the emulator's own demo admin: never a real credential
        self.admin_token = admin_token
        self.control_key = server.context.control_key

    @property
    def context(self) -> EmulatorContext:
        return self._server.context

    def request_count(self) -> int:
        """API calls counted against the daily limit so far (the store's counter)."""
        return int(self.store.requests_used)

    def set_faults(self, plan: FaultPlan | dict[str, Any] | None) -> None:
        """Replace the fault plan (a FaultPlan, its fields as a dict, or None for no faults)."""
        if isinstance(plan, dict):
            plan = FaultPlan.from_mapping(plan)
        self._server.context.faults.set_plan(plan)

    def stats(self) -> dict[str, object]:
        """What GET /_emulator/stats answers."""
        return admin.stats(self._server.context)

    def requests_log(self) -> list[str]:
        """Recent calls as "METHOD /path status" (oldest first)."""
        with self._server.context.lock:
            return list(self._server.context.log)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"leastforce-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def serve_forever(self) -> None:
        """Serve in the calling thread until `shutdown()` (from a signal handler's thread) returns it."""
        self._server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self._server.shutdown()

    def close(self) -> None:
        """Stop serving (if a thread serves), close the socket and the store."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()
        self.store.close()


def open_emulator(
    state_dir: Path,
    *,
    port: int = 0,
    faults: FaultPlan | None = None,
    install: tuple[PackageSpec, ...] = (),
) -> EmulatorHandle:
    """Open (or create) the org in state_dir and bind the HTTPS server; the caller starts and closes it.
    ``install``: managed packages installed first (values, e.g. a manifest's ``packages``)."""
    statedir.private_dir(state_dir)
    tls = ensure_certificates(state_dir)
    store = OrgStore.open(state_dir, seed=True)
    try:
        if install:
            store.install_packages(tuple(install))
        username, password = _admin_credentials(store, state_dir)
        context = EmulatorContext(
            store=store, faults=FaultInjector(faults), control_key=secrets.token_urlsafe(24)
        )
        server = EmulatorServer(context, tls, port)
        token = store.create_session(store.admin_user_id, app="leastforce emulator")
    except BaseException:
        store.close()
        raise
    return EmulatorHandle(server, store, state_dir, tls.ca_cert, username, password, token)


def _admin_credentials(store: OrgStore, state_dir: Path) -> tuple[str, str]:
    """The demo admin's username and password; the password is made once and kept (0600) in state_dir."""
    path = state_dir / _ADMIN_FILE
    if statedir.check_file(path):
        password = str(json.loads(statedir.read_file(path))["password"])
    else:
        password = "Emu-" + secrets.token_urlsafe(12)
        statedir.write_file(path, json.dumps({"password": password}).encode())
    store.set_password(store.admin_user_id, password)
    admin_user = store.get(
        "User", store.admin_user_id, ["Username"], caller=Caller(store.admin_user_id, system=True)
    )
    return str(admin_user["Username"]), password


@contextlib.contextmanager
def running_emulator(
    state_dir: Path | str | None = None,
    faults: FaultPlan | dict[str, Any] | None = None,
    *,
    port: int = 0,
    install: tuple[PackageSpec, ...] = (),
) -> Iterator[EmulatorHandle]:
    """An emulated org served on a free port (or `port`) in a background thread, for the `with` block;
    ``install``: managed packages installed before it serves."""
    plan = FaultPlan.from_mapping(faults) if isinstance(faults, dict) else faults
    with contextlib.ExitStack() as stack:
        if state_dir is None:
            state_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="leastforce-emulator-"))
        handle = open_emulator(Path(state_dir), port=port, faults=plan, install=install)
        stack.callback(handle.close)
        handle.start()
        yield handle
