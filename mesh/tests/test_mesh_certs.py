"""The mesh CA and its SPIFFE workload certificates (no network)."""

from __future__ import annotations

import datetime
import stat

import pytest
import yaml
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from envoy import tls
from mesh import certs
from topology import load


@pytest.fixture
def mesh(tmp_path):
    return certs.for_topology(tmp_path / "mesh", load())


def _cert(identity: certs.Identity) -> x509.Certificate:
    return x509.load_pem_x509_certificate(identity.cert.read_bytes())


def test_every_service_and_the_edge_get_a_spiffe_certificate(mesh):
    topology = load()
    assert set(mesh.identities) == {*topology.services, "edge"}
    ca = x509.load_pem_x509_certificate(mesh.ca_cert.read_bytes())
    for name, identity in mesh.identities.items():
        cert = _cert(identity)
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert sans.get_values_for_type(x509.UniformResourceIdentifier) == [topology.spiffe_id(name)]
        assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
        assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH} <= set(usages)
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        cert.verify_directly_issued_by(ca)
        assert certs.spiffe_ids(identity.cert.read_bytes()) == [topology.spiffe_id(name)]


def test_workload_certificates_are_short_lived(mesh):
    now = datetime.datetime.now(datetime.UTC)
    for identity in mesh.identities.values():
        cert = _cert(identity)
        assert cert.not_valid_after_utc - now <= certs.WORKLOAD_LIFETIME
        assert cert.not_valid_after_utc == identity.not_after
        assert cert.not_valid_before_utc <= now


def test_keys_are_private_and_envoy_gets_them_through_sds_files(mesh):
    assert stat.S_IMODE(mesh.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((mesh.directory / "ca.key").stat().st_mode) == 0o600
    for name, identity in mesh.identities.items():
        assert stat.S_IMODE(identity.key.stat().st_mode) == 0o600
        assert stat.S_IMODE(identity.sds.stat().st_mode) == 0o600
        assert identity.sds == tls.sds_file(mesh.directory, name)
        (secret,) = yaml.safe_load(identity.sds.read_text())["resources"]
        assert secret["name"] == name
        assert secret["tls_certificate"]["certificate_chain"]["inline_string"] == identity.cert.read_text()
        assert secret["tls_certificate"]["private_key"]["inline_string"] == identity.key.read_text()
    (ca,) = yaml.safe_load(mesh.ca_sds.read_text())["resources"]
    assert ca["name"] == tls.CA_SECRET
    assert ca["validation_context"]["trusted_ca"]["inline_string"] == mesh.ca_cert.read_text()


def test_certificates_are_reissued_once_half_their_lifetime_has_passed(mesh):
    assert mesh.rotate_due() == []
    serials = {name: _cert(i).serial_number for name, i in mesh.identities.items()}
    later = datetime.datetime.now(datetime.UTC) + certs.WORKLOAD_LIFETIME * certs.ROTATE_AFTER
    assert sorted(mesh.rotate_due(later + datetime.timedelta(minutes=1))) == sorted(serials)
    for name, identity in mesh.identities.items():
        assert _cert(identity).serial_number != serials[name]
        assert (
            _cert(identity).serial_number
            == x509.load_pem_x509_certificate(
                yaml.safe_load(identity.sds.read_text())["resources"][0]["tls_certificate"]["certificate_chain"][
                    "inline_string"
                ].encode()
            ).serial_number
        )


def test_each_start_makes_a_new_ca(tmp_path):
    first = certs.create_mesh(tmp_path / "m", "iworkz.local", "iworkz", ["edge"]).ca_cert.read_bytes()
    second = certs.create_mesh(tmp_path / "m", "iworkz.local", "iworkz", ["edge"]).ca_cert.read_bytes()
    assert first != second


def test_issuing_needs_a_ca(tmp_path):
    with pytest.raises(RuntimeError):
        certs.MeshCA(tmp_path, "iworkz.local", "iworkz").issue("edge")
