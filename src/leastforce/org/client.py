"""The one boundary to a live org: a small OrgClient protocol and its simple-salesforce adapter.

simple-salesforce does the HTTP; this module adds what leastforce needs around it: every failure mapped to
a leastforce OrgError carrying Salesforce's errorCode and a hint, retries with backoff for transient
failures, one session renewal on INVALID_SESSION_ID, and a count of API calls made.
REST error shape: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, Protocol

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from leastforce.errors import (
    AnswerLost,
    AuthError,
    ConflictError,
    OrgError,
    PermissionDenied,
    RequestLimitError,
    TransientOrgError,
    WriteError,
)

API_VERSION = "64.0"  # the fallback when an org's versions cannot be listed
# The newest API version leastforce is tested against. Newer permissions only show as fields from the
# version that introduced them (CanApproveUninstalledApps: 67.0), so the client speaks the newest version
# both sides know: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_versions.htm
NEWEST_KNOWN_VERSION = 67.0


class RowReader(Protocol):
    """Queries only: what reading rows back needs (org/apply/rows.py, truth.py)."""

    def query(self, soql: str, *, tooling: bool = False) -> list[dict[str, Any]]: ...


class RowWriter(RowReader, Protocol):
    """Queries and REST calls: what undo needs. Paths are relative to /services/data/vNN.0/."""

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any: ...


class OrgClient(RowWriter, Protocol):
    """What leastforce needs from an org. Paths are relative to /services/data/vNN.0/."""

    instance_url: str
    calls: int

    def query_pages(self, soql: str, *, tooling: bool = False) -> Iterator[list[dict[str, Any]]]: ...

    def stream(
        self, path: str, *, params: Mapping[str, str] | None = None
    ) -> tuple[Mapping[str, str], IO[str]]: ...

    def stream_bytes(self, path: str) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class Session:
    """An access token for an instance. Never printed: __repr__ hides the token."""

    instance_url: str
    access_token: str
    ca_bundle: str | None = None

    def __repr__(self) -> str:
        return f"Session(instance_url={self.instance_url!r}, access_token='***')"


@dataclass(frozen=True)
class RetryPolicy:
    """Transient failures (5xx, dropped connections, timeouts) are retried with exponential backoff."""

    attempts: int = 4
    base_delay_s: float = 0.2
    max_delay_s: float = 3.0
    timeout_s: float = 60.0


_HINTS = {
    "INVALID_SESSION_ID": "the session expired or was revoked: log in again (sf org login ...) or renew the token",
    "API_DISABLED_FOR_ORG": "the user lacks API Enabled, or the org's edition has no API access",
    "REQUEST_LIMIT_EXCEEDED": "the org's daily API request limit is spent: wait for the 24h window to roll",
    "INSUFFICIENT_ACCESS": "the connected user lacks a permission this command needs (see docs/security.md)",
    "INSUFFICIENT_ACCESS_OR_READONLY": "the connected user cannot change this record",
    "INVALID_TYPE": "the object is not available to this user or in this org",
    "INVALID_FIELD": "a field is not available in this org (API version, feature or field-level security)",
    "MALFORMED_QUERY": "the query was rejected by Salesforce",
    "FIELD_INTEGRITY_EXCEPTION": "Salesforce refused the permission combination: see the message",
    "DUPLICATE_VALUE": "the record already exists",
}


def error_from_response(status: int, content: Any, *, what: str = "request") -> OrgError:
    """An OrgError subclass chosen from the HTTP status and Salesforce's errorCode."""
    code, message = _first_error(content)
    hint = _HINTS.get(code, "")
    text = message or f"{what} failed with HTTP {status}"
    if status == 412:  # If-Unmodified-Since not met: the row changed since it was read
        return ConflictError(text, error_code=code or "PRECONDITION_FAILED", status=status, hint=hint)
    if status == 401 or code in ("INVALID_SESSION_ID", "INVALID_AUTH_HEADER"):
        return AuthError(text, error_code=code or "INVALID_SESSION_ID", status=status, hint=hint)
    if code == "REQUEST_LIMIT_EXCEEDED":
        return RequestLimitError(text, error_code=code, status=status, hint=hint)
    if status >= 500 or status == 0:
        return TransientOrgError(text, error_code=code, status=status, hint=hint)
    if status == 403 or code.startswith("INSUFFICIENT_ACCESS") or code == "API_DISABLED_FOR_ORG":
        return PermissionDenied(text, error_code=code, status=status, hint=hint)
    if code in ("FIELD_INTEGRITY_EXCEPTION", "DUPLICATE_VALUE", "INVALID_CROSS_REFERENCE_KEY"):
        return WriteError(text, error_code=code, status=status, hint=hint)
    return OrgError(text, error_code=code, status=status, hint=hint)


def _first_error(content: Any) -> tuple[str, str]:
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        first = content[0]
        return str(first.get("errorCode") or first.get("statusCode") or ""), str(first.get("message", ""))
    if isinstance(content, Mapping):
        if "error" in content:  # OAuth: {"error": "invalid_grant", "error_description": "..."}
            return str(content["error"]), str(content.get("error_description", ""))
        return str(content.get("errorCode", "")), str(content.get("message", ""))
    return "", str(content)[:300] if content else ""


def negotiate_version(session: Session, timeout_s: float = 30.0) -> str:
    """The newest API version both the org (GET /services/data/, no session needed) and leastforce know."""
    try:
        response = requests.get(
            session.instance_url.rstrip("/") + "/services/data/",
            verify=session.ca_bundle or True,
            timeout=timeout_s,
        )
        offered = [float(v["version"]) for v in response.json()] if response.status_code == 200 else []
    except (requests.exceptions.RequestException, ValueError, KeyError, TypeError):
        offered = []
    usable = [v for v in offered if v <= NEWEST_KNOWN_VERSION]
    return f"{max(usable):.1f}" if usable else API_VERSION


_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def _maybe_sent(exc: Exception) -> bool:
    """Whether the request may have reached the server: not when the connection could not even be made
    (refused, DNS, connect timeout), where a retry is safe."""
    return not isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError) and not (
        "NewConnectionError" in repr(exc) or "NameResolutionError" in repr(exc)
    )


class SimpleSalesforceClient:
    """OrgClient over simple-salesforce. ``renew`` returns a fresh Session after INVALID_SESSION_ID."""

    def __init__(
        self,
        session: Session,
        *,
        renew: Callable[[], Session] | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._renew = renew
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self.calls = 0
        self.version = negotiate_version(session, self._retry.timeout_s)
        self._connect(session)

    def _connect(self, session: Session) -> None:
        http = requests.Session()
        # requests lets REQUESTS_CA_BUNDLE override Session.verify, so the bundle goes on every call too.
        self._verify: dict[str, Any] = {"verify": session.ca_bundle} if session.ca_bundle else {}
        if session.ca_bundle:
            http.verify = session.ca_bundle
        self.instance_url = session.instance_url.rstrip("/")
        self._sf = Salesforce(
            instance_url=self.instance_url,
            session_id=session.access_token,
            session=http,
            version=self.version,
        )

    @property
    def api_usage(self) -> Mapping[str, Any]:
        """Sforce-Limit-Info as parsed by simple-salesforce after the last call."""
        return dict(self._sf.api_usage)

    def query(self, soql: str, *, tooling: bool = False) -> list[dict[str, Any]]:
        """Every record of the query, following nextRecordsUrl."""
        return [record for page in self.query_pages(soql, tooling=tooling) for record in page]

    def query_pages(self, soql: str, *, tooling: bool = False) -> Iterator[list[dict[str, Any]]]:
        """The query's pages as Salesforce returns them (up to 2,000 records each), every child
        subquery's result complete (see ``_complete_children``)."""
        path = "tooling/query/" if tooling else "query/"
        page = self.request("GET", path, params={"q": soql})
        yield self._complete_children(list(page.get("records", [])))
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = self._call("GET", page["nextRecordsUrl"], absolute=True)
            yield self._complete_children(list(page.get("records", [])))

    def _complete_children(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Follow every nested ``nextRecordsUrl``: a child subquery's result pages like a query
        ("you might need to use queryMore() to retrieve all the records if there are many children"),
        https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_results.htm
        Each child result is then ``done: true`` with all its records, grandchildren included."""
        for record in records:
            for block in record.values():
                if not (
                    isinstance(block, dict) and "done" in block and isinstance(block.get("records"), list)
                ):
                    continue
                page = block
                while not page.get("done", True) and page.get("nextRecordsUrl"):
                    page = self._call("GET", page["nextRecordsUrl"], absolute=True)
                    block["records"].extend(page.get("records", []))
                block["done"] = True
                block.pop("nextRecordsUrl", None)
                self._complete_children(block["records"])
        return records

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One REST call relative to /services/data/vNN.0/, with retries and one session renewal.

        A write (POST, PATCH, PUT, DELETE) whose connection drops or times out after it was sent is not
        retried: it raises AnswerLost, for the caller to find out from the org whether it happened.
        ``headers`` adds request headers (If-Unmodified-Since: a 412 answer raises ConflictError)."""
        return self._call(method, path, json=json, params=params, headers=dict(headers) if headers else None)

    def stream(
        self, path: str, *, params: Mapping[str, str] | None = None
    ) -> tuple[Mapping[str, str], IO[str]]:
        """GET a text answer (a Bulk API CSV result set) without reading it into memory: the response
        headers and the body as a text stream (gzip undone; the caller closes it)."""
        response = self._call("GET", path, params=params, stream=True, raw=True)
        response.raw.decode_content = True  # requests asks for gzip; undo it while reading
        response.raw.auto_close = False  # else urllib3 closes it at the end and TextIOWrapper's read fails
        return dict(response.headers), io.TextIOWrapper(response.raw, encoding="utf-8", newline="")

    def stream_bytes(self, path: str) -> Iterator[bytes]:
        """GET a binary resource (an EventLogFile's LogFile) in chunks of up to 1 MiB, never whole in
        memory (the caller splits records: scanning chunks, not lines, keeps a 60 MB file's skipped lines
        out of Python). No retry or renewal: a failed download raises, and the caller reports it."""
        self.calls += 1
        url = self._sf.base_url + path.lstrip("/")
        try:
            response = self._sf.session.get(
                url, headers=self._sf.headers, stream=True, timeout=self._retry.timeout_s, **self._verify
            )
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise TransientOrgError(f"GET {path}: {type(exc).__name__}", status=0) from None
        with response:
            if response.status_code >= 400:
                try:
                    content: Any = response.json()
                except ValueError:
                    content = response.text[:300]
                raise error_from_response(response.status_code, content, what=f"GET {path}")
            yield from response.iter_content(chunk_size=1 << 20)

    def _call(self, method: str, path: str, *, absolute: bool = False, **kwargs: Any) -> Any:
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, path, absolute=absolute, **kwargs)
            except AuthError:
                if renewed or self._renew is None:
                    raise
                renewed = True
                self._connect(self._renew())
            except TransientOrgError:
                if attempt >= self._retry.attempts:
                    raise
                delay = min(self._retry.max_delay_s, self._retry.base_delay_s * 2 ** (attempt - 1))
                self._sleep(delay)

    def _once(self, method: str, path: str, *, absolute: bool, **kwargs: Any) -> Any:
        self.calls += 1
        url = self.instance_url + path if absolute else self._sf.base_url + path.lstrip("/")
        raw = bool(kwargs.pop("raw", False))
        kwargs = {k: v for k, v in kwargs.items() if v is not None} | self._verify
        try:
            response = self._sf._call_salesforce(method, url, timeout=self._retry.timeout_s, **kwargs)
        except SalesforceError as exc:
            raise error_from_response(exc.status, exc.content, what=f"{method} {path}") from None
        except requests.exceptions.SSLError as exc:
            raise OrgError(
                f"TLS verification failed for {self.instance_url}",
                hint="set SF_CA_BUNDLE to the CA bundle of this instance (the emulator prints it)",
            ) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            if method in _WRITES and _maybe_sent(exc):
                raise AnswerLost(f"{method} {path}: no answer ({type(exc).__name__})", status=0) from None
            raise TransientOrgError(f"{method} {path}: {type(exc).__name__}", status=0) from None
        if raw:
            return response
        if response.status_code == 204 or not response.content:
            return None
        return response.json()
