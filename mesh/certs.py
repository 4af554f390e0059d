"""The local mesh's certificate authority and SPIFFE workload certificates.

`make up` creates a fresh CA and one certificate per identity (every service
of the topology, plus `edge`) at start-up under `.iworkz/mesh/`, and re-issues
the workload certificates before they expire while it runs. Nothing here is
ever committed: a run's CA exists only for that run.

Each identity gets, in `<dir>/`:

- `<name>.pem` / `<name>.key`: certificate (leaf + CA) and key, for clients
  written in Python (the launcher's probes, tests, the benchmark);
- `sds/<name>.yaml`: the same as an Envoy SDS file (inline PEM). Envoy watches
  it, so replacing it (an atomic rename) rotates the certificate of a running
  sidecar without a restart;
- `ca.pem` and `sds/mesh-ca.yaml`: the trust anchor.

Certificates carry the SPIFFE id `spiffe://<trust domain>/ns/<ns>/sa/<name>`
as their only URI SAN (what sidecars authorise), plus `localhost` and
`127.0.0.1` so loopback clients can check the server's name.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pathlib
from dataclasses import dataclass

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from envoy.tls import CA_SECRET, sds_certificate, sds_file, sds_trust

WORKLOAD_LIFETIME = datetime.timedelta(hours=24)
CA_LIFETIME = datetime.timedelta(days=30)
# Re-issue a workload certificate once this share of its lifetime has passed.
ROTATE_AFTER = 0.5
_BACKDATE = datetime.timedelta(minutes=5)  # tolerate small clock differences


def _now() -> datetime.datetime:
    # Whole seconds: what X.509 validity dates can hold.
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _write(path: pathlib.Path, data: bytes, private: bool = False) -> None:
    """Write atomically (a rename), so a watching Envoy never reads half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass(frozen=True)
class Identity:
    """Where one identity's certificate and key are."""

    name: str
    spiffe_id: str
    cert: pathlib.Path  # leaf followed by the CA
    key: pathlib.Path
    sds: pathlib.Path  # Envoy SDS file (TLS certificate secret named `name`)
    not_after: datetime.datetime

    def read(self) -> tuple[bytes, bytes]:
        """(certificate chain PEM, private key PEM), e.g. for grpc.ssl_channel_credentials."""
        return self.cert.read_bytes(), self.key.read_bytes()


class MeshCA:
    """A CA that issues SPIFFE workload certificates into one directory."""

    def __init__(
        self,
        directory: pathlib.Path,
        trust_domain: str,
        namespace: str,
        workload_lifetime: datetime.timedelta = WORKLOAD_LIFETIME,
    ) -> None:
        self.directory = pathlib.Path(directory)
        self.trust_domain = trust_domain
        self.namespace = namespace
        self.workload_lifetime = workload_lifetime
        self.identities: dict[str, Identity] = {}
        self._key: ec.EllipticCurvePrivateKey | None = None
        self._cert: x509.Certificate | None = None

    @property
    def ca_cert(self) -> pathlib.Path:
        return self.directory / "ca.pem"

    @property
    def ca_sds(self) -> pathlib.Path:
        return sds_file(self.directory, CA_SECRET)

    def spiffe_id(self, name: str) -> str:
        return f"spiffe://{self.trust_domain}/ns/{self.namespace}/sa/{name}"

    def create(self) -> MeshCA:
        """A new CA (replacing any earlier one in the directory)."""
        (self.directory / "sds").mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "iWORKZ local mesh"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{self.trust_domain} mesh CA"),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _BACKDATE)
            .not_valid_after(now + CA_LIFETIME)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
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
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        self._key, self._cert = key, cert
        _write(self.directory / "ca.key", _key_pem(key), private=True)
        _write(self.ca_cert, _pem(cert))
        _write(
            self.ca_sds,
            yaml.safe_dump(sds_trust(_pem(cert).decode())).encode(),
        )
        return self

    def issue(self, name: str) -> Identity:
        """Issue (or re-issue) the certificate of identity `name`, replacing the old files."""
        if self._key is None or self._cert is None:
            raise RuntimeError("create() the CA before issuing certificates")
        key = ec.generate_private_key(ec.SECP256R1())
        spiffe_id = self.spiffe_id(name)
        now = _now()
        not_after = min(now + self.workload_lifetime, self._cert.not_valid_after_utc)
        cert = (
            x509.CertificateBuilder()
            # SPIFFE X.509-SVIDs identify by URI SAN; the subject is informational.
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "iWORKZ local mesh"),
                        x509.NameAttribute(NameOID.COMMON_NAME, name),
                    ]
                )
            )
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _BACKDATE)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=True,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False,
            )
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.UniformResourceIdentifier(spiffe_id),
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        chain = _pem(cert) + _pem(self._cert)
        identity = Identity(
            name,
            spiffe_id,
            self.directory / f"{name}.pem",
            self.directory / f"{name}.key",
            sds_file(self.directory, name),
            not_after,
        )
        _write(identity.key, _key_pem(key), private=True)
        _write(identity.cert, chain)
        _write(
            identity.sds,
            yaml.safe_dump(sds_certificate(name, chain.decode(), _key_pem(key).decode())).encode(),
            private=True,
        )
        self.identities[name] = identity
        return identity

    def rotate_due(self, now: datetime.datetime | None = None) -> list[str]:
        """Re-issue every certificate past ROTATE_AFTER of its lifetime; return the names re-issued."""
        now = now or _now()
        rotated = []
        for name, identity in list(self.identities.items()):
            remaining = identity.not_after - now
            if remaining <= self.workload_lifetime * (1 - ROTATE_AFTER):
                self.issue(name)
                rotated.append(name)
        return rotated


def create_mesh(
    directory: pathlib.Path,
    trust_domain: str,
    namespace: str,
    names,
    workload_lifetime: datetime.timedelta = WORKLOAD_LIFETIME,
) -> MeshCA:
    """A fresh CA in `directory` and a certificate for each of `names`."""
    ca = MeshCA(directory, trust_domain, namespace, workload_lifetime).create()
    for name in names:
        ca.issue(name)
    return ca


def for_topology(directory: pathlib.Path, topology, extra: tuple[str, ...] = ("edge",)) -> MeshCA:
    """The mesh of a topology: a CA and a certificate for every service and for `edge`."""
    return create_mesh(directory, topology.trust_domain, topology.namespace, [*topology.services, *extra])


def spiffe_ids(cert_pem: bytes) -> list[str]:
    """The URI SANs of a PEM certificate (its first certificate)."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return sans.get_values_for_type(x509.UniformResourceIdentifier)
