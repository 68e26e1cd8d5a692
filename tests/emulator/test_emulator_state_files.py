"""The emulator's state directory: 0700 and files 0600 whatever the umask, no file followed through a
symbolic link, and a CA that may certify localhost and 127.0.0.1 only."""

from __future__ import annotations

import ipaddress
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from leastforce.emulator.handle import running_emulator
from leastforce.emulator.http.tls import ensure_certificates
from leastforce.emulator.statedir import StateFileError
from leastforce.emulator.store.org_store import Caller


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_state_is_0700_and_every_file_0600_under_umask_0(tmp_path: Path, umask_zero: None) -> None:
    state = tmp_path / "state"
    with running_emulator(state_dir=state) as org:
        org.store.create("Account", {"Name": "x"}, caller=Caller(org.store.admin_user_id))
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in state.iterdir()}
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert {"ca.pem", "server.pem", "ca.key", "server.key", "org.sqlite"} <= set(modes)
    assert {name: oct(mode) for name, mode in modes.items() if mode != 0o600} == {}


def test_a_lax_existing_state_is_tightened(tmp_path: Path) -> None:
    state = tmp_path / "state"
    ensure_certificates(state)
    os.chmod(state, 0o777)
    os.chmod(state / "ca.pem", 0o666)
    os.chmod(state / "server.key", 0o644)
    ensure_certificates(state)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "ca.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((state / "server.key").stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["server.key", "ca.key", "server.pem", "org.sqlite", "emulator-admin.json"])
def test_a_symlinked_state_file_is_refused(tmp_path: Path, name: str) -> None:
    state = tmp_path / "state"
    with running_emulator(state_dir=state):
        pass
    target = tmp_path / "elsewhere"
    target.write_bytes((state / name).read_bytes())
    (state / name).unlink()
    (state / name).symlink_to(target)
    with pytest.raises(StateFileError, match="symbolic link"), running_emulator(state_dir=state):
        pass


def test_a_symlinked_key_is_never_written_through(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (state / "server.key").symlink_to(victim)
    with pytest.raises(StateFileError):
        ensure_certificates(state)
    assert victim.read_text() == "precious"


def test_serve_refuses_a_symlinked_key_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from leastforce.cli import main

    state = tmp_path / "state"
    ensure_certificates(state)
    (state / "server.key").unlink()
    (state / "server.key").symlink_to(tmp_path / "nowhere")
    with pytest.raises(SystemExit) as done:
        main(["emulator", "serve", "--state", str(state)])
    captured = capsys.readouterr()
    assert done.value.code == 2, captured
    assert "server.key is a symbolic link" in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_the_ca_is_name_constrained_to_localhost(tmp_path: Path) -> None:
    files = ensure_certificates(tmp_path / "state")
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    ext = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert ext.critical
    assert set(ext.value.permitted_subtrees or ()) == {
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_network("127.0.0.1/32")),
    }
    assert not ext.value.excluded_subtrees
    # The server certificate stays inside the constraints.
    leaf = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"localhost"}
