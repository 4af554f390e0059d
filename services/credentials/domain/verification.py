"""The verifier's check list, for credentials and presentations.

Every check is reported with pass, fail or skipped and a reason a person can
act on. A credential or presentation is verified when no check failed.

- `format`: well-formed VC (2.0 or 1.1) / SD-JWT VC; only shipped contexts; no
  undefined terms (they would escape the signature).
- `schema`: the claims against the type's JSON Schema.
- `issuer`: the proof's key belongs to the issuer's DID (assertionMethod).
- `signature`: the proof verifies over the credential.
- `accreditation`: the trust registry accredited the issuer for the type
  when it issued.
- `validity`: now is within validFrom/validUntil (exp/nbf/iat for SD-JWT).
- `status`: no revocation or suspension bit set in the signed status lists.
- `anchor`: the credential's digest is in a Merkle tree whose root is on chain.
- `holder_binding`: a presentation is signed by the credentials' holder.
- `challenge`: the presentation answers the verifier's challenge/nonce and domain/audience.

What the verifier consults (DIDs, the trust registry, status lists, anchors,
the chain, the clock) comes from an injected `Environment`.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from services.credentials.domain import catalog, dataintegrity, merkle, sdjwt, statuslist
from services.credentials.domain.canonical import CanonicalizationError, Canonicalizer
from services.credentials.domain.catalog import CredentialType
from services.credentials.domain.contexts import VC_V1, VC_V2, UnknownContext
from services.credentials.domain.dataintegrity import ProofError
from services.credentials.domain.dids import DidError, Resolver
from services.credentials.domain.issuance import digest

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"
CREDENTIAL_CHECKS = ("format", "schema", "issuer", "signature", "accreditation", "validity", "status", "anchor")
PRESENTATION_CHECKS = ("format", "issuer", "signature", "holder_binding", "challenge")
SD_JWT_PREFIXES = ("data:application/dc+sd-jwt,", "data:application/vc+sd-jwt,")

# VC-API problem details: the VC data model's error types where one fits.
_PROBLEMS = {
    "format": ("PARSING_ERROR", "https://www.w3.org/TR/vc-data-model#PARSING_ERROR"),
    "schema": ("MALFORMED_VALUE_ERROR", "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR"),
    "issuer": ("CRYPTOGRAPHIC_SECURITY_ERROR", "https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR"),
    "signature": ("CRYPTOGRAPHIC_SECURITY_ERROR", "https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR"),
    "validity": ("RANGE_ERROR", "https://www.w3.org/TR/vc-data-model#RANGE_ERROR"),
    "status": (
        "STATUS_VERIFICATION_ERROR",
        "https://www.w3.org/TR/vc-bitstring-status-list/#STATUS_VERIFICATION_ERROR",
    ),
}


class NotACredential(ValueError):
    """Input that is neither a JSON object nor an SD-JWT string."""


@dataclass(frozen=True)
class Check:
    check: str
    result: str
    reason: str
    credential_id: str = ""

    def problem(self) -> tuple[str, str, str]:
        """(type URL, title, detail) of a failed check, VC-API style."""
        title, url = _PROBLEMS.get(self.check, (self.check.upper() + "_ERROR", f"urn:iworkz:problem:{self.check}"))
        return url, title, self.reason


@dataclass
class AnchorLookup:
    """What the platform knows of a digest's anchoring."""

    state: str  # "anchored", "pending" or "unknown"
    root: bytes = b""
    index: int = 0
    size: int = 0
    proof: list[bytes] = field(default_factory=list)
    transaction: str = ""
    block: int = 0
    contract: str = ""  # the AnchorRegistry that recorded the root


class Environment(Protocol):
    """What a verifier consults; the service supplies the real ones, tests their own."""

    resolver: Resolver
    canonicalize: Canonicalizer

    def now(self) -> datetime: ...

    async def accredited(self, issuer_did: str, credential_type: str, at: datetime) -> bool | None:
        """Was the issuer accredited for the type at `at`? None: not in the trust registry."""

    async def status_list(self, url: str) -> dict[str, Any] | None:
        """The status list credential at `url`, or None if it cannot be had."""

    async def anchor(self, digest: bytes) -> AnchorLookup: ...

    async def root_anchored(self, root: bytes, contract: str) -> bool | None:
        """Is the root recorded by the registry `contract`? None: the chain cannot be reached."""

    def schema_type(self, schema_id: str) -> CredentialType | None:
        """The platform type whose JSON Schema is at `schema_id`, if it is ours."""


@dataclass
class Outcome:
    """Every check made, and what was learnt on the way."""

    checks: list[Check] = field(default_factory=list)
    disclosed: dict[str, Any] = field(default_factory=dict)
    credential_ids: list[str] = field(default_factory=list)
    digests: list[bytes] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.result != FAIL for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.result == FAIL]


class _Recorder:
    def __init__(self, outcome: Outcome, credential_id: str, names: tuple[str, ...]) -> None:
        self.outcome, self.credential_id, self.pending = outcome, credential_id, list(names)

    def add(self, check: str, result: str, reason: str) -> None:
        if check in self.pending:
            self.pending.remove(check)
        self.outcome.checks.append(Check(check, result, reason, self.credential_id))

    def ok(self, check: str, reason: str) -> None:
        self.add(check, PASS, reason)

    def fail(self, check: str, reason: str) -> None:
        self.add(check, FAIL, reason)

    def skip(self, check: str, reason: str) -> None:
        self.add(check, SKIPPED, reason)

    def skip_rest(self, reason: str) -> None:
        for check in list(self.pending):
            self.skip(check, reason)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _id_of(value: Any) -> str:
    return str(value.get("id", "")) if isinstance(value, dict) else str(value or "")


def envelope_sd_jwt(value: dict[str, Any]) -> str | None:
    """The SD-JWT inside an `EnvelopedVerifiableCredential`/`...Presentation`, if it is one."""
    types = _as_list(value.get("type"))
    if not any(t in ("EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation") for t in types):
        return None
    data = value.get("id")
    if isinstance(data, str):
        for prefix in SD_JWT_PREFIXES:
            if data.startswith(prefix):
                return urllib.parse.unquote(data[len(prefix) :])
    raise NotACredential("an enveloped credential must carry a data:application/dc+sd-jwt, URL")


class Verifier:
    """Runs the check list. Holds a cache of status lists already verified (by content)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._verified_lists: dict[bytes, str] = {}

    # --- credentials ---------------------------------------------------------------

    async def credential(self, value: Any) -> Outcome:
        """Verify a credential: JSON-LD with a Data Integrity proof, an enveloped or a bare SD-JWT."""
        outcome = Outcome()
        if isinstance(value, str):
            await self._sd_jwt(value.strip(), outcome, presentation=None)
        elif isinstance(value, dict):
            enveloped = envelope_sd_jwt(value)
            if enveloped is not None:
                await self._sd_jwt(enveloped, outcome, presentation=None)
            else:
                await self._di_credential(value, outcome)
        else:
            raise NotACredential("a credential is a JSON object or an SD-JWT string")
        return outcome

    async def _di_credential(self, vc: dict[str, Any], outcome: Outcome, holder: str | None = None) -> None:
        record = _Recorder(outcome, _id_of(vc), CREDENTIAL_CHECKS)
        outcome.credential_ids.append(record.credential_id)
        env = self.env
        try:
            version = _check_vc_shape(vc)
            proof = dataintegrity.parse_proof(vc)
            doc_hash = dataintegrity.document_hash(env.canonicalize, vc)
        except (UnknownContext, CanonicalizationError, ProofError, _Malformed) as error:
            record.fail("format", str(error))
            record.skip_rest("the credential is not well-formed")
            return
        record.ok("format", f"VC {version} with a {proof.cryptosuite} Data Integrity proof")
        issuer = _id_of(vc.get("issuer"))
        credential_type = self._schema(vc, record)
        try:
            method = await env.resolver.method_key(proof.verification_method, "assertionMethod", controller=issuer)
            record.ok("issuer", f"{proof.verification_method} is an assertion key of {issuer}")
        except DidError as error:
            record.fail("issuer", str(error))
            record.skip("signature", "no usable issuer key")
            method = None
        if method is not None:
            try:
                dataintegrity.verify_signature(vc, proof, method.key, env.canonicalize, doc_hash)
                record.ok("signature", f"{proof.cryptosuite} signature verifies")
            except ProofError as error:
                record.fail("signature", str(error))
        start_key, end_key = ("issuanceDate", "expirationDate") if version == "1.1" else ("validFrom", "validUntil")
        issued_at = proof.created or _time_or_none(vc.get(start_key)) or env.now()
        await self._accreditation(record, issuer, credential_type, _types(vc), issued_at)
        self._validity(record, vc.get(start_key), vc.get(end_key), start_key, end_key)
        await self._status(record, vc.get("credentialStatus"), issuer)
        credential_digest = digest(vc)
        outcome.digests.append(credential_digest)
        await self._anchor(record, credential_digest)
        if holder is not None:
            subjects = [_id_of(s) for s in _as_list(vc.get("credentialSubject"))]
            if holder in subjects:
                record.outcome.checks.append(
                    Check("holder_binding", PASS, f"issued to the presenter {holder}", record.credential_id)
                )
            else:
                record.outcome.checks.append(
                    Check(
                        "holder_binding",
                        FAIL,
                        f"issued to {', '.join(subjects) or 'no subject'}, but presented by {holder}: "
                        "someone else's credential",
                        record.credential_id,
                    )
                )

    def _schema(self, vc: dict[str, Any], record: _Recorder) -> CredentialType | None:
        schemas = _as_list(vc.get("credentialSchema"))
        known = [self.env.schema_type(_id_of(s)) for s in schemas]
        credential_type = next((t for t in known if t is not None), None)
        if credential_type is None:
            try:
                credential_type = catalog.type_of(_types(vc))
            except catalog.CatalogError:
                record.skip("schema", "no JSON Schema known to this verifier for its type")
                return None
        errors = catalog.validate(credential_type, vc)
        if errors:
            record.fail("schema", f"does not match the {credential_type.type} schema: " + "; ".join(errors[:3]))
        else:
            record.ok("schema", f"matches the {credential_type.type} JSON Schema")
        return credential_type

    async def _accreditation(
        self, record: _Recorder, issuer: str, credential_type: CredentialType | None, types: list[str], at: datetime
    ) -> None:
        name = credential_type.type if credential_type else next((t for t in types if t != "VerifiableCredential"), "")
        if not name:
            record.fail("accreditation", "the credential names no type an issuer can be accredited for")
            return
        accredited = await self.env.accredited(issuer, name, at)
        when = dataintegrity.timestamp(at)
        if accredited is None:
            record.fail("accreditation", f"{issuer} is not a registered issuer of this platform's trust registry")
        elif accredited:
            record.ok("accreditation", f"{issuer} was accredited for {name} when it issued ({when})")
        else:
            record.fail("accreditation", f"{issuer} was not accredited for {name} when it issued ({when})")

    def _validity(self, record: _Recorder, start: Any, end: Any, start_key: str, end_key: str) -> None:
        now = self.env.now()
        try:
            valid_from = dataintegrity.parse_time(start, start_key) if start is not None else None
            valid_until = dataintegrity.parse_time(end, end_key) if end is not None else None
        except ProofError as error:
            record.fail("validity", str(error))
            return
        self._window(record, valid_from, valid_until, now)

    @staticmethod
    def _window(record: _Recorder, valid_from: datetime | None, valid_until: datetime | None, now: datetime) -> None:
        if valid_from is not None and now < valid_from:
            record.fail("validity", f"not valid before {dataintegrity.timestamp(valid_from)}")
        elif valid_until is not None and now >= valid_until:
            record.fail("validity", f"expired at {dataintegrity.timestamp(valid_until)}")
        else:
            until = f" until {dataintegrity.timestamp(valid_until)}" if valid_until else ""
            record.ok("validity", "within its validity period" + until)

    async def _status(self, record: _Recorder, entries: Any, issuer: str) -> None:
        entries = _as_list(entries)
        if not entries:
            record.skip("status", "the credential has no status entry")
            return
        reasons = []
        for value in entries:
            try:
                url, purpose, index = statuslist.parse_entry(value)
            except statuslist.StatusListError as error:
                record.fail("status", str(error))
                return
            if purpose not in statuslist.PURPOSES:
                reasons.append(f"{purpose} entry not checked (unknown purpose)")
                continue
            list_vc = await self.env.status_list(url)
            if list_vc is None:
                record.fail("status", f"the status list {url} could not be retrieved")
                return
            problem = await self._verify_list(list_vc, url, issuer)
            if problem:
                record.fail("status", f"the status list {url} is not trustworthy: {problem}")
                return
            try:
                set_ = statuslist.status_of(list_vc, purpose, index)
            except statuslist.StatusListError as error:
                record.fail("status", str(error))
                return
            if set_:
                record.fail("status", "revoked by the issuer" if purpose == "revocation" else "suspended by the issuer")
                return
            reasons.append(f"not {'revoked' if purpose == 'revocation' else 'suspended'}")
        record.ok("status", "; ".join(reasons))

    async def _verify_list(self, list_vc: dict[str, Any], url: str, issuer: str) -> str:
        """'' if the status list credential is signed by `issuer` and in force, else why not."""
        # Keyed by everything the answer depends on, without serialising the whole list.
        subject = list_vc.get("credentialSubject")
        parts = [
            url,
            issuer,
            str(list_vc.get("id")),
            str(list_vc.get("issuer")),
            str(list_vc.get("validFrom")),
            str(list_vc.get("validUntil")),
            str(list_vc.get("proof")),
            str(list_vc.get("@context")),
            str(list_vc.get("type")),
            str(subject),
        ]
        key = hashlib.sha256("\x00".join(parts).encode()).digest()
        if key in self._verified_lists:
            return self._verified_lists[key]
        problem = ""
        try:
            if list_vc.get("id") != url:
                raise ProofError(f"its id is {list_vc.get('id')!r}")
            if _id_of(list_vc.get("issuer")) != issuer:
                raise ProofError("it is not issued by the credential's issuer")
            proof = dataintegrity.parse_proof(list_vc)
            method = await self.env.resolver.method_key(proof.verification_method, "assertionMethod", controller=issuer)
            dataintegrity.verify_signature(list_vc, proof, method.key, self.env.canonicalize)
            until = _time_or_none(list_vc.get("validUntil"))
            if until is not None and self.env.now() >= until:
                raise ProofError("it has expired")
        except (ProofError, DidError, UnknownContext, CanonicalizationError) as error:
            problem = str(error)
        if len(self._verified_lists) > 1000:
            self._verified_lists.clear()
        if "validUntil" not in list_vc:  # an answer that cannot expire
            self._verified_lists[key] = problem
        return problem

    async def _anchor(self, record: _Recorder, credential_digest: bytes) -> None:
        found = await self.env.anchor(credential_digest)
        if found.state == "unknown":
            record.skip("anchor", "not anchored by this platform")
            return
        if found.state == "pending":
            record.skip("anchor", "anchoring pending: the digest waits for the next batch")
            return
        if not merkle.verify(credential_digest, found.index, found.size, found.proof, found.root):
            record.fail("anchor", "the Merkle proof does not lead to the anchored root")
            return
        on_chain = await self.env.root_anchored(found.root, found.contract)
        if on_chain is None:
            record.skip("anchor", "the chain cannot be reached to confirm the Merkle root")
        elif on_chain:
            record.ok(
                "anchor",
                f"included in Merkle root 0x{found.root.hex()} anchored in block {found.block} "
                f"(transaction {found.transaction})",
            )
        else:
            record.fail("anchor", f"Merkle root 0x{found.root.hex()} is not recorded on chain")

    # --- SD-JWT ------------------------------------------------------------------

    async def _sd_jwt(self, text: str, outcome: Outcome, presentation: tuple[str, str] | None) -> None:
        names = CREDENTIAL_CHECKS + (("holder_binding", "challenge") if presentation is not None else ())
        try:
            parsed = sdjwt.parse(text)
        except sdjwt.SdJwtError as error:
            record = _Recorder(outcome, "", names)
            record.fail("format", str(error))
            record.skip_rest("the SD-JWT is not well-formed")
            return
        record = _Recorder(outcome, str(parsed.payload.get("jti", "")), names)
        outcome.credential_ids.append(record.credential_id)
        env = self.env
        issuer = parsed.issuer
        if not issuer or not parsed.kid:
            record.fail("format", "an SD-JWT VC needs iss and a kid naming the issuer key")
            record.skip_rest("the SD-JWT is not well-formed")
            return
        record.ok(
            "format",
            f"SD-JWT VC ({parsed.header.get('typ')}, {parsed.header.get('alg')}) with "
            f"{len(parsed.disclosures)} disclosure(s)",
        )
        claims: dict[str, Any] | None = None
        try:
            method = await env.resolver.method_key(parsed.kid, "assertionMethod", controller=issuer)
            record.ok("issuer", f"{parsed.kid} is an assertion key of {issuer}")
        except DidError as error:
            record.fail("issuer", str(error))
            method = None
        if method is not None:
            try:
                claims = sdjwt.verify_issuer_signature(parsed, method.key)
                record.ok("signature", f"{parsed.header.get('alg')} signature and disclosure digests verify")
            except sdjwt.SdJwtError as error:
                record.fail("signature", str(error))
        else:
            record.skip("signature", "no usable issuer key")
        disclosed = claims if claims is not None else {}
        outcome.disclosed.update({k: v for k, v in disclosed.items() if k not in ("cnf", "_sd_alg")})
        credential_type = catalog.TYPES.get(str(parsed.payload.get("vct", "")))
        if credential_type is None:
            record.skip("schema", f"no JSON Schema known for vct {parsed.payload.get('vct')!r}")
        elif claims is None:
            record.skip("schema", "claims not verified")
        else:
            subject = {
                k: v
                for k, v in claims.items()
                if k in credential_type.schema["properties"]["credentialSubject"]["properties"]
            }
            extra = sorted(set(claims) - set(subject) - _SD_JWT_REGISTERED)
            errors = catalog.validate_partial(credential_type, subject)
            if extra:
                errors.append("claims not in the schema: " + ", ".join(extra))
            if errors:
                record.fail("schema", "; ".join(errors[:3]))
            else:
                record.ok("schema", f"disclosed claims match the {credential_type.type} JSON Schema")
        issued = _numeric(parsed.payload.get("iat")) or env.now()
        await self._accreditation(record, issuer, credential_type, [str(parsed.payload.get("vct", ""))], issued)
        try:
            start, end = sdjwt.check_times(parsed.payload, env.now())
            record.ok(
                "validity", "iat, nbf and exp hold" + (f" (expires {dataintegrity.timestamp(end)})" if end else "")
            )
        except sdjwt.SdJwtError as error:
            record.fail("validity", str(error))
        await self._status(record, parsed.payload.get("credentialStatus"), issuer)
        outcome.digests.append(parsed.digest)
        await self._anchor(record, parsed.digest)
        if presentation is None:
            return
        nonce, audience = presentation
        try:
            payload = sdjwt.verify_key_binding(parsed)
            record.ok("holder_binding", "the key-binding JWT is signed by the holder key in cnf")
        except (sdjwt.SdJwtError, ValueError) as error:
            record.fail("holder_binding", str(error))
            record.skip("challenge", "no valid key-binding JWT")
            return
        try:
            sdjwt.check_key_binding_claims(payload, nonce, audience, env.now())
            record.ok(
                "challenge",
                f"nonce and audience match; made {dataintegrity.timestamp(_numeric(payload['iat']) or env.now())}",
            )
        except sdjwt.SdJwtError as error:
            record.fail("challenge", str(error))

    # --- presentations ---------------------------------------------------------------

    async def presentation(self, value: Any, challenge: str, domain: str) -> Outcome:
        """Verify a VP with a Data Integrity proof, or an SD-JWT with a key-binding JWT."""
        outcome = Outcome()
        if isinstance(value, str):
            await self._sd_jwt(value.strip(), outcome, presentation=(challenge, domain))
            return outcome
        if not isinstance(value, dict):
            raise NotACredential("a presentation is a JSON object or an SD-JWT string")
        enveloped = envelope_sd_jwt(value)
        if enveloped is not None:
            await self._sd_jwt(enveloped, outcome, presentation=(challenge, domain))
            return outcome
        await self._di_presentation(value, outcome, challenge, domain)
        return outcome

    async def _di_presentation(self, vp: dict[str, Any], outcome: Outcome, challenge: str, domain: str) -> None:
        record = _Recorder(outcome, "", PRESENTATION_CHECKS)
        env = self.env
        try:
            _check_vp_shape(vp)
            proof = dataintegrity.parse_proof(vp)
            doc_hash = dataintegrity.document_hash(env.canonicalize, vp)
        except (UnknownContext, CanonicalizationError, ProofError, _Malformed) as error:
            record.fail("format", str(error))
            record.skip_rest("the presentation is not well-formed")
            return
        credentials = _as_list(vp.get("verifiableCredential"))
        record.ok("format", f"VP with {len(credentials)} credential(s) and a {proof.cryptosuite} proof")
        holder = proof.verification_method.split("#", 1)[0]
        declared = _id_of(vp.get("holder"))
        try:
            if declared and declared != holder:
                raise DidError(f"the proof is by {holder}, but the holder is {declared}")
            method = await env.resolver.method_key(proof.verification_method, "authentication", controller=holder)
            record.ok("issuer", f"{proof.verification_method} is an authentication key of the holder {holder}")
        except DidError as error:
            record.fail("issuer", str(error))
            method = None
        if method is not None:
            try:
                if proof.purpose != "authentication":
                    raise ProofError(f"proofPurpose is {proof.purpose!r}, not 'authentication'")
                dataintegrity.verify_signature(vp, proof, method.key, env.canonicalize, doc_hash)
                record.ok("signature", "the holder's signature over the presentation verifies")
            except ProofError as error:
                record.fail("signature", str(error))
        else:
            record.skip("signature", "no usable holder key")
        record.ok("holder_binding", f"signed by {holder}; each credential's subject is checked below")
        if not challenge:
            record.fail("challenge", "the verifier gave no challenge: a replayed presentation could not be told apart")
        elif proof.challenge != challenge:
            record.fail("challenge", "the proof's challenge is not the verifier's (replayed or for another request)")
        elif domain and proof.domain != domain:
            record.fail("challenge", f"the proof is for domain {proof.domain!r}, not {domain!r}")
        else:
            record.ok("challenge", "challenge" + (" and domain match" if domain else " matches"))
        for credential in credentials:
            if isinstance(credential, dict) and envelope_sd_jwt(credential) is None:
                await self._di_credential(credential, outcome, holder=holder)
            else:
                outcome.checks.append(
                    Check("format", FAIL, "only Data Integrity credentials can be in a VP here", _id_of(credential))
                )


_SD_JWT_REGISTERED = frozenset({"iss", "vct", "iat", "nbf", "exp", "jti", "cnf", "sub", "credentialStatus", "status"})


class _Malformed(ValueError):
    pass


def _types(document: dict[str, Any]) -> list[str]:
    return [t for t in _as_list(document.get("type")) if isinstance(t, str)]


def _check_vc_shape(vc: dict[str, Any]) -> str:
    contexts = _as_list(vc.get("@context"))
    if not contexts or contexts[0] not in (VC_V2, VC_V1):
        raise _Malformed(f"@context must start with {VC_V2} (or {VC_V1})")
    if "VerifiableCredential" not in _types(vc):
        raise _Malformed("type must include VerifiableCredential")
    if not _id_of(vc.get("issuer")):
        raise _Malformed("issuer is missing")
    if not _as_list(vc.get("credentialSubject")):
        raise _Malformed("credentialSubject is missing")
    version = "2.0" if contexts[0] == VC_V2 else "1.1"
    if version == "1.1" and "issuanceDate" not in vc:
        raise _Malformed("a VC 1.1 credential needs issuanceDate")
    return version


def _check_vp_shape(vp: dict[str, Any]) -> None:
    contexts = _as_list(vp.get("@context"))
    if not contexts or contexts[0] not in (VC_V2, VC_V1):
        raise _Malformed(f"@context must start with {VC_V2} (or {VC_V1})")
    if "VerifiablePresentation" not in _types(vp):
        raise _Malformed("type must include VerifiablePresentation")


def _time_or_none(value: Any) -> datetime | None:
    try:
        return dataintegrity.parse_time(value, "date") if value is not None else None
    except ProofError:
        return None


def _numeric(value: Any) -> datetime | None:

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None
