"""TLS in Envoy configs: SDS files (certificates that rotate without a restart) and TLS contexts.

A certificate directory (`.iworkz/mesh/` for `make up`) holds one SDS file per
identity, `sds/<name>.yaml`, and the trust anchor `sds/mesh-ca.yaml`. Envoy
watches them, so replacing one (an atomic rename) rotates a running Envoy's
certificate.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from envoy.config import Json, typed

CA_SECRET = "mesh-ca"
TLS_MIN_VERSION = "TLSv1_2"
_SECRET_TYPE = "envoy.extensions.transport_sockets.tls.v3.Secret"


def sds_file(directory: pathlib.Path | str, name: str) -> pathlib.Path:
    """The SDS file of identity `name` (or of the CA, `CA_SECRET`) in a certificate directory."""
    return pathlib.Path(directory) / "sds" / f"{name}.yaml"


def sds_document(secret: Json) -> Json:
    """An SDS discovery response holding one secret, as Envoy reads from a watched file."""
    return {"resources": [typed(_SECRET_TYPE, **secret)]}


def sds_certificate(name: str, chain_pem: str, key_pem: str) -> Json:
    """The SDS document of a certificate chain and its key."""
    return sds_document(
        {
            "name": name,
            "tls_certificate": {
                "certificate_chain": {"inline_string": chain_pem},
                "private_key": {"inline_string": key_pem},
            },
        }
    )


def sds_trust(ca_pem: str) -> Json:
    """The SDS document of the trust anchor (`CA_SECRET`)."""
    return sds_document({"name": CA_SECRET, "validation_context": {"trusted_ca": {"inline_string": ca_pem}}})


def sds_config(name: str, path: pathlib.Path | str) -> Json:
    """An SDS secret read from a watched file."""
    return {"name": name, "sds_config": {"path_config_source": {"path": str(path)}, "resource_api_version": "V3"}}


@dataclass(frozen=True)
class Credentials:
    """An Envoy's own certificate and the CA it trusts, each from an SDS file or from plain files."""

    name: str
    cert_sds: pathlib.Path | None = None
    ca_sds: pathlib.Path | None = None
    cert_file: str = ""
    key_file: str = ""
    ca_file: str = ""

    @classmethod
    def from_directory(cls, directory: pathlib.Path | str, name: str) -> Credentials:
        """Identity `name`'s SDS files in a certificate directory (rotating certificates)."""
        return cls(name, cert_sds=sds_file(directory, name), ca_sds=sds_file(directory, CA_SECRET))

    def certificate(self) -> Json:
        """The common_tls_context entries of the own certificate."""
        if self.cert_sds is not None:
            return {"tls_certificate_sds_secret_configs": [sds_config(self.name, self.cert_sds)]}
        return {
            "tls_certificates": [
                {"certificate_chain": {"filename": self.cert_file}, "private_key": {"filename": self.key_file}}
            ]
        }

    def trust(self, spiffe_id: str | None = None) -> Json:
        """The common_tls_context entries of the trusted CA (and, when given, the peer's SPIFFE id)."""
        san = (
            {"match_typed_subject_alt_names": [{"san_type": "URI", "matcher": {"exact": spiffe_id}}]}
            if spiffe_id
            else {}
        )
        if self.ca_sds is not None:
            if not san:
                return {"validation_context_sds_secret_config": sds_config(CA_SECRET, self.ca_sds)}
            return {
                "combined_validation_context": {
                    "default_validation_context": san,
                    "validation_context_sds_secret_config": sds_config(CA_SECRET, self.ca_sds),
                }
            }
        return {"validation_context": {"trusted_ca": {"filename": self.ca_file}, **san}}


def common_context(alpn: list[str], *parts: Json) -> Json:
    context: Json = {"alpn_protocols": alpn, "tls_params": {"tls_minimum_protocol_version": TLS_MIN_VERSION}}
    for part in parts:
        context.update(part)
    return context


def transport_socket(kind: str, context: Json) -> Json:
    """A TLS transport socket; `kind` is `UpstreamTlsContext` or `DownstreamTlsContext`."""
    return {
        "name": "envoy.transport_sockets.tls",
        "typed_config": typed(f"envoy.extensions.transport_sockets.tls.v3.{kind}", **context),
    }


def upstream_mtls(credentials: Credentials, peer_spiffe_id: str, sni: str | None = None) -> Json:
    """mTLS to an upstream: present `credentials`, accept only a certificate for `peer_spiffe_id` (HTTP/2)."""
    context: Json = {
        "common_tls_context": common_context(["h2"], credentials.certificate(), credentials.trust(peer_spiffe_id))
    }
    if sni:
        context = {"sni": sni, **context}
    return transport_socket("UpstreamTlsContext", context)


def downstream_mtls(credentials: Credentials) -> Json:
    """mTLS from callers: present `credentials`, require a client certificate from the trusted CA (HTTP/2)."""
    return transport_socket(
        "DownstreamTlsContext",
        {
            "require_client_certificate": True,
            "common_tls_context": common_context(["h2"], credentials.certificate(), credentials.trust()),
        },
    )


def downstream_tls(cert_file: str, key_file: str) -> Json:
    """TLS for browsers and clients (HTTP/2 and HTTP/1.1), from certificate and key files."""
    return transport_socket(
        "DownstreamTlsContext",
        {
            "common_tls_context": common_context(
                ["h2", "http/1.1"], Credentials("server", cert_file=cert_file, key_file=key_file).certificate()
            )
        },
    )
