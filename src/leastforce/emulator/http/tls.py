"""The emulator's own certificate authority and server certificate, kept in the state directory.

`ensure_certificates(state_dir)` writes (once) ``ca.pem`` + ``ca.key`` (a self-signed CA) and
``server.pem`` + ``server.key`` (a leaf for ``localhost`` and ``127.0.0.1``, signed by the CA). Every file
is written 0600 and never through a symbolic link (emulator/statedir.py). The CA is name-constrained
(critical) to ``localhost`` and ``127.0.0.1``: a client that trusts ``ca.pem`` trusts it for nothing else,
even if its key leaked (RFC 5280 §4.2.1.10). Clients trust ``ca.pem`` (requests ``verify=``, Node ``NODE_EXTRA_CA_CERTS``). The files are
reused on restart so a client that trusted the CA once keeps trusting it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from leastforce.emulator import statedir


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the PEM files the server and its clients need."""

    ca_cert: Path
    server_cert: Path
    server_key: Path


# The only names the CA may certify: the server certificate's.
_LOCAL_NAMES: list[x509.GeneralName] = [
    x509.DNSName("localhost"),
    x509.IPAddress(ipaddress.ip_network("127.0.0.1/32")),
]
_VALIDITY = dt.timedelta(days=825)  # the longest leaf lifetime Apple/Chrome accept; plenty for tests


def ensure_certificates(state_dir: Path) -> TlsFiles:
    """Create the CA and server certificate under state_dir unless they are already there."""
    files = TlsFiles(state_dir / "ca.pem", state_dir / "server.pem", state_dir / "server.key")
    ca_key_path = state_dir / "ca.key"
    statedir.private_dir(state_dir)
    present = [
        statedir.check_file(p) for p in (files.ca_cert, files.server_cert, files.server_key, ca_key_path)
    ]
    if all(present[:3]):
        return files
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _ca_certificate(ca_key)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _server_certificate(server_key, ca_key, ca_cert)
    _write_key(ca_key_path, ca_key)
    _write_key(files.server_key, server_key)
    statedir.write_file(files.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM))
    statedir.write_file(files.server_cert, server_cert.public_bytes(serialization.Encoding.PEM))
    return files


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # tolerate small clock skew


def _ca_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "leastforce emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, "leastforce emulator local CA"),
        ]
    )
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now())
        .not_valid_after(_now() + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.NameConstraints(permitted_subtrees=_LOCAL_NAMES, excluded_subtrees=None), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> x509.Certificate:
    public = key.public_key()
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now())
        .not_valid_after(_now() + _VALIDITY)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Write a private key readable by the owner only (0600 from the start, no window)."""
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    statedir.write_file(path, data)
