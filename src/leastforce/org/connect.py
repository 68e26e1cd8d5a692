"""From an ``--org`` value to a connected OrgClient.

``--org`` (or LEASTFORCE_ORG) accepts:
- an instance URL (``https://acme.my.salesforce.com``), credentials from the environment:
  SF_ACCESS_TOKEN; or SF_CLIENT_ID + SF_CLIENT_SECRET (client credentials flow); or SF_CLIENT_ID +
  SF_USERNAME + SF_JWT_KEY_FILE (JWT bearer flow); or SF_USERNAME + SF_PASSWORD (+ SF_SECURITY_TOKEN)
  with SF_CLIENT_ID/SF_CLIENT_SECRET (username-password flow). SF_CA_BUNDLE names a CA bundle to trust.
- an alias or username known to the Salesforce CLI (``sf``);
- ``snapshot:PATH``, an offline snapshot (handled by the caller: see OrgSpec.kind).
Token flows post to ``{instance}/services/oauth2/token`` (simple-salesforce's helpers only know
login.salesforce.com). https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flows.htm
"""

from __future__ import annotations

import enum
import json
import os
import stat
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import requests

from leastforce.errors import AuthError, InputError, OrgError
from leastforce.org.client import Session, SimpleSalesforceClient
from leastforce.values import secrets

REDACTED_MARK = "REDACTED"
SECRET_VARIABLES = ("SF_ACCESS_TOKEN", "SF_CLIENT_SECRET", "SF_PASSWORD", "SF_SECURITY_TOKEN")
MAX_KEY_BYTES = 64 * 1024  # an RSA 4096 PEM key is ~3.3 KiB; /dev/zero must not fill the memory


class OrgKind(enum.Enum):
    URL = "url"
    SF_CLI = "sf"
    SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class OrgSpec:
    kind: OrgKind
    value: str

    def __str__(self) -> str:
        return f"snapshot:{self.value}" if self.kind is OrgKind.SNAPSHOT else self.value


def parse_org_spec(text: str | None, env: Mapping[str, str]) -> OrgSpec:
    """Classify an --org value; falls back to LEASTFORCE_ORG."""
    value = (text or env.get("LEASTFORCE_ORG", "")).strip()
    if not value:
        raise InputError("no org given: pass --org (URL, sf alias or snapshot:FILE) or set LEASTFORCE_ORG")
    if value.startswith("snapshot:"):
        return OrgSpec(OrgKind.SNAPSHOT, value.removeprefix("snapshot:"))
    if value.lower().startswith("http://"):
        # refused before any request: the client secret, password or token would cross the network in clear
        raise InputError(
            f"{value}: an org URL must start with https:// (plain http would send credentials in clear)"
        )
    if value.lower().startswith("https://"):
        return OrgSpec(OrgKind.URL, value.rstrip("/"))
    return OrgSpec(OrgKind.SF_CLI, value)


Runner = Callable[..., subprocess.CompletedProcess[str]]


def login_function(
    spec: OrgSpec, env: Mapping[str, str], *, runner: Runner = subprocess.run
) -> Callable[[], Session]:
    """A function that logs in (again) and returns a fresh Session; used for renewal after expiry."""
    if spec.kind is OrgKind.SNAPSHOT:
        raise InputError(f"{spec} is an offline snapshot: this command needs a live org")
    ca_bundle = _ca_bundle(env)
    if spec.kind is OrgKind.SF_CLI:
        return lambda: session_from_sf_cli(spec.value, env, runner=runner, ca_bundle=ca_bundle)
    return _env_login(spec.value, env, ca_bundle)


def connect(
    spec: OrgSpec, env: Mapping[str, str], *, runner: Runner = subprocess.run
) -> SimpleSalesforceClient:
    """A client for a URL or sf CLI org (snapshots are not connected: read them with org.snapshot_file)."""
    login = login_function(spec, env, runner=runner)
    return SimpleSalesforceClient(login(), renew=login)


def client_factory(
    spec: OrgSpec, env: Mapping[str, str], *, runner: Runner = subprocess.run
) -> Callable[[], SimpleSalesforceClient]:
    """Log in once; each call returns a new client on that session (one per worker thread)."""
    login = login_function(spec, env, runner=runner)
    first = login()
    return lambda: SimpleSalesforceClient(first, renew=login)


def _env_login(instance_url: str, env: Mapping[str, str], ca_bundle: str | None) -> Callable[[], Session]:
    """Pick the credential flow from the environment variables present."""
    token_url = f"{instance_url}/services/oauth2/token"
    secrets.register(*(env.get(name) for name in SECRET_VARIABLES))
    secrets.register(env.get("SF_PASSWORD", "") + env.get("SF_SECURITY_TOKEN", ""))
    if env.get("SF_ACCESS_TOKEN"):
        token = env["SF_ACCESS_TOKEN"]
        return lambda: Session(instance_url, token, ca_bundle)
    client_id = env.get("SF_CLIENT_ID", "")
    if client_id and env.get("SF_USERNAME") and env.get("SF_JWT_KEY_FILE"):
        form = lambda: {  # noqa: E731
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": jwt_assertion(client_id, env["SF_USERNAME"], env["SF_JWT_KEY_FILE"], env),
        }
    elif client_id and env.get("SF_CLIENT_SECRET") and not env.get("SF_USERNAME"):
        form = lambda: {  # noqa: E731
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": env["SF_CLIENT_SECRET"],
        }
    elif env.get("SF_USERNAME") and env.get("SF_PASSWORD"):
        if not (client_id and env.get("SF_CLIENT_SECRET")):
            raise InputError(
                "SF_USERNAME + SF_PASSWORD need SF_CLIENT_ID and SF_CLIENT_SECRET "
                "(the OAuth username-password flow; SOAP login() is retired from API 65.0)"
            )
        form = lambda: {  # noqa: E731
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": env["SF_CLIENT_SECRET"],
            "username": env["SF_USERNAME"],
            "password": env["SF_PASSWORD"] + env.get("SF_SECURITY_TOKEN", ""),
        }
    else:
        raise InputError(
            f"no credentials for {instance_url}: set SF_ACCESS_TOKEN, or SF_CLIENT_ID + SF_CLIENT_SECRET, "
            "or SF_CLIENT_ID + SF_USERNAME + SF_JWT_KEY_FILE, or SF_USERNAME + SF_PASSWORD"
        )
    return lambda: token_login(token_url, form(), ca_bundle)


def token_login(token_url: str, form: Mapping[str, str], ca_bundle: str | None) -> Session:
    """POST an OAuth token request; errors keep Salesforce's error and error_description."""
    try:
        response = requests.post(token_url, data=dict(form), verify=ca_bundle or True, timeout=60)
    except requests.exceptions.SSLError as exc:
        raise OrgError(
            f"TLS verification failed for {token_url}", hint="set SF_CA_BUNDLE to the instance's CA bundle"
        ) from exc
    except requests.exceptions.RequestException as exc:
        raise OrgError(f"cannot reach {token_url}: {type(exc).__name__}") from None
    body = _json_or_empty(response)
    if response.status_code != 200 or "access_token" not in body:
        error = str(body.get("error", f"HTTP {response.status_code}"))
        description = str(body.get("error_description", ""))
        raise AuthError(
            f"{error}: {description}" if description else error,
            error_code=error,
            status=response.status_code,
            hint="run `leastforce doctor --error '<message>'` for the cause and the fix",
        )
    secrets.register(str(body["access_token"]), str(body.get("refresh_token") or "") or None)
    instance_url = str(body.get("instance_url") or token_url.split("/services/")[0])
    return Session(
        require_https(instance_url, "the token endpoint's instance_url"), body["access_token"], ca_bundle
    )


def jwt_assertion(client_id: str, username: str, key_file: str, env: Mapping[str, str]) -> str:
    """An RS256 JWT for the bearer flow: iss = consumer key, sub = username, aud = login host, exp <= 3 min.

    https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
    """
    key = _read_key_file(key_file)
    audience = env.get("SF_AUDIENCE", "https://login.salesforce.com")
    claims = {"iss": client_id, "sub": username, "aud": audience, "exp": int(time.time()) + 180}
    try:
        assertion = jwt.encode(claims, key, algorithm="RS256")
    except (ValueError, TypeError, jwt.exceptions.PyJWTError) as exc:
        raise InputError(f"SF_JWT_KEY_FILE {key_file} is not an RSA private key in PEM") from exc
    secrets.register(assertion)
    return assertion


def session_from_sf_cli(
    alias: str, env: Mapping[str, str], *, runner: Runner = subprocess.run, ca_bundle: str | None = None
) -> Session:
    """Token and instance from the sf CLI: ``org auth show-access-token`` (newer CLIs redact the token in
    ``org display``), falling back to ``org display`` for older CLIs that lack the command."""
    display = _run_sf(["org", "display", "--target-org", alias, "--json"], env, runner)
    instance_url = str(display.get("instanceUrl", ""))
    token = str(display.get("accessToken", ""))
    shown = _run_sf(
        ["org", "auth", "show-access-token", "--target-org", alias, "--json"], env, runner, soft=True
    )
    if shown and shown.get("accessToken"):
        token = str(shown["accessToken"])
    if REDACTED_MARK not in token:
        secrets.register(token)
    if not instance_url or not token or REDACTED_MARK in token:
        raise AuthError(
            f"the sf CLI gave no usable access token for {alias!r}",
            hint=f"check `sf org display --target-org {alias}`; log in again with `sf org login web`",
        )
    return Session(require_https(instance_url, f"the sf CLI's instance URL for {alias!r}"), token, ca_bundle)


def _run_sf(args: list[str], env: Mapping[str, str], runner: Runner, *, soft: bool = False) -> dict[str, Any]:
    binary = env.get("LEASTFORCE_SF_BIN", "sf")
    run_env = {**os.environ, **env, "NO_COLOR": "1", "SF_DISABLE_TELEMETRY": "true"}
    try:
        done = runner([binary, *args], capture_output=True, text=True, env=run_env, timeout=120)
    except FileNotFoundError:
        raise OrgError(
            f"the Salesforce CLI ({binary}) is not installed",
            hint="install it (npm install -g @salesforce/cli) or pass --org as an instance URL",
        ) from None
    except subprocess.TimeoutExpired:
        raise OrgError(f"`{binary} {' '.join(args[:2])}` did not answer in 120 s") from None
    body = _parse_json(done.stdout)
    if done.returncode != 0 or body.get("status", 0) != 0:
        if soft:
            return {}
        message = str(body.get("message") or "sf CLI failed")
        raise AuthError(f"sf {' '.join(args[:2])}: {message}", error_code=str(body.get("name", "")))
    result = body.get("result", {})
    return result if isinstance(result, dict) else {}


def _parse_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def require_https(url: str, what: str) -> str:
    """``url`` if it is https; an InputError before anything is sent otherwise."""
    if not url.lower().startswith("https://"):
        raise InputError(f"{what} {url!r} is not https: refusing to send credentials in clear")
    return url


def _ca_bundle(env: Mapping[str, str]) -> str | None:
    """SF_CA_BUNDLE (or NODE_EXTRA_CA_CERTS, as the sf CLI reads it), checked to be a readable file."""
    name = "SF_CA_BUNDLE" if env.get("SF_CA_BUNDLE") else "NODE_EXTRA_CA_CERTS"
    path = env.get(name) or None
    if path is None:
        return None
    if not Path(path).is_file() or not os.access(path, os.R_OK):
        raise InputError(f"{name} {path}: not a readable CA bundle file (a PEM file of CA certificates)")
    return path


def _read_key_file(key_file: str) -> str:
    """The PEM text of SF_JWT_KEY_FILE: a regular file of at most MAX_KEY_BYTES, registered as a secret."""
    try:
        with open(key_file, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(f"SF_JWT_KEY_FILE {key_file} is not a regular file")
            data = handle.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read SF_JWT_KEY_FILE {key_file}: {exc.strerror}") from None
    if len(data) > MAX_KEY_BYTES:
        raise InputError(
            f"SF_JWT_KEY_FILE {key_file} is larger than {MAX_KEY_BYTES // 1024} KiB: not a PEM key"
        )
    try:
        key = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"SF_JWT_KEY_FILE {key_file} is not an RSA private key in PEM") from None
    secrets.register_lines(key)
    return key
