"""The local org as a service: no body read before authentication, a cap on every body (chunked too),
malformed lengths refused, TLS handshake and idle timeouts, and a bounded number of threads."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from typing import Any

import pytest
import requests

from leastforce.emulator.http import intake, pool

_QUERY = "/services/data/v64.0/sobjects/Account"


def _tls(org: Any) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=org.ca_bundle)
    raw = socket.create_connection(("127.0.0.1", org.port), timeout=10)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def _answer(sock: ssl.SSLSocket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP answer (status, lower-case headers, body) from the socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _send(org: Any, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    with _tls(org) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        return _answer(sock)


def _head(method: str, path: str, *lines: str) -> str:
    return f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{line}\r\n" for line in lines)


def _error_code(body: bytes) -> str:
    return str(json.loads(body)[0]["errorCode"])


def test_no_session_gets_401_before_its_body_is_read(emulator: Any) -> None:
    # 100 MB announced, 10 bytes sent: reading the body would wait for the rest (and time out here).
    started = time.monotonic()
    status, headers, body = _send(
        emulator,
        _head("POST", _QUERY, "Authorization: Bearer not-a-session", "Content-Length: 100000000"),
        b'{"Name":"x',
    )
    assert (status, _error_code(body)) == (401, "INVALID_SESSION_ID")
    assert headers["connection"] == "close"  # the unread rest is never taken for a request
    assert time.monotonic() - started < 5


def test_admin_endpoint_without_the_control_key_does_not_read_the_body(emulator: Any) -> None:
    status, _, body = _send(emulator, _head("POST", "/_emulator/faults", "Content-Length: 50000000"), b"{")
    assert (status, _error_code(body)) == (401, "INVALID_SESSION_ID")


def test_a_body_over_the_cap_is_413(emulator: Any) -> None:
    too_big = intake.rule_for(_QUERY).cap + 1
    status, headers, body = _send(
        emulator,
        _head("POST", _QUERY, f"Authorization: Bearer {emulator.admin_token}", f"Content-Length: {too_big}"),
    )
    assert (status, _error_code(body)) == (413, "REQUEST_ENTITY_TOO_LARGE")
    assert headers["connection"] == "close"


def test_token_endpoint_body_is_small(emulator: Any) -> None:
    cap = intake.rule_for("/services/oauth2/token").cap
    assert cap <= 64 * 1024
    status, _, body = _send(
        emulator,
        _head(
            "POST",
            "/services/oauth2/token",
            f"Content-Length: {cap + 1}",
            "Content-Type: application/x-www-form-urlencoded",
        ),
    )
    assert (status, _error_code(body)) == (413, "REQUEST_ENTITY_TOO_LARGE")


@pytest.mark.parametrize("length", ["-1", "+5", "1e3", "5, 5", "abc"])
def test_content_length_that_is_not_a_number_is_400(emulator: Any, length: str) -> None:
    status, _, body = _send(
        emulator,
        _head("POST", _QUERY, f"Authorization: Bearer {emulator.admin_token}", f"Content-Length: {length}"),
        b'{"Name": "x"}',
    )
    assert (status, _error_code(body)) == (400, "JSON_PARSER_ERROR")


def test_chunked_body_over_the_cap_is_413(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tuple(
        intake.BodyRule(r.pattern, 1000, r.gate) if r.pattern.search(_QUERY) else r for r in intake.RULES
    )
    monkeypatch.setattr(intake, "RULES", rules)
    chunk = b"x" * 600
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
    status, _, body = _send(
        emulator,
        _head("POST", _QUERY, f"Authorization: Bearer {emulator.admin_token}", "Transfer-Encoding: chunked"),
        chunked,
    )
    assert (status, _error_code(body)) == (413, "REQUEST_ENTITY_TOO_LARGE")


def test_chunked_body_under_the_cap_is_served(emulator: Any) -> None:
    payload = b'{"Name": "Chunked Co"}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
    status, _, body = _send(
        emulator,
        _head(
            "POST",
            _QUERY,
            f"Authorization: Bearer {emulator.admin_token}",
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
        ),
        chunked,
    )
    assert status == 201, body
    assert json.loads(body)["success"] is True


@pytest.mark.parametrize("size_line", [b"zz", b"-1", b"1" * 40])
def test_malformed_chunk_size_is_400(emulator: Any, size_line: bytes) -> None:
    status, _, body = _send(
        emulator,
        _head("POST", _QUERY, f"Authorization: Bearer {emulator.admin_token}", "Transfer-Encoding: chunked"),
        size_line + b"\r\nabc\r\n0\r\n\r\n",
    )
    assert (status, _error_code(body)) == (400, "JSON_PARSER_ERROR")


def test_unknown_transfer_encoding_is_refused(emulator: Any) -> None:
    status, _, body = _send(
        emulator,
        _head("POST", _QUERY, f"Authorization: Bearer {emulator.admin_token}", "Transfer-Encoding: gzip"),
        b"abc",
    )
    assert (status, _error_code(body)) == (501, "NOT_IMPLEMENTED")


def test_keep_alive_still_serves_several_requests_on_one_connection(emulator: Any) -> None:
    with _tls(emulator) as sock:
        for _ in range(3):
            sock.sendall(_head("GET", "/services/data").encode() + b"\r\n")
            status, headers, _ = _answer(sock)
            assert status == 200
            assert headers.get("connection") != "close"


def test_300_idle_sockets_keep_threads_bounded_and_a_request_still_succeeds(
    emulator: Any, https: requests.Session
) -> None:
    before = threading.active_count()
    idle = [socket.create_connection(("127.0.0.1", emulator.port), timeout=10) for _ in range(300)]
    # Half of them also finish the TLS handshake, then say nothing.
    context = ssl.create_default_context(cafile=emulator.ca_bundle)
    idle[:150] = [context.wrap_socket(s, server_hostname="127.0.0.1") for s in idle[:150]]
    try:
        started = time.monotonic()
        response = https.get(
            emulator.instance_url + "/services/data/v64.0/limits",
            headers={"Authorization": f"Bearer {emulator.admin_token}"},
            timeout=10,
        )
        assert response.status_code == 200
        assert time.monotonic() - started < 3
        assert threading.active_count() <= before + pool.WORKERS + 1
    finally:
        for sock in idle:
            sock.close()


def test_a_silent_handshake_is_dropped_after_the_timeout(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "HANDSHAKE_SECONDS", 0.3)
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as sock:
        assert sock.recv(1) == b""  # closed by the server, not by our 10 s timeout


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "IDLE_SECONDS", 0.3)
    with _tls(emulator) as sock:
        sock.sendall(_head("GET", "/services/data").encode() + b"\r\n")
        assert _answer(sock)[0] == 200
        assert sock.recv(1) == b""
