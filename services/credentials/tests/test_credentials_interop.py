"""Interoperability: independent implementations accept what the service issues, and the
service accepts what they make.

The verifiers are the npm packages the W3C community uses (`@digitalbazaar/vc`
7 with the ecdsa-rdfc-2019 and eddsa-rdfc-2022 cryptosuites and
`vc-bitstring-status-list`; `@sd-jwt/sd-jwt-vc` 0.19), installed by `npm ci`
from `tests/interop/package-lock.json` and run offline by
`tests/interop/verify.mjs` with a local document loader: contexts from the
npm context packages, DID documents and status lists as the service serves
them publicly.
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest

from iworkz.credentials.v1 import credentials_pb2 as pb
from services.credentials import messages, node_packages
from services.credentials.domain import canonical, dataintegrity, issuance, keys, sdjwt
from services.credentials.tests.credentials_testing import employment, failed, jlpt
from services.credentials.tests.test_credentials_service import issue, vc_json, wait_anchored, wallet_key


@pytest.fixture(scope="module")
def interop():
    node_packages.ensure(node_packages.INTEROP)

    def run(requests: list[dict], documents: dict | None = None) -> list[dict]:
        result = subprocess.run(
            [node_packages.tool("node"), str(node_packages.INTEROP / "verify.mjs")],
            input=json.dumps({"documents": documents or {}, "requests": requests}),
            capture_output=True,
            text=True,
            timeout=120,
            env=node_packages.environment(),
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return run


async def public_documents(api, vcs: list[dict]) -> dict:
    """What a verifier on the web would fetch: issuer DID documents and status lists, as served."""
    documents: dict = {}
    for vc in vcs:
        did = vc["issuer"]["id"] if isinstance(vc["issuer"], dict) else vc["issuer"]
        if did.startswith("did:web:"):
            issuer_id = did.rsplit(":", 1)[1]
            documents[did] = messages.body_json(
                (await api.GetDidDocument(pb.GetDidDocumentRequest(issuer_id=issuer_id))).document
            )
        for entry in vc.get("credentialStatus", []):
            url = entry["statusListCredential"]
            name = url.split("/v1/", 1)[1]
            documents[url] = messages.body_json(
                (await api.GetStatusList(pb.GetStatusListRequest(name=name))).status_list_credential
            )
    return documents


async def test_digitalbazaar_verifies_our_data_integrity_credentials(platform, interop):
    worker = await platform.worker()
    ecdsa_web = await platform.issuer(types=("JlptResultCredential", "EmploymentReferenceCredential"))
    eddsa_key = await platform.issuer(
        did_method=pb.DID_METHOD_KEY, cryptosuite=pb.CRYPTOSUITE_EDDSA_RDFC_2022, name="Kansai Care Academy"
    )
    v11 = jlpt("N4")
    v11["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    issued = [
        await issue(ecdsa_web, worker),
        await issue(ecdsa_web, worker, employment()),
        await issue(eddsa_key, worker),
        await issue(ecdsa_web, worker, v11),
    ]
    vcs = [vc_json(i) for i in issued]
    assert vcs[3]["@context"][:2] == [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2",
    ]
    api = platform.anonymous()
    results = interop([{"op": "verifyCredential", "credential": vc} for vc in vcs], await public_documents(api, vcs))
    for vc, result in zip(vcs, results, strict=True):
        assert result["verified"], (vc["proof"]["cryptosuite"], result)
        assert {s["purpose"]: s["status"] for s in result["status"]} == {"revocation": False, "suspension": False}
        ours = await api.VerifyCredential(pb.VerifyCredentialRequest(verifiable_credential=messages.value(vc)))
        assert ours.verified, failed(ours)  # and our verifier agrees, VC 1.1 included
    # Revoked: the independent status check sees the bit.
    await ecdsa_web.api.RevokeCredential(pb.RevokeCredentialRequest(name=issued[0].credential.name, reason="test"))
    [after] = interop([{"op": "verifyCredential", "credential": vcs[0]}], await public_documents(api, vcs[:1]))
    assert {s["purpose"]: s["status"] for s in after["status"]}["revocation"] is True
    # Tampered: rejected by the independent verifier too.
    tampered = json.loads(json.dumps(vcs[1]))
    tampered["credentialSubject"]["role"] = "Plant manager"
    [bad] = interop([{"op": "verifyCredential", "credential": tampered}], await public_documents(api, vcs[1:2]))
    assert not bad["verified"]


def test_digitalbazaar_verifies_a_signature_that_starts_with_a_zero_byte(interop):
    """One signature in 256 starts with 0x00 (base58btc writes it as a leading `1`): such a credential,
    signed as the service signs (pyoxigraph's canonical form), verifies for digitalbazaar too."""
    canonicalize = canonical.default()
    now = datetime.now(UTC).replace(microsecond=0)
    for suite in keys.SUITES:
        key = keys.KeyPair.generate(suite)
        did = f"did:key:{key.public.multibase}"
        prepared = issuance.prepare(
            jlpt("N4"),
            issuer_did=did,
            issuer_name="Kansai Care Academy",
            subject_did=f"did:key:{keys.KeyPair.generate().public.multibase}",
            credential_id="",
            schema_url="https://credentials.test/v1/credentialSchemas/jlpt-result",
            status_entries=[],
            now=now,
        )
        for second in range(5000):  # ECDSA signatures are randomised; Ed25519's change with `created`
            vc = dataintegrity.sign(
                prepared.credential,
                key,
                f"{did}#{key.public.multibase}",
                canonicalize,
                created=now + timedelta(seconds=second),
            )
            if dataintegrity.parse_proof(vc).signature[0] == 0:
                break
        assert vc["proof"]["proofValue"].startswith("z1"), suite
        [result] = interop([{"op": "verifyCredential", "credential": vc}])
        assert result["verified"], (suite, result)


async def test_digitalbazaar_verifies_our_presentations(platform, interop):
    issuer, worker = await platform.issuer(), await platform.worker()
    issued = await issue(issuer, worker)
    vp = messages.value_json(
        (
            await worker.api.CreatePresentation(
                pb.CreatePresentationRequest(
                    parent=worker.worker,
                    credentials=[issued.credential.name],
                    challenge="ch-77",
                    domain="employer.example",
                )
            )
        ).presentation
    )
    documents = await public_documents(platform.anonymous(), vp["verifiableCredential"])
    good, replayed = interop(
        [
            {"op": "verifyPresentation", "presentation": vp, "challenge": "ch-77", "domain": "employer.example"},
            {"op": "verifyPresentation", "presentation": vp, "challenge": "ch-78", "domain": "employer.example"},
        ],
        documents,
    )
    assert good["verified"], good
    assert not replayed["verified"]


async def test_we_verify_digitalbazaar_data_integrity_credentials(platform, interop):
    unsigned = jlpt()
    unsigned["@context"].append("https://www.w3.org/ns/credentials/undefined-terms/v2")
    unsigned["credentialSubject"]["id"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    made = interop(
        [
            {"op": "diIssue", "credential": unsigned, "cryptosuite": suite}
            for suite in ("ecdsa-rdfc-2019", "eddsa-rdfc-2022")
        ]
    )
    for item in made:
        result = await platform.anonymous().VerifyCredential(
            pb.VerifyCredentialRequest(verifiable_credential=messages.value(item["verifiableCredential"]))
        )
        outcome = {c.check: c.result for c in result.checks}
        assert outcome["format"] == outcome["issuer"] == outcome["signature"] == pb.CHECK_RESULT_PASS, failed(result)
        # An outside did:key issuer is not in this platform's trust registry: said so, not hidden.
        assert "not a registered issuer" in failed(result)["accreditation"]


async def test_sd_jwt_both_ways_with_sd_jwt_vc(platform, interop, master_keys):
    issuer, worker = await platform.issuer(), await platform.worker()
    issued = await issue(issuer, worker, jlpt("N3"), pb.CREDENTIAL_FORMAT_SD_JWT)
    did_document = messages.body_json(
        (await platform.anonymous().GetDidDocument(pb.GetDidDocumentRequest(issuer_id=issuer.org_id))).document
    )
    issuer_jwk = keys.public_key_from_multibase(did_document["verificationMethod"][0]["publicKeyMultibase"]).jwk
    # 1. Our wallet's presentation, checked by @sd-jwt/sd-jwt-vc (signature, digests, KB-JWT nonce and aud).
    presented = (
        await worker.api.CreatePresentation(
            pb.CreatePresentationRequest(
                parent=worker.worker,
                credentials=[issued.credential.name],
                challenge="n-1",
                domain="https://employer.example",
                disclose=["jlptAtLeastN4"],
            )
        )
    ).presentation.string_value
    holder = await wallet_key(platform.database_url, master_keys, worker.user_id)
    holder_private = json.loads(holder.jwk().export_private())
    ours, replay = interop(
        [
            {
                "op": "sdJwtVerify",
                "sdJwt": presented,
                "issuerJwk": issuer_jwk,
                "nonce": "n-1",
                "audience": "https://employer.example",
            },
            {
                "op": "sdJwtVerify",
                "sdJwt": presented,
                "issuerJwk": issuer_jwk,
                "nonce": "n-2",
                "audience": "https://employer.example",
            },
        ]
    )
    assert ours["verified"] and ours["typ"] == "dc+sd-jwt", ours
    assert ours["claims"]["jlptAtLeastN4"] is True and "level" not in ours["claims"] and "name" not in ours["claims"]
    assert not replay["ok"] and "nonce" in replay["error"].lower()
    # 2. @sd-jwt/sd-jwt-vc presents our credential (as a holder's wallet would); the service verifies it.
    [theirs] = interop(
        [
            {
                "op": "sdJwtPresent",
                "sdJwt": issued.credential.sd_jwt,
                "holderJwk": holder_private,
                "disclose": ["jlptAtLeastN4", "testDate"],
                "nonce": "n-3",
                "audience": "https://employer.example",
            }
        ]
    )
    result = await platform.anonymous().VerifyPresentation(
        pb.VerifyPresentationRequest(
            verifiable_presentation=messages.value(theirs["presentation"]),
            options=pb.VerifyOptions(challenge="n-3", domain="https://employer.example"),
        )
    )
    assert result.verified, failed(result)
    assert set(messages.struct_json(result.disclosed_claims)) >= {"jlptAtLeastN4", "testDate"}
    # 3. An SD-JWT VC issued by @sd-jwt/sd-jwt-vc verifies with our SD-JWT code.
    outside = keys.KeyPair.generate()
    now = int(time.time())
    [made] = interop(
        [
            {
                "op": "sdJwtIssue",
                "issuerJwk": json.loads(outside.jwk().export_private()),
                "kid": "k-1",
                "payload": {
                    "iss": "https://issuer.example",
                    "vct": "JlptResultCredential",
                    "iat": now,
                    "exp": now + 600,
                    "level": "N2",
                },
                "disclosable": ["level"],
                "holderJwk": holder.public.jwk,
            }
        ]
    )
    parsed = sdjwt.parse(made["sdJwt"])
    assert parsed.header["typ"] == "dc+sd-jwt"
    assert sdjwt.verify_issuer_signature(parsed, outside.public)["level"] == "N2"
    assert sdjwt.holder_key(parsed).multibase == holder.public.multibase
    assert await wait_anchored(platform.anonymous(), issued.credential.name)
