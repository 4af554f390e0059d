"""Wallets, SD-JWT selective disclosure with key binding, and share links, over real gRPC."""

from __future__ import annotations

import time

import grpc

from iworkz.credentials.v1 import credentials_pb2 as pb
from services.credentials import messages
from services.credentials.domain import sdjwt
from services.credentials.tests.credentials_testing import checks, employment, failed, fails, jlpt
from services.credentials.tests.test_credentials_service import issue, wallet_key

Code = grpc.StatusCode


async def test_prove_jlpt_n4_or_better_and_nothing_else(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    issued = await issue(issuer, worker, jlpt("N3"), pb.CREDENTIAL_FORMAT_SD_JWT)
    assert issued.credential.format == pb.CREDENTIAL_FORMAT_SD_JWT
    envelope = messages.value_json(issued.verifiable_credential)
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["id"].startswith("data:application/dc+sd-jwt,")
    parsed = sdjwt.parse(issued.credential.sd_jwt)
    assert parsed.header["typ"] == "dc+sd-jwt" and "cnf" in parsed.payload
    assert "level" not in parsed.payload and "name" not in parsed.payload  # only digests in the JWT
    presented = await worker.api.CreatePresentation(
        pb.CreatePresentationRequest(
            parent=worker.worker,
            credentials=[issued.credential.name],
            challenge="nonce-1",
            domain="https://employer.example",
            disclose=["jlptAtLeastN4"],
        )
    )
    token = presented.presentation.string_value
    result = await platform.anonymous().VerifyPresentation(
        pb.VerifyPresentationRequest(
            verifiable_presentation=presented.presentation,
            options=pb.VerifyOptions(challenge="nonce-1", domain="https://employer.example"),
        )
    )
    assert result.verified, failed(result)
    disclosed = messages.struct_json(result.disclosed_claims)
    assert disclosed["jlptAtLeastN4"] is True
    for hidden in ("level", "name", "birthDate", "certificateNumber", "jlptAtLeastN3", "jlptAtLeastN2"):
        assert hidden not in disclosed, hidden
        assert hidden not in str(sdjwt.parse(token).disclosures)
    assert checks(result)["holder_binding"][0] == "PASS" and checks(result)["challenge"][0] == "PASS"
    # The same presentation replayed to a verifier with a new nonce.
    replay = await platform.anonymous().VerifyPresentation(
        pb.VerifyPresentationRequest(
            verifiable_presentation=presented.presentation,
            options=pb.VerifyOptions(challenge="nonce-2", domain="https://employer.example"),
        )
    )
    assert "replayed" in failed(replay)["challenge"]
    # The bare SD-JWT verifies as a credential (no key binding asked).
    alone = await platform.anonymous().VerifyCredential(
        pb.VerifyCredentialRequest(verifiable_credential=issued.verifiable_credential)
    )
    assert alone.verified, failed(alone)


async def test_sd_jwt_of_someone_else_and_stale_key_binding(platform, master_keys):
    issuer, owner, thief = await platform.issuer(), await platform.worker(), await platform.worker("Thief")
    issued = await issue(issuer, owner, jlpt("N2"), pb.CREDENTIAL_FORMAT_SD_JWT)
    # The thief has the SD-JWT (e.g. seen once) and binds it with their own wallet key.
    await thief.api.GetWallet(pb.GetWalletRequest(name=thief.worker + "/wallet"))
    thief_key = await wallet_key(platform.database_url, master_keys, thief.user_id)
    stolen = sdjwt.present(issued.credential.sd_jwt, ["jlptAtLeastN4"], thief_key, "n-9", "https://employer.example")
    result = await platform.anonymous().VerifyPresentation(
        pb.VerifyPresentationRequest(
            verifiable_presentation=messages.value(stolen),
            options=pb.VerifyOptions(challenge="n-9", domain="https://employer.example"),
        )
    )
    assert "not signed by the credential's holder key" in failed(result)["holder_binding"]
    # The owner's own key-binding JWT from long ago (an old presentation kept by a verifier).
    owner_key = await wallet_key(platform.database_url, master_keys, owner.user_id)
    real = sdjwt.present(issued.credential.sd_jwt, ["jlptAtLeastN4"], owner_key, "n-10", "https://employer.example")
    old = _with_kb_iat(real, owner_key, int(time.time()) - 3600)
    result = await platform.anonymous().VerifyPresentation(
        pb.VerifyPresentationRequest(
            verifiable_presentation=messages.value(old),
            options=pb.VerifyOptions(challenge="n-10", domain="https://employer.example"),
        )
    )
    assert "not fresh" in failed(result)["challenge"]


def _with_kb_iat(presentation: str, key, iat: int) -> str:
    """The presentation with its KB-JWT re-made with another `iat` (what an old one looks like)."""
    import base64
    import hashlib
    import json

    from jwcrypto.jws import JWS

    head = presentation[: presentation.rindex("~") + 1]
    sd_hash = base64.urlsafe_b64encode(hashlib.sha256(head.encode()).digest()).rstrip(b"=").decode()
    token = JWS(json.dumps({"nonce": "n-10", "aud": "https://employer.example", "iat": iat, "sd_hash": sd_hash}))
    token.add_signature(key.jwk(), alg="ES256", protected=json.dumps({"alg": "ES256", "typ": "kb+jwt"}))
    return head + token.serialize(compact=True)


async def test_wallet_lists_and_share_links(platform):
    issuer, worker = (
        await platform.issuer(types=("JlptResultCredential", "EmploymentReferenceCredential")),
        await platform.worker(),
    )
    first = await issue(issuer, worker)
    second = await issue(issuer, worker, employment())
    wallet = (await worker.api.GetWallet(pb.GetWalletRequest(name=worker.worker + "/wallet"))).wallet
    assert wallet.credential_count == 2
    page = await worker.api.ListWalletCredentials(pb.ListWalletCredentialsRequest(parent=worker.worker, page_size=1))
    assert [c.name for c in page.credentials] == [second.credential.name] and page.next_page_token
    page = await worker.api.ListWalletCredentials(
        pb.ListWalletCredentialsRequest(parent=worker.worker, page_size=1, page_token=page.next_page_token)
    )
    assert [c.name for c in page.credentials] == [first.credential.name] and not page.next_page_token
    # Someone else's wallet is not theirs to read.
    other = await platform.worker()
    await fails(
        Code.PERMISSION_DENIED, other.api.ListWalletCredentials(pb.ListWalletCredentialsRequest(parent=worker.worker))
    )
    await fails(Code.PERMISSION_DENIED, other.api.GetCredential(pb.GetCredentialRequest(name=first.credential.name)))
    assert (await worker.api.GetCredential(pb.GetCredentialRequest(name=first.credential.name))).credential.id
    # A one-time share link.
    vp = (
        await worker.api.CreatePresentation(
            pb.CreatePresentationRequest(
                parent=worker.worker,
                credentials=[first.credential.name, second.credential.name],
                challenge="share-1",
                domain="employer.example",
            )
        )
    ).presentation
    link = (
        await worker.api.CreateShareLink(
            pb.CreateShareLinkRequest(parent=worker.worker, presentation=vp, one_time=True, ttl_seconds=600)
        )
    ).share_link
    assert link.url.endswith("/v1/shares/" + link.token)
    anonymous = platform.anonymous()
    shared = await anonymous.GetSharedPresentation(pb.GetSharedPresentationRequest(token=link.token))
    assert shared.format == pb.CREDENTIAL_FORMAT_DATA_INTEGRITY
    result = await anonymous.VerifyPresentation(
        pb.VerifyPresentationRequest(
            verifiable_presentation=shared.presentation,
            options=pb.VerifyOptions(challenge="share-1", domain="employer.example"),
        )
    )
    assert result.verified, failed(result)
    assert len({c.credential_id for c in result.checks if c.credential_id}) == 2
    await fails(Code.NOT_FOUND, anonymous.GetSharedPresentation(pb.GetSharedPresentationRequest(token=link.token)))
    # A reusable link works again; an unknown token does not.
    again = (
        await worker.api.CreateShareLink(pb.CreateShareLinkRequest(parent=worker.worker, presentation=vp))
    ).share_link
    for _ in range(2):
        await anonymous.GetSharedPresentation(pb.GetSharedPresentationRequest(token=again.token))
    await fails(Code.NOT_FOUND, anonymous.GetSharedPresentation(pb.GetSharedPresentationRequest(token="x" * 32)))


async def test_presentation_requests_are_validated(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    di = await issue(issuer, worker)
    sd = await issue(issuer, worker, jlpt(), pb.CREDENTIAL_FORMAT_SD_JWT)
    api = worker.api
    await fails(
        Code.INVALID_ARGUMENT,
        api.CreatePresentation(
            pb.CreatePresentationRequest(
                parent=worker.worker, credentials=[di.credential.name, sd.credential.name], challenge="c", domain="d"
            )
        ),
    )
    error = await fails(
        Code.INVALID_ARGUMENT,
        api.CreatePresentation(
            pb.CreatePresentationRequest(
                parent=worker.worker, credentials=[sd.credential.name], challenge="c", domain="d", disclose=["salary"]
            )
        ),
    )
    assert "salary" in error.details()
    await fails(
        Code.INVALID_ARGUMENT,
        api.CreatePresentation(
            pb.CreatePresentationRequest(
                parent=worker.worker, credentials=[di.credential.name], challenge="", domain="d"
            )
        ),
    )
    await fails(
        Code.INVALID_ARGUMENT,
        api.CreateShareLink(
            pb.CreateShareLinkRequest(parent=worker.worker, presentation=messages.value({"type": "NotAPresentation"}))
        ),
    )
    await fails(
        Code.INVALID_ARGUMENT,
        platform.anonymous().VerifyCredential(pb.VerifyCredentialRequest(verifiable_credential=messages.value(42))),
    )
