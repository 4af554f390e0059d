"""The edge's development TLS: a local CA and a server certificate for localhost.

Only for running on one machine (`make up`, tests): the CA and certificate are
created under a state directory (e.g. `.iworkz/edge/tls/`), never committed,
and reused while valid. Clients trust `ca.pem` (curl `--cacert`, httpx
`verify=`, `grpc.ssl_channel_credentials`). Issued by the platform's one CA
mechanism (`mesh.certs.CertificateAuthority`); the mesh's own CA (SPIFFE
certificates for sidecars) is another instance, made fresh at each start.
"""

from __future__ import annotations

import datetime
import os
import pathlib
from dataclasses import dataclass

from cryptography import x509

from mesh.certs import CertificateAuthority, key_pem, now, pem, write_atomic

HOSTS = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")
ORGANIZATION = "iWORKZ development"
CA_LIFETIME = datetime.timedelta(days=365)
SERVER_LIFETIME = datetime.timedelta(days=30)
RENEW_BEFORE = datetime.timedelta(days=2)


@dataclass(frozen=True)
class DevTls:
    ca: pathlib.Path  # trust this
    cert: pathlib.Path  # the edge's certificate chain (server + CA)
    key: pathlib.Path  # the edge's private key (0600)


def _still_good(path: pathlib.Path, at: datetime.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc - at > RENEW_BEFORE


def ensure(state_dir: pathlib.Path | str) -> DevTls:
    """Create (or reuse while valid) the dev CA and the edge's server certificate."""
    directory = pathlib.Path(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    paths = DevTls(ca=directory / "ca.pem", cert=directory / "server.pem", key=directory / "server-key.pem")
    ca_key_path = directory / "ca-key.pem"
    at = now()

    if _still_good(paths.ca, at) and ca_key_path.exists():
        ca = CertificateAuthority.load(paths.ca.read_bytes(), ca_key_path.read_bytes())
    else:
        ca = CertificateAuthority.new(ORGANIZATION, f"{ORGANIZATION} CA", CA_LIFETIME)
        write_atomic(ca_key_path, key_pem(ca.key), private=True)
        write_atomic(paths.ca, pem(ca.cert))
        paths.cert.unlink(missing_ok=True)  # signed by the old CA

    if _still_good(paths.cert, at) and paths.key.exists():
        return paths
    issued = ca.issue(
        "localhost", organization=ORGANIZATION, lifetime=SERVER_LIFETIME, dns_names=HOSTS, addresses=ADDRESSES
    )
    write_atomic(paths.key, issued.key_pem, private=True)
    write_atomic(paths.cert, pem(issued.cert) + pem(ca.cert))
    return paths
