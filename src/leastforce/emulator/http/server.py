"""The HTTPS server: a ThreadingHTTPServer that speaks TLS with the emulator's own CA and routes
/services/oauth2 (oauth.py), /services/data (rest.py) and /_emulator (admin.py).

Each connection gets its own thread; the TLS handshake happens in that thread, so a slow client never
blocks `accept()`. The store serialises writes, so concurrent clients neither lose nor tear writes.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from leastforce.emulator.faults import FaultInjector
from leastforce.emulator.http import admin, calllog, metadata_soap, rest
from leastforce.emulator.http.bulk_jobs import QueryJobs
from leastforce.emulator.http.tls import TlsFiles
from leastforce.emulator.http.wire import NOT_FOUND, Request, Response, rest_error
from leastforce.emulator.metadata.jobs import Jobs
from leastforce.emulator.oauth import endpoints as oauth
from leastforce.emulator.oauth import soap_login

if TYPE_CHECKING:
    from leastforce.emulator.store.org_store import OrgStore

_log = logging.getLogger(__name__)
_MAX_BODY = 64 * 1024 * 1024


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
    server_version = "leastforce-emulator"
    sys_version = ""
    protocol_version = "HTTP/1.1"  # keep-alive: requests.Session and Node reuse connections
    timeout = 300  # seconds an idle keep-alive connection may hold its thread
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: EmulatorServer

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
        try:
            request = self._read_request(method)
        except ValueError as exc:
            self._write(rest_error(400, "JSON_PARSER_ERROR", str(exc)))
            return
        try:
            response = route(self.server.context, request)
        except Exception:  # a bug must answer 500, never kill the thread silently
            _log.exception("emulator: unhandled error on %s %s", method, request.path)
            response = rest_error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.")
        self.server.context.record(request, response.status)
        calllog.log_call(self.server.context.store, request, response)  # Event Monitoring's API log
        if response.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response, head=method == "HEAD")

    def _read_request(self, method: str) -> Request:
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            length = int(headers.get("content-length") or 0)
            if length > _MAX_BODY:
                raise ValueError("request body too large")
            body = self.rfile.read(length) if length else b""
        query = parse_qs(parts.query, keep_blank_values=True)
        return Request(method, parts.path or "/", query, headers, body, client_ip=str(self.client_address[0]))

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, response: Response, head: bool = False) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head and response.body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("emulator: " + format, *args)


class EmulatorServer(ThreadingHTTPServer):
    """ThreadingHTTPServer on 127.0.0.1 that wraps every accepted connection in TLS (in its thread)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, context: EmulatorContext, tls: TlsFiles, port: int = 0) -> None:
        self.context = context
        self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ssl_context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ssl_context.load_cert_chain(tls.server_cert, tls.server_key)
        super().__init__(("127.0.0.1", port), _Handler)
        self.port = int(self.server_address[1])
        context.instance_url = f"https://127.0.0.1:{self.port}"

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            tls_socket = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            _log.debug("emulator: TLS handshake failed from %s: %s", client_address, exc)
            return
        try:
            _Handler(tls_socket, client_address, self)
        finally:
            with contextlib.suppress(OSError):
                tls_socket.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-answer (drop faults, killed tests) are normal here.
        _log.debug("emulator: connection error from %s", client_address, exc_info=True)
