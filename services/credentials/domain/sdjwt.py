"""SD-JWT VCs (`typ: dc+sd-jwt`): issue, present with chosen disclosures and a
key-binding JWT, verify.

Built on the `sd-jwt` package, which signs, selects disclosures and checks
the issuer's signature and the digests. It does not check `exp`, `nbf` or
`iat`, nor the key-binding JWT's age: `check_times` and `check_key_binding`
here do. Every subject claim is selectively disclosable; `iss`, `vct`, the
validity times, `cnf` and the status entries are always visible.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jwcrypto.jws import JWS, InvalidJWSSignature
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from services.credentials.domain.keys import KeyPair, PublicKey, public_key_from_jwk, sha256

TYP = "dc+sd-jwt"
KB_TYP = "kb+jwt"
# How far clocks may disagree, and how old a key-binding JWT may be.
CLOCK_SKEW = timedelta(seconds=60)
KB_MAX_AGE = timedelta(minutes=5)


class SdJwtError(ValueError):
    """An SD-JWT that is malformed or fails a check."""


def _b64url_json(part: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise SdJwtError("a JWT part is not base64url JSON") from None
    if not isinstance(value, dict):
        raise SdJwtError("a JWT part is not a JSON object")
    return value


def issue(claims: dict[str, Any], disclosable: dict[str, Any], issuer_key: KeyPair, kid: str, holder: PublicKey) -> str:
    """Sign an SD-JWT VC: `claims` always visible, each of `disclosable` selectively
    disclosable, bound to `holder` through `cnf`. Decoy digests hide how many claims there are."""
    from jwcrypto.jwk import JWK

    user_claims: dict[Any, Any] = dict(claims)
    for name, value in disclosable.items():
        user_claims[SDObj(name)] = value
    issuer = SDJWTIssuer(
        user_claims,
        issuer_key.jwk(),
        holder_key=JWK(**holder.jwk),
        sign_alg=issuer_key.public.jws_alg,
        add_decoy_claims=True,
        extra_header_parameters={"typ": TYP, "kid": kid},
    )
    result: str = issuer.sd_jwt_issuance
    return result


def present(sd_jwt: str, disclose: list[str], holder_key: KeyPair, nonce: str, audience: str) -> str:
    """A presentation revealing only `disclose`, ending in a KB-JWT over `nonce` and `audience`."""
    holder = SDJWTHolder(sd_jwt)
    available = set(_disclosed_names(sd_jwt))
    missing = [name for name in disclose if name not in available]
    if missing:
        raise SdJwtError("the credential has no disclosable claims " + ", ".join(missing))
    holder.create_presentation(
        {name: True for name in disclose},
        nonce=nonce,
        aud=audience,
        holder_key=holder_key.jwk(),
        sign_alg=holder_key.public.jws_alg,
    )
    result: str = holder.sd_jwt_presentation
    return result


def _disclosed_names(sd_jwt: str) -> list[str]:
    names = []
    for part in sd_jwt.split("~")[1:]:
        if not part or part.count(".") == 2:
            continue
        try:
            decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except ValueError:
            raise SdJwtError("a disclosure is not base64url JSON") from None
        if isinstance(decoded, list) and len(decoded) == 3:
            names.append(str(decoded[1]))
    return names


@dataclass
class Parsed:
    """An SD-JWT split into its parts, before any check."""

    jwt: str
    header: dict[str, Any]
    payload: dict[str, Any]
    disclosures: list[str]
    kb_jwt: str
    text: str

    @property
    def issuer(self) -> str:
        return str(self.payload.get("iss", ""))

    @property
    def kid(self) -> str:
        return str(self.header.get("kid", ""))

    @property
    def digest(self) -> bytes:
        """SHA-256 of the issuer-signed JWT: the same for the credential and every presentation of it."""
        return sha256(self.jwt.encode())


def parse(text: str) -> Parsed:
    """Split a compact SD-JWT (`jwt~disclosure~...~[kb-jwt]`); check its typ."""
    if not isinstance(text, str) or "~" not in text:
        raise SdJwtError("not a compact SD-JWT (no '~' separators)")
    parts = text.split("~")
    jwt, disclosures, kb = parts[0], parts[1:-1], parts[-1]
    if jwt.count(".") != 2:
        raise SdJwtError("the issuer-signed part is not a JWT")
    header = _b64url_json(jwt.split(".")[0])
    payload = _b64url_json(jwt.split(".")[1])
    if header.get("typ") not in (TYP, "vc+sd-jwt"):
        raise SdJwtError(f"typ is {header.get('typ')!r}, not {TYP!r}")
    if header.get("alg") in (None, "none"):
        raise SdJwtError("an unsigned SD-JWT is not accepted")
    return Parsed(jwt, header, payload, disclosures, kb, text)


def verify_issuer_signature(parsed: Parsed, issuer_key: PublicKey) -> dict[str, Any]:
    """Check the issuer's signature and the disclosures' digests; return the disclosed claims."""
    if parsed.header.get("alg") != issuer_key.jws_alg:
        raise SdJwtError(f"alg {parsed.header.get('alg')!r} does not match the issuer key ({issuer_key.jws_alg})")
    from jwcrypto.jwk import JWK

    jwk = JWK(**issuer_key.jwk)
    presentation = "~".join([parsed.jwt, *parsed.disclosures, ""])
    try:
        verifier = SDJWTVerifier(presentation, lambda iss, header: jwk)
        claims: dict[str, Any] = verifier.get_verified_payload()
    except InvalidJWSSignature:
        raise SdJwtError("the issuer signature does not match (tampered, or signed by another key)") from None
    except Exception as error:
        raise SdJwtError(f"the SD-JWT does not verify: {error}") from None
    return claims


def _numeric_time(payload: dict[str, Any], claim: str) -> datetime | None:
    value = payload.get(claim)
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise SdJwtError(f"{claim} must be a NumericDate")
    return datetime.fromtimestamp(value, UTC)


def check_times(payload: dict[str, Any], now: datetime) -> tuple[datetime | None, datetime | None]:
    """Check `iat`, `nbf` and `exp` against `now` (with a small clock skew); return (nbf or iat, exp)."""
    issued, not_before, expires = (_numeric_time(payload, c) for c in ("iat", "nbf", "exp"))
    if issued and issued > now + CLOCK_SKEW:
        raise SdJwtError(f"issued in the future (iat {issued.isoformat()})")
    if not_before and not_before > now + CLOCK_SKEW:
        raise SdJwtError(f"not valid before {not_before.isoformat()}")
    if expires and expires <= now - CLOCK_SKEW:
        raise SdJwtError(f"expired at {expires.isoformat()}")
    return not_before or issued, expires


def holder_key(parsed: Parsed) -> PublicKey:
    """The holder key the issuer bound the credential to (`cnf.jwk`)."""
    cnf = parsed.payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise SdJwtError("the credential is not bound to a holder key (no cnf.jwk)")
    return public_key_from_jwk(jwk)


def verify_key_binding(parsed: Parsed) -> dict[str, Any]:
    """Check the KB-JWT is signed by the `cnf` key, has typ `kb+jwt` and an `sd_hash`
    over exactly this presentation; return its payload."""
    if not parsed.kb_jwt:
        raise SdJwtError("the presentation has no key-binding JWT")
    holder = holder_key(parsed)
    from jwcrypto.jwk import JWK

    token = JWS()
    try:
        token.deserialize(parsed.kb_jwt)
        token.verify(JWK(**holder.jwk), alg=holder.jws_alg)
    except Exception:
        raise SdJwtError("the key-binding JWT is not signed by the credential's holder key") from None
    header = token.jose_header
    payload: dict[str, Any] = json.loads(token.payload)
    if header.get("typ") != KB_TYP:
        raise SdJwtError(f"key-binding JWT typ is {header.get('typ')!r}, not {KB_TYP!r}")
    presented = parsed.text[: len(parsed.text) - len(parsed.kb_jwt)]
    expected_hash = base64.urlsafe_b64encode(sha256(presented.encode())).rstrip(b"=").decode()
    if payload.get("sd_hash") != expected_hash:
        raise SdJwtError("the key-binding JWT does not cover these disclosures (sd_hash mismatch)")
    return payload


def check_key_binding_claims(payload: dict[str, Any], nonce: str, audience: str, now: datetime) -> None:
    """The KB-JWT carries the verifier's `nonce` and `aud` and was made just now."""
    if not nonce:
        raise SdJwtError("the verifier gave no nonce (challenge): a replay could not be told apart")
    if payload.get("nonce") != nonce:
        raise SdJwtError("the key-binding JWT nonce is not the verifier's (replayed or for another request)")
    if audience and payload.get("aud") != audience:
        raise SdJwtError(f"the key-binding JWT is for audience {payload.get('aud')!r}, not {audience!r}")
    issued = _numeric_time(payload, "iat")
    if issued is None:
        raise SdJwtError("the key-binding JWT has no iat")
    if issued > now + CLOCK_SKEW or issued < now - KB_MAX_AGE:
        raise SdJwtError(f"the key-binding JWT was made at {issued.isoformat()}: not fresh")
