"""The HTTPS server: speaks TLS with the emulator's own CA and routes /services/oauth2 (oauth.py),
/services/data (rest.py) and /_emulator (admin.py).

Connections are handled by pool.py: TLS handshakes and idle keep-alive connections wait in one selector
thread, a bounded pool of workers serves requests. A request's body is read only once its route's gate
passed and under its route's cap (intake.py). The store serialises writes, so concurrent clients neither
lose nor tear writes.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from leastforce.emulator.faults import FaultInjector
from leastforce.emulator.http import admin, calllog, intake, metadata_soap, rest
from leastforce.emulator.http.bulk_jobs import QueryJobs
from leastforce.emulator.http.pool import Conn, ConnectionPool
from leastforce.emulator.http.tls import TlsFiles
from leastforce.emulator.http.wire import NOT_FOUND, Request, Response, rest_error
from leastforce.emulator.metadata.jobs import Jobs
from leastforce.emulator.oauth import endpoints as oauth
from leastforce.emulator.oauth import soap_login

if TYPE_CHECKING:
    from leastforce.emulator.store.org_store import OrgStore

_log = logging.getLogger(__name__)
_DRAIN_BYTES = 256 * 1024  # an unread body is discarded up to this much before closing
_DRAIN_SECONDS = 0.5


@dataclass
class EmulatorContext:
    """What every handler needs: the store, the fault injector, the public URL and the call log.

    `control_key` authorises /_emulator admin calls even after a fault expired every session.
    """

    store: OrgStore
    faults: FaultInjector
    control_key: str
    instance_url: str = ""
    log: deque[str] = field(default_factory=lambda: deque(maxlen=2000))
    calls: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    bulk_jobs: QueryJobs = field(default_factory=QueryJobs)
    metadata_jobs: Jobs = field(default_factory=Jobs)  # Metadata API deploys and retrieves by id

    def record(self, request: Request, status: int) -> None:
        with self.lock:
            query = request.param("q")
            suffix = f" q={query}" if query else ""
            self.log.append(f"{request.method} {request.path} {status}{suffix}")
            self.calls[_area(request.path)] += 1


def _area(path: str) -> str:
    for prefix in ("/services/oauth2", "/services/data", "/services/Soap", "/_emulator", "/id/"):
        if path.startswith(prefix):
            return prefix.strip("/")
    return "other"


def route(ctx: EmulatorContext, request: Request) -> Response:
    """Pick the handler for a path; unknown paths get Salesforce's 404 NOT_FOUND."""
    path = request.path
    if path.startswith("/services/oauth2/") or path.startswith("/id/"):
        return oauth.handle(ctx, request)
    if path.startswith("/services/Soap/u/") or path.startswith("/services/Soap/c/"):
        return soap_login.handle(ctx, request)
    if path == "/services/data" or path.startswith("/services/data/"):
        return rest.handle(ctx, request)
    if path.startswith("/_emulator/"):
        return admin.handle(ctx, request)
    if path.startswith("/services/Soap/m/"):
        return metadata_soap.handle(ctx, request)
    return rest_error(404, "NOT_FOUND", NOT_FOUND)


class _Handler(BaseHTTPRequestHandler):
    """One connection's request reader; kept across its keep-alive requests (pool.Conn.state)."""

    server_version = "leastforce-emulator"
    sys_version = ""
    protocol_version = "HTTP/1.1"  # keep-alive: requests.Session and Node reuse connections
    timeout = None  # the pool sets each read's timeout (pool.REQUEST_SECONDS)
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: EmulatorServer

    def __init__(self, request: Any, client_address: Any, server: EmulatorServer) -> None:
        # Not BaseRequestHandler.__init__: that serves the whole connection; the pool serves one request
        # at a time and gives the worker back between them.
        self.request, self.client_address, self.server = request, client_address, server
        self.setup()

    def serve_one(self) -> bool:
        """Read and answer one request; whether the connection stays open for another."""
        self.close_connection = True
        self.handle_one_request()
        return not self.close_connection

    def peek(self) -> bytes:
        peeked: bytes = self.rfile.peek(1)  # type: ignore[attr-defined]  # a BufferedReader
        return peeked

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        query = parse_qs(parts.query, keep_blank_values=True)
        try:
            body = self._body(parts.path or "/", headers)
        except intake.BodyError as exc:
            self.close_connection = True  # what is left of the body must not be read as a request
            self._write(rest_error(exc.status, exc.error_code, exc.message), unread=True)
            return
        request = Request(
            method, parts.path or "/", query, headers, body or b"", client_ip=str(self.client_address[0])
        )
        try:
            response = route(self.server.context, request)
        except Exception:  # a bug must answer 500, never kill the worker silently
            _log.exception("emulator: unhandled error on %s %s", method, request.path)
            response = rest_error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.")
        self.server.context.record(request, response.status)
        calllog.log_call(self.server.context.store, request, response)  # Event Monitoring's API log
        if response.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response, head=method == "HEAD", unread=body is None)

    def _body(self, path: str, headers: dict[str, str]) -> bytes | None:
        """The body, or None when it is left unread: the route takes none, or the request's
        credentials do not pass its gate (the route then answers 401 from an empty body)."""
        if not intake.has_body(headers):
            return b""
        rule = intake.rule_for(path)
        if rule.cap == 0 or not intake.admitted(self.server.context, rule, headers):
            self.close_connection = True
            return None
        return intake.read_body(self.rfile, headers, rule.cap)

    def _write(self, response: Response, head: bool = False, unread: bool = False) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head and response.body:
            self.wfile.write(response.body)
        if unread:
            self._drain()

    def _drain(self) -> None:
        """Discard a little of an unread body before closing: closing on unread bytes sends a TCP
        reset, which can destroy the answer before the client reads it."""
        with contextlib.suppress(OSError, ValueError):
            self.wfile.flush()
            end = time.monotonic() + _DRAIN_SECONDS
            left = _DRAIN_BYTES
            while left > 0 and time.monotonic() < end:
                self.connection.settimeout(max(0.01, end - time.monotonic()))
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    return
                left -= len(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("emulator: " + format, *args)


class EmulatorServer(HTTPServer):
    """HTTPServer on 127.0.0.1 whose accepted connections go to a ConnectionPool (TLS, bounded workers)."""

    allow_reuse_address = True
    request_queue_size = 128  # the accept backlog: a burst of connections is not refused by the kernel

    def __init__(self, context: EmulatorContext, tls: TlsFiles, port: int = 0) -> None:
        self.context = context
        self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ssl_context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ssl_context.load_cert_chain(tls.server_cert, tls.server_key)
        super().__init__(("127.0.0.1", port), _Handler)
        self.port = int(self.server_address[1])
        context.instance_url = f"https://127.0.0.1:{self.port}"
        self.pool = ConnectionPool(self.ssl_context, self._serve_one, _finish)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.add(request, client_address)  # the pool owns and closes the socket from here

    def _serve_one(self, conn: Conn) -> bool:
        if conn.state is None:
            conn.state = _Handler(conn.sock, conn.address, self)
        keep: bool = conn.state.serve_one()
        return keep

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-answer (drop faults, killed tests) are normal here.
        _log.debug("emulator: connection error from %s", client_address, exc_info=True)


def _finish(conn: Conn) -> None:
    if conn.state is not None:
        with contextlib.suppress(OSError, ValueError):
            conn.state.finish()
