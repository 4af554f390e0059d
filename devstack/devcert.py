"""The edge's development TLS: a local CA and a server certificate for localhost.

Only for running on one machine (`make up`, tests): the CA and certificate are
created under a state directory (e.g. `.iworkz/edge-tls/`), never committed,
and reused while valid. Clients trust `ca.pem` (curl `--cacert`, httpx
`verify=`, `grpc.ssl_channel_credentials`). The mesh's own CA (SPIFFE
certificates for sidecars) is separate and lives in `mesh/`.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pathlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOSTS = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")
CA_DAYS = 365
SERVER_DAYS = 30
RENEW_BEFORE = datetime.timedelta(days=2)


@dataclass(frozen=True)
class DevTls:
    ca: pathlib.Path  # trust this
    cert: pathlib.Path  # the edge's certificate chain (server + CA)
    key: pathlib.Path  # the edge's private key (0600)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "iWORKZ development"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: pathlib.Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _still_good(path: pathlib.Path, now: datetime.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc - now > RENEW_BEFORE


def ensure(state_dir: pathlib.Path | str) -> DevTls:
    """Create (or reuse while valid) the dev CA and the edge's server certificate."""
    directory = pathlib.Path(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    paths = DevTls(ca=directory / "ca.pem", cert=directory / "server.pem", key=directory / "server-key.pem")
    ca_key_path = directory / "ca-key.pem"
    now = datetime.datetime.now(datetime.UTC)

    if _still_good(paths.ca, now) and ca_key_path.exists():
        ca_cert = x509.load_pem_x509_certificate(paths.ca.read_bytes())
        loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{ca_key_path} is not an EC private key")
        ca_key = loaded
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(_name("iWORKZ development CA"))
            .issuer_name(_name("iWORKZ development CA"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(ca_key_path, _key_pem(ca_key))
        paths.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        paths.cert.unlink(missing_ok=True)  # signed by the old CA

    if _still_good(paths.cert, now) and paths.key.exists():
        return paths
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(h) for h in HOSTS] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ADDRESSES]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(paths.key, _key_pem(key))
    paths.cert.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    return paths
