"""The credential service over real gRPC, PostgreSQL, Redis and an in-process EVM chain."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import grpc

from iworkz.credentials.v1 import credentials_pb2 as pb
from services.credentials import messages, store
from services.credentials.domain import canonical, dataintegrity
from services.credentials.domain.keys import ECDSA, KeyPair
from services.credentials.tests.credentials_testing import checks, employment, failed, fails, jlpt, struct, ts
from services.runtime.datakeys import load_cipher
from services.runtime.db import Database

OK = grpc.StatusCode


async def issue(issuer, worker, credential=None, fmt=pb.CREDENTIAL_FORMAT_DATA_INTEGRITY) -> pb.IssueCredentialResponse:
    return await issuer.api.IssueCredential(
        pb.IssueCredentialRequest(
            parent=issuer.issuer,
            credential=struct(credential or jlpt()),
            options=pb.IssueCredentialOptions(subject=worker.worker, format=fmt),
        )
    )


async def wait_anchored(api, name: str, timeout: float = 20.0) -> pb.Anchor:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        anchor = (await api.GetCredentialAnchor(pb.GetCredentialAnchorRequest(name=name))).anchor
        if anchor.anchored or asyncio.get_running_loop().time() > deadline:
            return anchor
        await asyncio.sleep(0.2)


def vc_json(response) -> dict:
    return messages.value_json(response.verifiable_credential)


async def test_issue_and_verify_every_check_passes_once_anchored(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    issued = await issue(issuer, worker)
    vc = vc_json(issued)
    wallet = (await worker.api.GetWallet(pb.GetWalletRequest(name=worker.worker + "/wallet"))).wallet
    assert vc["credentialSubject"]["id"] == wallet.holder_did and wallet.holder_did.startswith("did:key:zDn")
    assert vc["issuer"]["id"] == f"did:web:credentials.test:issuers:{issuer.org_id}"
    assert vc["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert vc["credentialSubject"]["jlptAtLeastN4"] is True and vc["credentialSubject"]["jlptAtLeastN2"] is False
    assert {e["statusPurpose"] for e in vc["credentialStatus"]} == {"revocation", "suspension"}
    anchor = await wait_anchored(platform.anonymous(), issued.credential.name)
    assert anchor.anchored and anchor.transaction_hash.startswith("0x") and anchor.block_number > 0
    result = await platform.anonymous().VerifyCredential(
        pb.VerifyCredentialRequest(verifiable_credential=messages.value(vc))
    )
    assert result.verified, failed(result)
    found = checks(result)
    assert [c.check for c in result.checks] == [
        "format",
        "schema",
        "issuer",
        "signature",
        "accreditation",
        "validity",
        "status",
        "anchor",
    ]
    assert all(found[c][0] == "PASS" for c in found), found
    assert "anchored in block" in found["anchor"][1]
    assert result.credential.name == issued.credential.name


async def test_tampered_wrong_key_and_expired_credentials_are_rejected(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    vc = vc_json(await issue(issuer, worker))
    verify = platform.anonymous().VerifyCredential
    # One byte of the subject changed.
    tampered = json.loads(json.dumps(vc))
    tampered["credentialSubject"]["level"] = "N1" if vc["credentialSubject"]["level"] != "N1" else "N2"
    result = await verify(pb.VerifyCredentialRequest(verifiable_credential=messages.value(tampered)))
    assert not result.verified and "signature" in failed(result)
    assert "tampered" in failed(result)["signature"]
    assert any(p.title == "CRYPTOGRAPHIC_SECURITY_ERROR" for p in result.problem_details)
    # Signed by a key that is not the issuer's: another issuer's proof grafted on.
    other = vc_json(await issue(await platform.issuer(name="Other Test Centre"), worker))
    grafted = json.loads(json.dumps(vc))
    grafted["proof"] = other["proof"]
    result = await verify(pb.VerifyCredentialRequest(verifiable_credential=messages.value(grafted)))
    assert not result.verified and "issuer" in failed(result)
    # Signed by a key the issuer does not hold, naming the issuer's key.
    unsigned = {k: v for k, v in vc.items() if k != "proof"}
    forged = dataintegrity.sign(
        unsigned, KeyPair.generate(ECDSA), vc["proof"]["verificationMethod"], canonical.default()
    )
    result = await verify(pb.VerifyCredentialRequest(verifiable_credential=messages.value(forged)))
    assert failed(result) == {
        "signature": "the signature does not match the document (tampered, or signed by another key)"
    }
    # Expired.
    past = jlpt()
    past["validFrom"] = "2020-01-01T00:00:00Z"
    past["validUntil"] = "2021-01-01T00:00:00Z"
    expired = vc_json(await issue(issuer, worker, past))
    result = await verify(pb.VerifyCredentialRequest(verifiable_credential=messages.value(expired)))
    assert failed(result) == {"validity": "expired at 2021-01-01T00:00:00Z"}


async def test_unknown_context_and_undefined_terms_are_rejected(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    vc = vc_json(await issue(issuer, worker))
    verify = platform.anonymous().VerifyCredential
    foreign = json.loads(json.dumps(vc))
    foreign["@context"].append("https://evil.example/contexts/v1")
    result = await verify(pb.VerifyCredentialRequest(verifiable_credential=messages.value(foreign)))
    assert "https://evil.example/contexts/v1 is not shipped" in failed(result)["format"]
    # Issuing with an unshipped context is refused too.
    credential = jlpt()
    credential["@context"].append("https://evil.example/contexts/v1")
    error = await fails(
        OK.INVALID_ARGUMENT,
        issuer.api.IssueCredential(
            pb.IssueCredentialRequest(
                parent=issuer.issuer,
                credential=struct(credential),
                options=pb.IssueCredentialOptions(subject=worker.worker),
            )
        ),
    )
    assert "not shipped" in error.details()


async def test_issuer_without_accreditation_is_denied_and_verifiers_see_when_it_was_accredited(platform):
    admin = await platform.admin()
    unaccredited = await platform.issuer(types=())
    worker = await platform.worker()
    error = await fails(OK.PERMISSION_DENIED, issue(unaccredited, worker))
    assert "not accredited" in error.details()
    # Accredited for JLPT only: an employment reference is refused.
    issuer = await platform.issuer(types=("JlptResultCredential",), admin=admin)
    await fails(OK.PERMISSION_DENIED, issue(issuer, worker, employment()))
    vc = vc_json(await issue(issuer, worker))
    # Withdrawing later does not undo what was accredited when it was issued.
    accreditation = (await issuer.api.GetIssuer(pb.GetIssuerRequest(name=issuer.issuer))).issuer.accreditations[0]
    await admin.api.WithdrawAccreditation(pb.WithdrawAccreditationRequest(name=accreditation.name, reason="audit"))
    result = await platform.anonymous().VerifyCredential(
        pb.VerifyCredentialRequest(verifiable_credential=messages.value(vc))
    )
    assert checks(result)["accreditation"][0] == "PASS"
    await fails(OK.PERMISSION_DENIED, issue(issuer, worker))
    # Only admins accredit.
    await fails(
        OK.PERMISSION_DENIED,
        issuer.api.AccreditIssuer(
            pb.AccreditIssuerRequest(
                parent=issuer.issuer,
                accreditation=pb.Accreditation(
                    credential_types=["JlptResultCredential"], valid_from=ts(dt.datetime.now(dt.UTC))
                ),
            )
        ),
    )


async def test_suspend_unsuspend_revoke_reach_the_status_list_and_watchers(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    issued = await issue(issuer, worker)
    vc, name = vc_json(issued), issued.credential.name
    watcher = await platform.employer()
    stream = watcher.api.WatchStatus(pb.WatchStatusRequest(name=name))
    seen = [(await stream.read()).state]

    async def verify():
        return await platform.anonymous().VerifyCredential(
            pb.VerifyCredentialRequest(verifiable_credential=messages.value(vc))
        )

    await issuer.api.SuspendCredential(pb.SuspendCredentialRequest(name=name, reason="under review"))
    seen.append((await asyncio.wait_for(stream.read(), 10)).state)
    assert failed(await verify()) == {"status": "suspended by the issuer"}
    await issuer.api.UnsuspendCredential(pb.UnsuspendCredentialRequest(name=name))
    seen.append((await asyncio.wait_for(stream.read(), 10)).state)
    assert (await verify()).verified
    revoked = await issuer.api.RevokeCredential(pb.RevokeCredentialRequest(name=name, reason="certificate withdrawn"))
    assert revoked.credential.state == pb.CREDENTIAL_STATE_REVOKED
    last = await asyncio.wait_for(stream.read(), 10)
    seen.append(last.state)
    stream.cancel()
    assert seen == [
        pb.CREDENTIAL_STATE_ACTIVE,
        pb.CREDENTIAL_STATE_SUSPENDED,
        pb.CREDENTIAL_STATE_ACTIVE,
        pb.CREDENTIAL_STATE_REVOKED,
    ]
    assert last.reason == "certificate withdrawn"
    assert failed(await verify()) == {"status": "revoked by the issuer"}
    await fails(OK.FAILED_PRECONDITION, issuer.api.UnsuspendCredential(pb.UnsuspendCredentialRequest(name=name)))
    # Another issuer cannot touch it.
    other = await platform.issuer(name="Other Test Centre")
    await fails(OK.PERMISSION_DENIED, other.api.SuspendCredential(pb.SuspendCredentialRequest(name=name)))


async def test_vp_with_challenge_and_replay_and_someone_elses_credential(platform, master_keys):
    issuer, worker, other_worker = await platform.issuer(), await platform.worker(), await platform.worker("Budi")
    issued = await issue(issuer, worker)
    theirs = await issue(issuer, other_worker)
    vp = (
        await worker.api.CreatePresentation(
            pb.CreatePresentationRequest(
                parent=worker.worker, credentials=[issued.credential.name], challenge="c-1", domain="employer.example"
            )
        )
    ).presentation
    verify = platform.anonymous().VerifyPresentation
    result = await verify(
        pb.VerifyPresentationRequest(
            verifiable_presentation=vp, options=pb.VerifyOptions(challenge="c-1", domain="employer.example")
        )
    )
    assert result.verified, failed(result)
    assert {c.check for c in result.checks} >= {"holder_binding", "challenge", "signature", "status", "anchor"}
    # Replayed with the verifier's next challenge.
    result = await verify(
        pb.VerifyPresentationRequest(
            verifiable_presentation=vp, options=pb.VerifyOptions(challenge="c-2", domain="employer.example")
        )
    )
    assert failed(result) == {
        "challenge": "the proof's challenge is not the verifier's (replayed or for another request)"
    }
    # A worker cannot present someone else's credential through the wallet...
    await fails(
        OK.PERMISSION_DENIED,
        worker.api.CreatePresentation(
            pb.CreatePresentationRequest(
                parent=worker.worker, credentials=[theirs.credential.name], challenge="c-3", domain="employer.example"
            )
        ),
    )
    # ...nor by putting it into a presentation signed with their own wallet key.
    forged = messages.value_json(vp)
    forged.pop("proof")
    forged["verifiableCredential"] = [vc_json(theirs)]
    key = await wallet_key(platform.database_url, master_keys, worker.user_id)
    signed = dataintegrity.sign(
        forged,
        key,
        forged["holder"] + "#" + forged["holder"].removeprefix("did:key:"),
        canonical.default(),
        purpose="authentication",
        challenge="c-4",
        domain="employer.example",
    )
    result = await verify(
        pb.VerifyPresentationRequest(
            verifiable_presentation=messages.value(signed),
            options=pb.VerifyOptions(challenge="c-4", domain="employer.example"),
        )
    )
    assert result.verified is False
    assert "someone else's credential" in failed(result)["holder_binding"]


async def wallet_key(database_url: str, master_keys: str, user_id: str) -> KeyPair:
    """A worker's wallet key, decrypted as the service does: the test plays a worker
    holding their own key, to build presentations the wallet would refuse to make."""
    db = Database(database_url, "credentials")
    await db.open()
    try:
        cipher = await load_cipher(db, master_keys)
        async with db.connection() as conn:
            row = await store.wallet(conn, user_id)
    finally:
        await db.close()
    assert row is not None
    return KeyPair.from_private_bytes(
        ECDSA, bytes.fromhex(cipher.decrypt(bytes(row["private_key_enc"]), f"wallets.private_key:{user_id}"))
    )
