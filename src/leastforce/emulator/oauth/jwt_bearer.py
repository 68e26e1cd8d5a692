"""The JWT bearer assertion: decode, verify the RS256 signature against the app's certificate, check
audience and expiry. https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm

Salesforce's answers ([3P] public issue threads): a bad audience is `audience is invalid`
(https://github.com/forcedotcom/cli/issues/3325); an expired `exp` is `expired authorization code`
(https://github.com/simple-salesforce/simple-salesforce/issues/371); a bad signature or a malformed
assertion is `invalid assertion` (UNVERIFIED wording).
"""

from __future__ import annotations

from typing import Any

import jwt
from cryptography import x509

from leastforce.emulator.http.wire import OAuthFailure


def _failure(description: str) -> OAuthFailure:
    return OAuthFailure("invalid_grant", description)


def unverified_claims(assertion: str) -> dict[str, Any]:
    """The claims without checking anything; a non-JWT is `invalid assertion`."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise _failure("invalid assertion") from exc
    if not isinstance(claims, dict):
        raise _failure("invalid assertion")
    return claims


def verify(assertion: str, certificate_pem: str | None, *, audiences: frozenset[str]) -> dict[str, Any]:
    """Check signature (RS256, the app's certificate), `aud` and `exp` (required; Salesforce wants it
    within 3 minutes from now, the emulator accepts any future time)."""
    if not certificate_pem:
        raise _failure("invalid assertion")
    try:
        public_key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    except ValueError as exc:
        raise _failure("invalid assertion") from exc
    try:
        claims = jwt.decode(
            assertion,
            public_key,  # type: ignore[arg-type]
            algorithms=["RS256"],
            options={"verify_aud": False, "require": ["exp", "iss", "sub", "aud"]},
            leeway=0,
        )
    except jwt.ExpiredSignatureError as exc:
        raise _failure("expired authorization code") from exc
    except jwt.PyJWTError as exc:
        raise _failure("invalid assertion") from exc
    aud = claims.get("aud")
    given = {aud} if isinstance(aud, str) else set(aud or ())
    if not {a.rstrip("/") for a in given} & audiences:
        raise _failure("audience is invalid")
    return claims
