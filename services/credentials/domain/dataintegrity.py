"""Data Integrity proofs: `ecdsa-rdfc-2019` (P-256) and `eddsa-rdfc-2022` (Ed25519).

As in the W3C Data Integrity ECDSA and EdDSA cryptosuites (RDFC variants):
the proof configuration (the proof options without `proofValue`, with the
document's `@context`) and the document without its proof are each
canonicalized with RDFC-1.0 and hashed with SHA-256; the signature covers
`hash(proof config) ‖ hash(document)`. `proofValue` is multibase base58btc.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.credentials.domain import base58
from services.credentials.domain.canonical import Canonicalizer
from services.credentials.domain.keys import ECDSA, EDDSA, KeyPair, PublicKey, sha256

PROOF_TYPE = "DataIntegrityProof"


class ProofError(ValueError):
    """A proof that is malformed or does not verify."""


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise ProofError(f"{what} must be a date-time string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ProofError(f"{what} is not a date-time: {value!r}") from None
    if parsed.tzinfo is None:
        raise ProofError(f"{what} has no time zone: {value!r}")
    return parsed


def document_hash(canonicalize: Canonicalizer, document: dict[str, Any]) -> bytes:
    """`sha256(canon(document without proof))`; also proves the document canonicalizes."""
    return sha256(canonicalize({k: v for k, v in document.items() if k != "proof"}).encode())


def hash_data(
    canonicalize: Canonicalizer, document: dict[str, Any], options: dict[str, Any], doc_hash: bytes | None = None
) -> bytes:
    """`sha256(canon(proof config)) ‖ sha256(canon(document without proof))`."""
    config = {**{k: v for k, v in options.items() if k != "proofValue"}, "@context": document.get("@context")}
    return sha256(canonicalize(config).encode()) + (doc_hash or document_hash(canonicalize, document))


def sign(
    document: dict[str, Any],
    key: KeyPair,
    verification_method: str,
    canonicalize: Canonicalizer,
    *,
    purpose: str = "assertionMethod",
    created: datetime | None = None,
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """A copy of `document` with a Data Integrity proof by `key`."""
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": key.suite,
        "created": timestamp(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
    }
    if domain is not None:
        options["domain"] = domain
    if challenge is not None:
        options["challenge"] = challenge
    signature = key.sign(hash_data(canonicalize, document, options))
    secured = {k: v for k, v in document.items() if k != "proof"}  # shares the caller's nested values
    secured["proof"] = {**options, "proofValue": base58.multibase_encode(signature)}
    return secured


@dataclass(frozen=True)
class Proof:
    """A parsed Data Integrity proof."""

    options: dict[str, Any]
    cryptosuite: str
    verification_method: str
    purpose: str
    created: datetime | None
    challenge: str | None
    domain: str | None
    signature: bytes


def parse_proof(document: dict[str, Any]) -> Proof:
    """The document's single Data Integrity proof; ProofError if absent or malformed."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("exactly one proof is supported")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("the document has no proof")
    if proof.get("type") != PROOF_TYPE:
        raise ProofError(f"proof type {proof.get('type')!r} is not {PROOF_TYPE}")
    suite = proof.get("cryptosuite")
    if suite not in (ECDSA, EDDSA):
        raise ProofError(f"unsupported cryptosuite {suite!r}")
    method, purpose, value = proof.get("verificationMethod"), proof.get("proofPurpose"), proof.get("proofValue")
    if not isinstance(method, str) or not method:
        raise ProofError("proof.verificationMethod is missing")
    if not isinstance(purpose, str) or not purpose:
        raise ProofError("proof.proofPurpose is missing")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proof.proofValue must be multibase base58btc")
    try:
        signature = base58.multibase_decode(value)
    except Exception:
        raise ProofError("proof.proofValue is not valid base58btc") from None
    created = parse_time(proof["created"], "proof.created") if "created" in proof else None
    challenge, domain = proof.get("challenge"), proof.get("domain")
    if isinstance(domain, list):
        domain = domain[0] if len(domain) == 1 else ",".join(str(d) for d in domain)
    return Proof(
        {k: v for k, v in proof.items() if k != "proofValue"},
        suite,
        method,
        purpose,
        created,
        challenge if isinstance(challenge, str) else None,
        domain if isinstance(domain, str) else None,
        signature,
    )


def verify_signature(
    document: dict[str, Any], proof: Proof, key: PublicKey, canonicalize: Canonicalizer, doc_hash: bytes | None = None
) -> None:
    """Raise ProofError unless `proof` is a valid signature by `key` over `document`."""
    if key.suite != proof.cryptosuite:
        raise ProofError(f"a {key.suite} key cannot verify a {proof.cryptosuite} proof")
    if not key.verify(proof.signature, hash_data(canonicalize, document, proof.options, doc_hash)):
        raise ProofError("the signature does not match the document (tampered, or signed by another key)")
