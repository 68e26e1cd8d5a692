"""What the server decides from a request's head, before it reads a byte of the body: who may send one
(the gate) and how large it may be (the cap), then the body read under that cap.

A request on a route that needs a session and carries none that is live never has its body read: it is
answered (401 INVALID_SESSION_ID by the route, faults first as before) and the connection is closed, so
the unread body cannot be taken for the next request. Every body has a cap, chunked ones too; a
Content-Length that is not a plain non-negative number is refused (400), never read to EOF.

Routes add their own cap with one `BodyRule` line in `RULES` (first match wins); the caps are the
emulator's own: Salesforce does not document a request size limit for REST or OAuth (UNVERIFIED).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping
    from io import BufferedIOBase

    from leastforce.emulator.http.server import EmulatorContext

KIB = 1024
MIB = 1024 * KIB

Gate = Literal["public", "session", "control"]


@dataclass(frozen=True)
class BodyRule:
    """Requests whose path matches `pattern` may send at most `cap` bytes of body, once past `gate`."""

    pattern: re.Pattern[str]
    cap: int
    gate: Gate


RULES: tuple[BodyRule, ...] = (
    # The token endpoint's form (a password, a JWT assertion of a few KiB): small; /authorize's login
    # form (the emulator's stand-in for the login page) too.
    BodyRule(re.compile(r"^/services/oauth2/(token|revoke|authorize)/?$"), 64 * KIB, "public"),
    BodyRule(re.compile(r"^/services/oauth2/|^/id/"), 64 * KIB, "session"),
    BodyRule(re.compile(r"^/services/data/?$"), 0, "public"),
    BodyRule(re.compile(r"^/services/data/v"), 64 * MIB, "session"),
    BodyRule(re.compile(r"^/_emulator/"), 1 * MIB, "control"),
    # SOAP carries its session inside the envelope (SessionHeader), so the gate cannot be checked before
    # the body: login() and the Metadata API (a deploy's base64 zip) are read under the REST cap.
    BodyRule(re.compile(r"^/services/Soap/"), 64 * MIB, "public"),
)
UNKNOWN_ROUTE = BodyRule(re.compile(""), 0, "public")  # answered 404 without reading a body
_CHUNK_LINE = 1024  # a chunk-size line longer than this is not HTTP


class BodyError(Exception):
    """A body that cannot be accepted: the status, Salesforce-shaped errorCode and message to answer."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_code, self.message = status, error_code, message


def rule_for(path: str) -> BodyRule:
    for rule in RULES:
        if rule.pattern.search(path):
            return rule
    return UNKNOWN_ROUTE


def admitted(ctx: EmulatorContext, rule: BodyRule, headers: Mapping[str, str]) -> bool:
    """Whether the request's credentials pass the route's gate (checked before any body is read)."""
    if rule.gate == "public":
        return True
    token = _bearer(headers)
    if token is None:
        return False
    if rule.gate == "control" and hmac.compare_digest(token, ctx.control_key):
        return True
    user_id = ctx.store.session_user(token)
    if rule.gate == "control":
        return user_id is not None and user_id == ctx.store.admin_user_id
    return user_id is not None


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    return None


def has_body(headers: Mapping[str, str]) -> bool:
    return "transfer-encoding" in headers or headers.get("content-length", "0").strip() not in ("", "0")


def read_body(rfile: BufferedIOBase, headers: Mapping[str, str], cap: int) -> bytes:
    """The body, at most `cap` bytes; BodyError (413 too large, 400 malformed) otherwise."""
    coding = headers.get("transfer-encoding", "").strip().lower()
    if coding:
        if coding != "chunked":
            raise BodyError(501, "NOT_IMPLEMENTED", f"Transfer-Encoding {coding} is not supported")
        return _read_chunked(rfile, cap)
    raw = headers.get("content-length", "").strip()
    if not raw:
        return b""
    if not raw.isdigit():  # "-1", "+5", "1e3", "5, 5": refused, never read to EOF
        raise BodyError(400, "JSON_PARSER_ERROR", f"Invalid Content-Length: {raw[:40]}")
    length = int(raw)
    if length > cap:
        raise too_large(cap)
    body = rfile.read(length) if length else b""
    if len(body) < length:
        raise BodyError(400, "JSON_PARSER_ERROR", "The request body ended before Content-Length")
    return body


def too_large(cap: int) -> BodyError:
    # UNVERIFIED: Salesforce documents no errorCode for an oversized REST body; 413 with a REST-shaped
    # error (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
    return BodyError(413, "REQUEST_ENTITY_TOO_LARGE", f"The request body exceeds the limit of {cap} bytes")


def _read_chunked(rfile: BufferedIOBase, cap: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(_CHUNK_LINE + 1)
        size_text = line.split(b";")[0].strip()
        if len(line) > _CHUNK_LINE or not re.fullmatch(rb"[0-9A-Fa-f]{1,16}", size_text):
            raise BodyError(400, "JSON_PARSER_ERROR", "Malformed chunked request body")
        size = int(size_text, 16)
        if size == 0:
            _skip_trailers(rfile)
            return b"".join(chunks)
        total += size
        if total > cap:
            raise too_large(cap)
        chunk = rfile.read(size)
        if len(chunk) < size or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise BodyError(400, "JSON_PARSER_ERROR", "Malformed chunked request body")
        chunks.append(chunk)


def _skip_trailers(rfile: BufferedIOBase) -> None:
    for _ in range(64):
        line = rfile.readline(_CHUNK_LINE + 1)
        if line in (b"\r\n", b"\n", b""):
            return
    raise BodyError(400, "JSON_PARSER_ERROR", "Malformed chunked request body")
