"""Values at the wire: a parsed HTTP request, a response to write, and Salesforce's error bodies.

REST errors are a JSON list `[{"message", "errorCode", "fields"}]`
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm);
OAuth errors are `{"error", "error_description"}`
(https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flow_errors.htm).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson


@dataclass(frozen=True)
class Request:
    """One HTTP request: method, path (no query), decoded query, headers (lower-case keys), body."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""
    client_ip: str = "127.0.0.1"  # the peer's address (high-risk IP containment, store/app_policy.py)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, str]:
        """application/x-www-form-urlencoded body (query parameters fill in, as Salesforce accepts both)."""
        merged = {k: v[0] for k, v in self.query.items() if v}
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        merged.update({k: v[0] for k, v in parsed.items() if v})
        return merged

    def json(self) -> Any:
        """The JSON body; raises ValueError when it is not JSON."""
        if not self.body:
            raise ValueError("empty body")
        return json.loads(self.body)

    def bearer_token(self) -> str | None:
        """The token from `Authorization: Bearer x` (or the older `OAuth x`)."""
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and token.strip():
            return token.strip()
        return None


@dataclass(frozen=True)
class Response:
    """What to write back. `drop` closes the connection without writing anything."""

    status: int
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    drop: bool = False

    def with_headers(self, *extra: tuple[str, str]) -> Response:
        return Response(self.status, self.body, self.content_type, self.headers + extra, self.drop)


def json_response(status: int, payload: Any, *headers: tuple[str, str]) -> Response:
    """Compact UTF-8 JSON, as Salesforce writes it (orjson: a page of 2,000 permission set rows holds
    close to a million values, seconds through the standard encoder)."""
    return Response(status, orjson.dumps(payload), headers=tuple(headers))


def no_content() -> Response:
    return Response(204, b"", content_type="")


def rest_error(
    status: int, error_code: str, message: str, fields: tuple[str, ...] | list[str] = ()
) -> Response:
    """A REST error: a one-element list, as every REST resource returns."""
    body: dict[str, Any] = {"message": message, "errorCode": error_code}
    if error_code == "NOT_FOUND":  # Salesforce writes this one errorCode first (see emulator/errors.py)
        body = {"errorCode": error_code, "message": message}
    if fields:
        body["fields"] = list(fields)
    return json_response(status, [body])


class OAuthFailure(Exception):
    """An OAuth refusal: HTTP status, `error` and `error_description` exactly as Salesforce sends them."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status


def oauth_error(status: int, error: str, description: str) -> Response:
    """An OAuth token endpoint error: `{"error": ..., "error_description": ...}`."""
    return json_response(status, {"error": error, "error_description": description})


# Salesforce's fixed messages, in one place.
SESSION_INVALID = "Session expired or invalid"
NOT_FOUND = "The requested resource does not exist"
