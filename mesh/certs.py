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

`CertificateAuthority` is the platform's one X.509 CA mechanism (P-256,
SHA-256): the mesh's SPIFFE certificates here and the edge's development
certificate (`devstack/devcert.py`) are both issued by it.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pathlib
from collections.abc import Iterable
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
MESH_ORGANIZATION = "iWORKZ local mesh"


def now() -> datetime.datetime:
    """The time as X.509 validity dates hold it (whole seconds, UTC)."""
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def write_atomic(path: pathlib.Path, data: bytes, private: bool = False) -> None:
    """Write atomically (a rename), so a watching Envoy never reads half a file; `private`: mode 0600."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(organization: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not ca,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Issued:
    """A leaf certificate and its key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def key_pem(self) -> bytes:
        return key_pem(self.key)


class CertificateAuthority:
    """An X.509 CA (P-256 keys, SHA-256 signatures) that issues leaf certificates."""

    def __init__(self, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        self.cert = cert
        self.key = key

    @classmethod
    def new(cls, organization: str, common_name: str, lifetime: datetime.timedelta) -> CertificateAuthority:
        """A fresh self-signed CA, valid for `lifetime` from now."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name(organization, common_name)
        start = now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start - _BACKDATE)
            .not_valid_after(start + lifetime)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(cert, key)

    @classmethod
    def load(cls, cert_pem: bytes, private_key_pem: bytes) -> CertificateAuthority:
        """A CA from its PEM certificate and key (e.g. kept in a state directory)."""
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the CA key is not an EC private key")
        return cls(x509.load_pem_x509_certificate(cert_pem), key)

    @property
    def not_valid_after(self) -> datetime.datetime:
        return self.cert.not_valid_after_utc

    def issue(
        self,
        common_name: str,
        *,
        organization: str,
        lifetime: datetime.timedelta,
        uris: Iterable[str] = (),
        dns_names: Iterable[str] = (),
        addresses: Iterable[str] = (),
        client: bool = False,
    ) -> Issued:
        """A server certificate (and a client one, with `client`) for the names given, never past the CA's."""
        key = ec.generate_private_key(ec.SECP256R1())
        start = now()
        usages = [ExtendedKeyUsageOID.SERVER_AUTH, *([ExtendedKeyUsageOID.CLIENT_AUTH] if client else [])]
        names: list[x509.GeneralName] = [x509.UniformResourceIdentifier(u) for u in uris]
        names += [x509.DNSName(d) for d in dns_names]
        names += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
        cert = (
            x509.CertificateBuilder()
            # SPIFFE X.509-SVIDs identify by URI SAN; the subject is informational.
            .subject_name(_name(organization, common_name))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start - _BACKDATE)
            .not_valid_after(min(start + lifetime, self.not_valid_after))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return Issued(cert, key)


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
        self._ca: CertificateAuthority | None = None

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
        ca = CertificateAuthority.new(MESH_ORGANIZATION, f"{self.trust_domain} mesh CA", CA_LIFETIME)
        self._ca = ca
        write_atomic(self.directory / "ca.key", key_pem(ca.key), private=True)
        write_atomic(self.ca_cert, pem(ca.cert))
        write_atomic(self.ca_sds, yaml.safe_dump(sds_trust(pem(ca.cert).decode())).encode())
        return self

    def issue(self, name: str) -> Identity:
        """Issue (or re-issue) the certificate of identity `name`, replacing the old files."""
        if self._ca is None:
            raise RuntimeError("create() the CA before issuing certificates")
        spiffe_id = self.spiffe_id(name)
        issued = self._ca.issue(
            name,
            organization=MESH_ORGANIZATION,
            lifetime=self.workload_lifetime,
            uris=[spiffe_id],
            dns_names=["localhost"],
            addresses=["127.0.0.1"],
            client=True,
        )
        chain = pem(issued.cert) + pem(self._ca.cert)
        identity = Identity(
            name,
            spiffe_id,
            self.directory / f"{name}.pem",
            self.directory / f"{name}.key",
            sds_file(self.directory, name),
            issued.cert.not_valid_after_utc,
        )
        write_atomic(identity.key, issued.key_pem, private=True)
        write_atomic(identity.cert, chain)
        write_atomic(
            identity.sds,
            yaml.safe_dump(sds_certificate(name, chain.decode(), issued.key_pem.decode())).encode(),
            private=True,
        )
        self.identities[name] = identity
        return identity

    def rotate_due(self, at: datetime.datetime | None = None) -> list[str]:
        """Re-issue every certificate past ROTATE_AFTER of its lifetime; return the names re-issued."""
        at = at or now()
        rotated = []
        for name, identity in list(self.identities.items()):
            remaining = identity.not_after - at
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
