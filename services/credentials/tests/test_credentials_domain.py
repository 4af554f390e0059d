"""The credential engine's domain logic, without a network: keys, DIDs, proofs, SD-JWT,
status lists, Merkle trees, schemas and the check list against a fake environment."""

from __future__ import annotations

import asyncio
import base64
import copy
import gzip
import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.credentials.domain import (
    base58,
    canonical,
    catalog,
    dataintegrity,
    dids,
    issuance,
    keys,
    merkle,
    sdjwt,
    statuslist,
)
from services.credentials.domain.contexts import UnknownContext
from services.credentials.domain.verification import AnchorLookup, Verifier

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SUBJECT = {
    "name": "Nguyen Van An",
    "birthDate": "1998-04-02",
    "level": "N3",
    "testDate": "2026-07-05",
    "certificateNumber": "JL-2026-0042",
}


def credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "JlptResultCredential"],
        "credentialSubject": dict(SUBJECT),
        **extra,
    }


class FakeEnvironment:
    """A verifier environment held in memory: DID documents, lists, registry, anchors."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.resolver = dids.Resolver(self._fetch)
        self.canonicalize = canonical.OxigraphCanonicalizer()
        self.registry: dict[str, set[str]] = {}
        self.lists: dict[str, dict[str, Any]] = {}
        self.anchors: dict[bytes, AnchorLookup] = {}
        self.roots: set[bytes] = set()
        self.clock = NOW

    async def _fetch(self, url: str) -> dict[str, Any]:
        if url not in self.documents:
            raise dids.DidError(f"404 {url}")
        return self.documents[url]

    def now(self) -> datetime:
        return self.clock

    async def accredited(self, issuer_did: str, credential_type: str, at: datetime) -> bool | None:
        return None if issuer_did not in self.registry else credential_type in self.registry[issuer_did]

    async def status_list(self, url: str) -> dict[str, Any] | None:
        return self.lists.get(url)

    async def anchor(self, digest: bytes) -> AnchorLookup:
        return self.anchors.get(digest, AnchorLookup("unknown"))

    async def root_anchored(self, root: bytes, contract: str) -> bool | None:
        return root in self.roots

    def schema_type(self, schema_id: str) -> catalog.CredentialType | None:
        slug = schema_id.rsplit("/", 1)[-1]
        return catalog.BY_SLUG.get(slug) if schema_id.startswith("https://example.test/") else None


class Issuer:
    """A did:web issuer with a key and status lists in a FakeEnvironment."""

    def __init__(self, env: FakeEnvironment, suite: str = keys.ECDSA, name: str = "1") -> None:
        self.env, self.key = env, keys.KeyPair.generate(suite)
        self.did = dids.did_web("example.test", "issuers", name)
        self.method = f"{self.did}#key-1"
        env.documents[dids.did_web_url(self.did)] = dids.web_document(
            self.did, [dids.MethodKey(self.method, self.key.public)]
        )
        env.registry[self.did] = {"JlptResultCredential"}
        self.bits = {p: statuslist.empty() for p in statuslist.PURPOSES}
        self.publish_lists()

    def url(self, purpose: str) -> str:
        return f"https://example.test/v1/issuers/1/statusLists/{purpose}-0"

    def publish_lists(self) -> None:
        for purpose, bits in self.bits.items():
            unsigned = statuslist.list_credential(
                self.url(purpose), self.did, purpose, bytes(bits), "2026-01-01T00:00:00Z"
            )
            self.env.lists[self.url(purpose)] = dataintegrity.sign(
                unsigned, self.key, self.method, self.env.canonicalize
            )

    def issue(self, holder: str, index: int = 7, **extra: Any) -> dict[str, Any]:
        prepared = issuance.prepare(
            credential(**extra),
            issuer_did=self.did,
            issuer_name="Test Centre",
            subject_did=holder,
            credential_id="",
            schema_url="https://example.test/v1/credentialSchemas/jlpt-result",
            status_entries=[statuslist.entry(self.url(p), p, index) for p in statuslist.PURPOSES],
            now=NOW,
        )
        return dataintegrity.sign(prepared.credential, self.key, self.method, self.env.canonicalize, created=NOW)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def fails(outcome: Any) -> dict[str, str]:
    return {c.check: c.reason for c in outcome.failures}


# --- keys and DIDs ---------------------------------------------------------------------


@pytest.mark.parametrize("suite,prefix", [(keys.ECDSA, "zDn"), (keys.EDDSA, "z6Mk")])
def test_multikey_round_trip_and_did_key_document(suite, prefix):
    pair = keys.KeyPair.generate(suite)
    assert pair.public.multibase.startswith(prefix)
    again = keys.public_key_from_multibase(pair.public.multibase)
    assert again.multibase == pair.public.multibase
    restored = keys.KeyPair.from_private_bytes(suite, pair.private_bytes())
    signature = restored.sign(b"data")
    assert pair.public.verify(signature, b"data") and not pair.public.verify(signature, b"datA")
    did = dids.did_key(pair.public)
    document = dids.did_key_document(did)
    method = dids.find_method(document, f"{did}#{pair.public.multibase}", "assertionMethod")
    assert method.key.multibase == pair.public.multibase
    with pytest.raises(keys.InvalidKey):
        keys.public_key_from_multibase("z" + pair.public.multibase[1:-2])


def test_did_web_urls():
    assert dids.did_web("localhost:8443", "issuers", "abc") == "did:web:localhost%3A8443:issuers:abc"
    assert dids.did_web_url("did:web:localhost%3A8443:issuers:abc") == "https://localhost:8443/issuers/abc/did.json"
    assert dids.did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    with pytest.raises(dids.DidError):
        dids.did_web_url("did:web:evil.com%2Fpath")


def test_resolver_refuses_a_document_for_another_did():
    env = FakeEnvironment()
    env.documents["https://example.test/issuers/9/did.json"] = {"id": "did:web:example.test:issuers:1"}
    with pytest.raises(dids.DidError, match="not the DID document"):
        run(env.resolver.resolve("did:web:example.test:issuers:9"))


# --- canonicalization and proofs -----------------------------------------------------


def test_pyoxigraph_matches_pyld_and_refuses_undefined_terms_and_unknown_contexts():
    env = FakeEnvironment()
    issuer = Issuer(env)
    vc = issuer.issue("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    reference, fast = canonical.PyldCanonicalizer(), canonical.OxigraphCanonicalizer()
    assert reference(vc) == fast(vc)
    lists = env.lists[issuer.url("revocation")]
    assert reference(lists) == fast(lists)
    no_vocab = copy.deepcopy(vc)
    no_vocab["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    for canonicalize in (reference, fast):
        with pytest.raises(canonical.UndefinedTerm, match="level"):
            canonicalize(no_vocab)
        with pytest.raises(UnknownContext, match="evil"):
            canonicalize({**vc, "@context": [*vc["@context"], "https://evil.example/v1"]})


@pytest.mark.parametrize("suite", keys.SUITES)
def test_data_integrity_sign_verify_and_tamper(suite):
    env = FakeEnvironment()
    issuer = Issuer(env, suite)
    vc = issuer.issue("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    proof = dataintegrity.parse_proof(vc)
    assert proof.cryptosuite == suite and proof.purpose == "assertionMethod"
    dataintegrity.verify_signature(vc, proof, issuer.key.public, canonical.PyldCanonicalizer())
    tampered = copy.deepcopy(vc)
    tampered["credentialSubject"]["testDate"] = "2026-07-06"
    with pytest.raises(dataintegrity.ProofError, match="tampered"):
        dataintegrity.verify_signature(tampered, proof, issuer.key.public, env.canonicalize)
    other = keys.KeyPair.generate(suite)
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.verify_signature(vc, proof, other.public, env.canonicalize)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes.fromhex("00eb15231dfceb60925886b67d065299925915aeb172c06647"), "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
    ],
)
def test_base58btc_keeps_leading_zero_bytes(data, text):
    assert base58.encode(data) == text and base58.decode(text) == data
    assert base58.multibase_decode(base58.multibase_encode(data)) == data
    with pytest.raises(ValueError):
        base58.decode("0OIl")  # not in the alphabet


@pytest.mark.parametrize("suite", keys.SUITES)
def test_a_signature_starting_with_a_zero_byte_survives_its_proof_value(suite):
    """One signature in 256 starts with 0x00; its proofValue must still decode to all of it (py-multibase
    2.0 dropped the byte: 63 bytes, which no verifier accepts)."""
    env = FakeEnvironment()
    issuer = Issuer(env, suite)
    prepared = issuance.prepare(
        credential(),
        issuer_did=issuer.did,
        issuer_name="Test Centre",
        subject_did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        credential_id="",
        schema_url="https://example.test/v1/credentialSchemas/jlpt-result",
        status_entries=[],
        now=NOW,
    )
    for second in range(5000):  # ECDSA signatures are randomised; Ed25519's change with `created`
        vc = dataintegrity.sign(
            prepared.credential, issuer.key, issuer.method, env.canonicalize, created=NOW + timedelta(seconds=second)
        )
        proof = dataintegrity.parse_proof(vc)
        if proof.signature[0] == 0:
            break
    else:
        raise AssertionError("no signature started with a zero byte in 5,000")
    assert vc["proof"]["proofValue"].startswith("z1") and len(proof.signature) == 64
    dataintegrity.verify_signature(vc, proof, issuer.key.public, env.canonicalize)


# --- the check list ------------------------------------------------------------------------


def test_every_check_passes_for_a_good_anchored_credential():
    env = FakeEnvironment()
    vc = Issuer(env).issue("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    digest = issuance.digest(vc)
    others = [os.urandom(32) for _ in range(4)]
    leaves = [*others[:2], digest, *others[2:]]
    root = merkle.root(leaves)
    env.anchors[digest] = AnchorLookup("anchored", root, 2, 5, merkle.proofs(leaves)[2], "0xabc", 12)
    env.roots.add(root)
    outcome = run(Verifier(env).credential(vc))
    assert outcome.verified, fails(outcome)
    assert [c.check for c in outcome.checks] == [
        "format",
        "schema",
        "issuer",
        "signature",
        "accreditation",
        "validity",
        "status",
        "anchor",
    ]
    env.roots.clear()
    assert fails(run(Verifier(env).credential(vc))) == {
        "anchor": f"Merkle root 0x{root.hex()} is not recorded on chain"
    }


def test_each_failure_is_reported_with_its_reason():
    env = FakeEnvironment()
    issuer = Issuer(env)
    holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    vc = issuer.issue(holder)
    verifier = Verifier(env)
    # status
    statuslist.set_bit(issuer.bits["suspension"], 7, True)
    issuer.publish_lists()
    assert fails(run(Verifier(env).credential(vc))) == {"status": "suspended by the issuer"}
    # a status list not signed by the issuer
    forged = copy.deepcopy(env.lists[issuer.url("suspension")])
    forged["credentialSubject"]["encodedList"] = statuslist.encode(bytes(statuslist.empty()))
    env.lists[issuer.url("suspension")] = forged
    assert "not trustworthy" in fails(run(Verifier(env).credential(vc)))["status"]
    # validity
    env.clock = NOW + timedelta(days=400)
    expiring = issuer.issue(holder, validUntil="2027-01-01T00:00:00Z")
    assert "expired" in fails(run(verifier.credential(expiring)))["validity"]
    env.clock = NOW
    # accreditation
    env.registry[issuer.did] = set()
    assert "not accredited for JlptResultCredential" in fails(run(verifier.credential(vc)))["accreditation"]
    del env.registry[issuer.did]
    assert "not a registered issuer" in fails(run(verifier.credential(vc)))["accreditation"]
    # schema: a claim the schema does not know, signed properly
    prepared = copy.deepcopy(vc)
    prepared.pop("proof")
    prepared["credentialSubject"]["level"] = "N9"
    resigned = dataintegrity.sign(prepared, issuer.key, issuer.method, env.canonicalize)
    assert "level" in fails(run(verifier.credential(resigned)))["schema"]
    # format: not a VC
    bad = run(verifier.credential({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["Foo"]}))
    assert "VerifiableCredential" in fails(bad)["format"]
    assert all(c.result in ("fail", "skipped") for c in bad.checks)


def test_issuance_validates_against_the_schema_and_fills_engine_fields():
    def prepare(vc: dict[str, Any]) -> issuance.Prepared:
        return issuance.prepare(
            vc,
            issuer_did="did:web:x",
            issuer_name="X",
            subject_did="did:key:z6Mk1",
            credential_id="urn:uuid:1",
            schema_url="https://example.test/s",
            status_entries=[],
            now=NOW,
        )

    done = prepare(credential())
    subject = done.credential["credentialSubject"]
    assert subject["id"] == "did:key:z6Mk1" and subject["jlptAtLeastN3"] and not subject["jlptAtLeastN2"]
    assert done.credential["validFrom"] == "2026-12-01T09:00:00Z"
    with pytest.raises(issuance.IssuanceError) as error:
        prepare(credential(issuer="did:web:someone-else"))
    assert error.value.field == "credential.issuer"
    missing = credential()
    del missing["credentialSubject"]["testDate"]
    with pytest.raises(issuance.IssuanceError, match="testDate"):
        prepare(missing)
    with pytest.raises(issuance.IssuanceError) as error:
        prepare(credential(validFrom="2026-02-01T00:00:00Z", validUntil="2026-01-01T00:00:00Z"))
    assert error.value.field == "credential.validUntil"


# --- SD-JWT -----------------------------------------------------------------------------


def test_sd_jwt_times_and_key_binding_are_checked():
    issuer, holder = keys.KeyPair.generate(), keys.KeyPair.generate()
    now = int(datetime.now(UTC).timestamp())
    token = sdjwt.issue(
        {"iss": "did:example:i", "vct": "JlptResultCredential", "iat": now, "nbf": now, "exp": now + 60},
        {"level": "N3", "jlptAtLeastN4": True},
        issuer,
        "did:example:i#k",
        holder.public,
    )
    parsed = sdjwt.parse(token)
    assert parsed.header["typ"] == "dc+sd-jwt"
    clock = datetime.now(UTC)
    sdjwt.check_times(parsed.payload, clock)
    with pytest.raises(sdjwt.SdJwtError, match="expired"):
        sdjwt.check_times(parsed.payload, clock + timedelta(minutes=5))
    with pytest.raises(sdjwt.SdJwtError, match="not valid before"):
        sdjwt.check_times({"iat": now, "nbf": now + 3600}, clock)
    with pytest.raises(sdjwt.SdJwtError, match="issued in the future"):
        sdjwt.check_times({"iat": now + 3600}, clock)
    presentation = sdjwt.parse(sdjwt.present(token, ["jlptAtLeastN4"], holder, "n", "https://v.example"))
    assert sdjwt.verify_issuer_signature(presentation, issuer.public) == {
        "iss": "did:example:i",
        "vct": "JlptResultCredential",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "cnf": {"jwk": holder.public.jwk},
        "jlptAtLeastN4": True,
    }
    payload = sdjwt.verify_key_binding(presentation)
    sdjwt.check_key_binding_claims(payload, "n", "https://v.example", clock)
    with pytest.raises(sdjwt.SdJwtError, match="audience"):
        sdjwt.check_key_binding_claims(payload, "n", "https://other.example", clock)
    with pytest.raises(sdjwt.SdJwtError, match="not fresh"):
        sdjwt.check_key_binding_claims(payload, "n", "https://v.example", clock + timedelta(minutes=10))
    # A disclosure added after the KB-JWT was made breaks sd_hash.
    full = sdjwt.parse(token)
    level = next(d for d in full.disclosures if "level" in base64.urlsafe_b64decode(d + "==").decode())
    widened = sdjwt.parse(presentation.text.replace("~" + presentation.kb_jwt, "~" + level + "~" + presentation.kb_jwt))
    with pytest.raises(sdjwt.SdJwtError, match="sd_hash"):
        sdjwt.verify_key_binding(widened)
    with pytest.raises(sdjwt.SdJwtError, match="typ"):
        sdjwt.parse(
            token.replace(
                token.split(".")[0],
                base64.urlsafe_b64encode(json.dumps({"alg": "ES256", "typ": "JWT"}).encode()).rstrip(b"=").decode(),
                1,
            )
        )


# --- status lists and Merkle trees -------------------------------------------------------


def test_bitstring_encoding_follows_the_spec():
    bits = statuslist.empty()
    assert len(bits) * 8 == 131_072
    statuslist.set_bit(bits, 0, True)
    statuslist.set_bit(bits, 9, True)
    assert bits[0] == 0x80 and bits[1] == 0x40  # index 0 is the left-most bit
    encoded = statuslist.encode(bytes(bits))
    assert encoded.startswith("u") and "=" not in encoded
    assert gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "==")) == bytes(bits)
    assert statuslist.get_bit(statuslist.decode(encoded), 9) and not statuslist.get_bit(statuslist.decode(encoded), 8)
    assert len({statuslist.index_for(i) for i in range(5000)}) == 5000
    with pytest.raises(statuslist.StatusListError):
        statuslist.index_for(statuslist.LIST_SIZE)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 33])
def test_merkle_proofs_verify_and_fail_for_the_wrong_leaf(size):
    digests = [os.urandom(32) for _ in range(size)]
    root = merkle.root(digests)
    for index, proof in enumerate(merkle.proofs(digests)):
        assert merkle.verify(digests[index], index, size, proof, root)
        assert not merkle.verify(os.urandom(32), index, size, proof, root)
        if size > 1:
            assert not merkle.verify(digests[index], (index + 1) % size, size, proof, root)


def test_catalog_types_and_evidence():
    jlpt = catalog.TYPES["JlptResultCredential"]
    assert catalog.evidence(jlpt, SUBJECT) == {"level": "N3"}
    assert catalog.validate_partial(jlpt, {"jlptAtLeastN4": True}) == []
    assert catalog.validate_partial(jlpt, {"salary": 1})
    with pytest.raises(catalog.CatalogError):
        catalog.type_of(["VerifiableCredential", "JlptResultCredential", "LicenceCredential"])
