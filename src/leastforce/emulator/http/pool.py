"""Connections without a thread each: one selector thread does the TLS handshakes and watches idle
keep-alive connections; a fixed pool of worker threads serves requests.

A connection holds a worker only while a request is being read, answered and written. Idle connections
(no handshake yet, or between keep-alive requests) wait in the selector and are closed after
`HANDSHAKE_SECONDS` / `IDLE_SECONDS`; past `MAX_CONNECTIONS` the longest-waiting idle one is closed to
make room. So 300 idle sockets cost 300 file descriptors and no thread, and a real request is still served.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

_log = logging.getLogger(__name__)

WORKERS = 16  # requests served at once; more wait (queued) for a worker
HANDSHAKE_SECONDS = 10.0  # a TLS handshake not finished by then is dropped
IDLE_SECONDS = 60.0  # a keep-alive connection with no request for this long is closed
REQUEST_SECONDS = 30.0  # a started request whose client stalls this long on one read is dropped
MAX_CONNECTIONS = 512


@dataclass(eq=False)
class Conn:
    """One accepted connection; `state` is whatever the serving side keeps across its requests."""

    sock: ssl.SSLSocket
    address: Any
    deadline: float
    handshaken: bool = False
    state: Any = None
    events: int = field(default=selectors.EVENT_READ)


class ConnectionPool:
    """`add()` accepted sockets; `serve(conn) -> keep` answers one request and says whether to keep
    the connection; `close_conn(conn)` releases what `serve` kept."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        serve: Callable[[Conn], bool],
        close_conn: Callable[[Conn], None],
        workers: int = WORKERS,
    ) -> None:
        self._ssl = ssl_context
        self._serve, self._close_conn = serve, close_conn
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="leastforce-emulator-worker")
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._inbox: list[Conn] = []
        self._waiting: set[Conn] = set()  # in the selector
        self._busy: set[Conn] = set()  # with a worker
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="leastforce-emulator-selector", daemon=True)
        self._thread.start()

    def add(self, raw: socket.socket, address: Any) -> None:
        try:
            sock = self._ssl.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
            sock.setblocking(False)
        except (ssl.SSLError, OSError):
            with contextlib.suppress(OSError):
                raw.close()
            return
        self._post(Conn(sock, address, time.monotonic() + HANDSHAKE_SECONDS))

    def _post(self, conn: Conn) -> None:
        with self._lock:
            self._inbox.append(conn)
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def open_connections(self) -> int:
        with self._lock:
            return len(self._waiting) + len(self._busy) + len(self._inbox)

    def close(self) -> None:
        self._closed = True
        self._post_wake()
        self._thread.join(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            leftovers = list(self._waiting | self._busy) + self._inbox
        for conn in leftovers:
            self._drop(conn)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def _post_wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    # -- the selector thread -------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._closed:
            self._take_inbox()
            for key, _ in self._selector.select(timeout=1.0):
                if key.data is None:
                    with contextlib.suppress(OSError):
                        self._wake_r.recv(4096)
                else:
                    self._ready(key.data)
            self._expire(time.monotonic())

    def _take_inbox(self) -> None:
        with self._lock:
            arrivals, self._inbox = self._inbox, []
        for conn in arrivals:
            with self._lock:
                self._busy.discard(conn)
            self._make_room()
            self._watch(conn)

    def _watch(self, conn: Conn) -> None:
        try:
            self._selector.register(conn.sock, conn.events, conn)
        except (ValueError, KeyError, OSError):
            self._drop(conn)
            return
        with self._lock:
            self._waiting.add(conn)

    def _unwatch(self, conn: Conn) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(conn.sock)
        with self._lock:
            self._waiting.discard(conn)

    def _ready(self, conn: Conn) -> None:
        if conn.handshaken:
            self._dispatch(conn)
            return
        try:
            conn.sock.do_handshake()
        except ssl.SSLWantReadError:
            self._rewatch(conn, selectors.EVENT_READ)
            return
        except ssl.SSLWantWriteError:
            self._rewatch(conn, selectors.EVENT_WRITE)
            return
        except (ssl.SSLError, OSError) as exc:
            _log.debug("emulator: TLS handshake failed from %s: %s", conn.address, exc)
            self._unwatch(conn)
            self._drop(conn)
            return
        conn.handshaken, conn.deadline = True, time.monotonic() + IDLE_SECONDS
        if conn.sock.pending():
            self._dispatch(conn)  # the request came with the handshake's last flight
        else:
            self._rewatch(conn, selectors.EVENT_READ)

    def _rewatch(self, conn: Conn, events: int) -> None:
        if events != conn.events:
            conn.events = events
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.modify(conn.sock, events, conn)

    def _dispatch(self, conn: Conn) -> None:
        self._unwatch(conn)
        with self._lock:
            self._busy.add(conn)
        try:
            self._executor.submit(self._work, conn)
        except RuntimeError:  # shut down
            self._drop(conn)

    def _expire(self, now: float) -> None:
        with self._lock:
            late = [c for c in self._waiting if c.deadline < now]
        for conn in late:
            self._unwatch(conn)
            self._drop(conn)

    def _make_room(self) -> None:
        with self._lock:
            if len(self._waiting) + len(self._busy) < MAX_CONNECTIONS or not self._waiting:
                return
            oldest = min(self._waiting, key=lambda c: c.deadline)
        self._unwatch(oldest)
        self._drop(oldest)

    # -- a worker --------------------------------------------------------------------------------
    def _work(self, conn: Conn) -> None:
        try:
            conn.sock.settimeout(REQUEST_SECONDS)
            keep = self._serve(conn)
            while keep and _buffered(conn):
                conn.sock.settimeout(REQUEST_SECONDS)
                keep = self._serve(conn)
        except Exception:  # a bug must not kill the worker; the connection goes
            _log.debug("emulator: connection error from %s", conn.address, exc_info=True)
            keep = False
        if keep and not self._closed:
            conn.deadline, conn.events = time.monotonic() + IDLE_SECONDS, selectors.EVENT_READ
            self._post(conn)
            return
        with self._lock:
            self._busy.discard(conn)
        self._drop(conn)

    def _drop(self, conn: Conn) -> None:
        with contextlib.suppress(Exception):
            self._close_conn(conn)
        with contextlib.suppress(OSError):
            conn.sock.close()


def _buffered(conn: Conn) -> bool:
    """Whether the next request is already here (pipelined, or buffered by the reader): serve it now,
    as the selector would never see bytes that already left the socket."""
    conn.sock.setblocking(False)
    if conn.sock.pending():
        return True
    peek = getattr(conn.state, "peek", None)
    if peek is None:
        return False
    try:
        return bool(peek())
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError, OSError, ValueError):
        return False
