"""Access-token signing keys (EC P-256) and ES256 access tokens."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ACCESS_TOKEN_SECONDS = 15 * 60
ISSUER = "iworkz-identity"
AUDIENCE = "iworkz"
# A replaced key stays in the JWKS while tokens it signed may still be valid
# (15 minutes, plus a minute for clock skew), however often keys are rotated.
RETIRED_KEY_GRACE_SECONDS = ACCESS_TOKEN_SECONDS + 60


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


def _ec_private_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("a signing key must be an EC (P-256) private key")
    return key


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: bytes

    @classmethod
    def generate(cls) -> SigningKey:
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        numbers = key.public_key().public_numbers()
        # RFC 7638-style thumbprint as key id: stable and unique per key.
        thumb = f'{{"crv":"P-256","kty":"EC","x":"{_b64(numbers.x)}","y":"{_b64(numbers.y)}"}}'
        kid = base64.urlsafe_b64encode(hashlib.sha256(thumb.encode()).digest()).rstrip(b"=").decode()
        return cls(kid=kid, private_pem=pem)

    def public_jwk(self) -> dict[str, str]:
        numbers = _ec_private_key(self.private_pem).public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64(numbers.x),
            "y": _b64(numbers.y),
            "kid": self.kid,
            "alg": "ES256",
            "use": "sig",
        }


def issue_access_token(
    key: SigningKey,
    subject: str,
    roles: list[str],
    organization: str = "",
    kind: str = "user",
    ttl: int = ACCESS_TOKEN_SECONDS,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    now: float | None = None,
    session: str = "",
) -> str:
    """An ES256 JWT with subject, roles, organisation, issuer, audience, expiry and id.

    `session` (claim `sid`) names the sign-in session the token was issued to,
    so that the session list can mark the caller's own.
    """
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
        "jti": str(uuid.uuid4()),
        "typ": kind,
        "roles": sorted(roles),
    }
    if organization:
        claims["org"] = organization
    if session:
        claims["sid"] = session
    return jwt.encode(claims, key.private_pem, algorithm="ES256", headers={"kid": key.kid})
