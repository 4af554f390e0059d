"""Signing keys as the Data Integrity cryptosuites use them, with Multikey encoding.

- `ecdsa-rdfc-2019`: P-256; signatures are raw r‖s (64 bytes) over SHA-256;
  Multikey `z` + base58btc(0x8024 ‖ compressed point).
- `eddsa-rdfc-2022`: Ed25519; Multikey `z` + base58btc(0xed01 ‖ key).

The same keys sign SD-JWTs (ES256 / EdDSA) through their JWKs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import multicodec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from services.credentials.domain import base58

ECDSA = "ecdsa-rdfc-2019"
EDDSA = "eddsa-rdfc-2022"
SUITES = (ECDSA, EDDSA)
_CODEC = {ECDSA: "p256-pub", EDDSA: "ed25519-pub"}
_SUITE_OF_CODEC = {codec: suite for suite, codec in _CODEC.items()}


class InvalidKey(ValueError):
    """A key or Multikey string that cannot be used."""


PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKeyObject = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


def _raw_public(key: PublicKeyObject) -> bytes:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


@dataclass(frozen=True)
class PublicKey:
    """A verification key with its cryptosuite."""

    suite: str
    key: PublicKeyObject

    @property
    def multibase(self) -> str:
        """The Multikey `publicKeyMultibase` value."""
        return base58.multibase_encode(multicodec.add_prefix(_CODEC[self.suite], _raw_public(self.key)))

    @property
    def jwk(self) -> dict[str, Any]:
        """The public JWK (for `cnf` and SD-JWT issuer keys)."""
        from jwcrypto.jwk import JWK

        result: dict[str, Any] = json.loads(JWK.from_pyca(self.key).export_public())
        return result

    @property
    def jws_alg(self) -> str:
        return "ES256" if self.suite == ECDSA else "EdDSA"

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Check a cryptosuite signature over `data` (ECDSA: raw r‖s with SHA-256)."""
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, data)
            else:
                if len(signature) != 64:
                    return False
                der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
                self.key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True


def public_key_from_multibase(value: str) -> PublicKey:
    """Decode a Multikey `z...` string (P-256 or Ed25519)."""
    if not value.startswith("z"):
        raise InvalidKey("a Multikey is base58btc, starting with 'z'")
    try:
        prefixed = base58.multibase_decode(value)
        codec = multicodec.get_codec(prefixed)
        raw = multicodec.remove_prefix(prefixed)
    except Exception as error:  # the libraries raise several error types
        raise InvalidKey(f"not a Multikey: {error}") from None
    suite = _SUITE_OF_CODEC.get(codec)
    if suite == EDDSA and len(raw) == 32:
        return PublicKey(EDDSA, ed25519.Ed25519PublicKey.from_public_bytes(raw))
    if suite == ECDSA and len(raw) == 33:
        try:
            return PublicKey(ECDSA, ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw))
        except ValueError:
            raise InvalidKey("not a point on P-256") from None
    raise InvalidKey(f"unsupported Multikey codec {codec}")


def public_key_from_jwk(jwk: dict[str, Any]) -> PublicKey:
    """A P-256 or Ed25519 public JWK."""
    from jwcrypto.jwk import JWK

    try:
        key = JWK(**{k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y")}).get_op_key("verify")
    except Exception as error:
        raise InvalidKey(f"not a usable JWK: {error}") from None
    if isinstance(key, ed25519.Ed25519PublicKey):
        return PublicKey(EDDSA, key)
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return PublicKey(ECDSA, key)
    raise InvalidKey("only P-256 and Ed25519 keys are supported")


@dataclass(frozen=True)
class KeyPair:
    """A signing key with its cryptosuite."""

    suite: str
    private: PrivateKey

    @classmethod
    def generate(cls, suite: str = ECDSA) -> KeyPair:
        if suite == ECDSA:
            return cls(suite, ec.generate_private_key(ec.SECP256R1()))
        if suite == EDDSA:
            return cls(suite, ed25519.Ed25519PrivateKey.generate())
        raise InvalidKey(f"unknown cryptosuite {suite}")

    @classmethod
    def from_private_bytes(cls, suite: str, raw: bytes) -> KeyPair:
        """Rebuild from `private_bytes()` output (32 bytes for both suites)."""
        if suite == ECDSA:
            return cls(suite, ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1()))
        if suite == EDDSA:
            return cls(suite, ed25519.Ed25519PrivateKey.from_private_bytes(raw))
        raise InvalidKey(f"unknown cryptosuite {suite}")

    def private_bytes(self) -> bytes:
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
        return self.private.private_numbers().private_value.to_bytes(32, "big")

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.suite, self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        """A cryptosuite signature over `data` (ECDSA: SHA-256, raw r‖s)."""
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.sign(data)
        r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def jwk(self) -> Any:
        """A jwcrypto JWK holding the private key (for signing JWTs)."""
        from jwcrypto.jwk import JWK

        return JWK.from_pyca(self.private)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
