"""The secrets registry: every credential is registered where it is obtained and redacted from every output.

Where a secret comes from (the environment, the Salesforce CLI, a token endpoint's answer, a key file),
``org/connect.py`` calls :func:`register`; every output path (error messages, ``--json`` including the
error's ``data``, files) calls :func:`redact`, which replaces the secret in its raw, URL-encoded and base64
forms (an org or a proxy may echo a request body or an Authorization header back in an error). The
registry is process-wide on purpose: a secret obtained anywhere must be hidden everywhere. It starts empty
(nothing at import time) and only grows; :func:`forget_all` exists for tests.

:func:`redact_token_like` hides what looks like a credential in text a person pasted (``doctor --error``),
whether or not this process ever saw it: Salesforce session ids / access tokens (an org Id ``00D...``, ``!``,
then the secret part, https://help.salesforce.com/s/articleView?id=sf.remoteaccess_access_tokens.htm ---
UNVERIFIED beyond that shape), JWTs and ``Bearer`` headers.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

MARK = "[REDACTED]"
MIN_LENGTH = 6  # shorter values (a "1" in SF_SECURITY_TOKEN) would redact ordinary text

_lock = threading.Lock()
_forms: set[str] = set()

_TOKEN_LIKE = (
    # Salesforce session id / access token: 15- or 18-character org Id starting 00D, "!", the secret
    re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._\-]{8,}"),
    # a JWT (header.payload.signature, base64url, header starts {" = eyJ)
    re.compile(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"),
    # an Authorization header value
    re.compile(r"(?i)(?<=\bbearer )[^\s\"']{8,}"),
    # key=value pairs of a token request or answer
    re.compile(
        r"(?i)(?<=access_token=)[^\s&\"']+|(?<=refresh_token=)[^\s&\"']+"
        r"|(?<=client_secret=)[^\s&\"']+|(?<=password=)[^\s&\"']+"
    ),
)


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 text that encodes ``raw`` wherever it sits in a longer encoded string: for each of the
    three alignments, the characters that depend on ``raw`` alone (a Basic auth header encodes
    ``client_id:secret``, so the secret does not start on a 3-byte boundary)."""
    cores = set()
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
            # the first group mixes with what precedes, an incomplete last group with what follows
            core = encoded[4 if offset else 0 : 4 * ((offset + len(raw)) // 3)]
            if len(core) >= 8:
                cores.add(core)
    return cores


def forms_of(secret: str) -> set[str]:
    """The forms in which ``secret`` may appear in an output: raw, URL-encoded, base64."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    if "!" in secret:  # a session id: the part after "!" is the secret, before it the org Id
        forms.add(secret.split("!", 1)[1])
    forms |= _base64_cores(secret.encode("utf-8"))
    return {form for form in forms if len(form) >= MIN_LENGTH}


def register(*secrets: str | None) -> None:
    """Remember secrets (None, empty and very short values are ignored)."""
    found = set()
    for secret in secrets:
        if secret and len(secret.strip()) >= MIN_LENGTH:
            found |= forms_of(secret) | forms_of(secret.strip())
    with _lock:
        _forms.update(found)


def register_lines(text: str, min_length: int = 16) -> None:
    """Remember a multi-line secret (a PEM key) whole and line by line."""
    register(text)
    register(*(line.strip() for line in text.splitlines() if len(line.strip()) >= min_length))


def forget_all() -> None:
    """Empty the registry (tests)."""
    with _lock:
        _forms.clear()


def redact(text: str) -> str:
    """``text`` with every registered secret, in every form, replaced by [REDACTED]."""
    with _lock:
        forms = sorted(_forms, key=len, reverse=True)  # longest first: a form may contain another
    for form in forms:
        if form in text:
            text = text.replace(form, MARK)
    return text


def redact_token_like(text: str) -> str:
    """``text`` with registered secrets and anything that looks like a token replaced by [REDACTED]."""
    text = redact(text)
    for pattern in _TOKEN_LIKE:
        text = pattern.sub(MARK, text)
    return text


def redact_json(data: bytes, escape: Callable[[str], bytes]) -> bytes:
    """JSON text (UTF-8) with every registered secret redacted where it sits inside a string: each form is
    looked for as ``escape`` (the serialiser's own string escaping, quotes removed) writes it inside a
    string. An escaped form has no bare quote, so it cannot match across two strings of the text. One
    pass over the text instead of one call per string of the tree (an audit's JSON holds millions of
    strings)."""
    with _lock:
        forms = sorted(_forms, key=len, reverse=True)
    mark = MARK.encode()
    for form in forms:
        written = escape(form)
        if written in data:
            data = data.replace(written, mark)
    return data


def redact_tree(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string, keys too, redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_tree(k): redact_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_tree(v) for v in value]
    return value


def registered_count() -> int:
    """How many forms are registered (tests)."""
    with _lock:
        return len(_forms)
