"""Issuers, keys, DIDs, the public registry reads and the VC-API shapes, over real gRPC."""

from __future__ import annotations

import datetime as dt

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from iworkz.credentials.v1 import credentials_pb2 as pb
from services.credentials import messages
from services.credentials.domain import statuslist
from services.credentials.tests.credentials_testing import failed, fails, jlpt, struct, ts
from services.credentials.tests.test_credentials_service import issue, vc_json

Code = grpc.StatusCode


def field_violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    status = rpc_status.from_call(error)
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            return {v.field: v.description for v in bad.field_violations}
    raise AssertionError("no BadRequest detail")


async def test_rotation_keeps_old_credentials_verifying_and_keys_are_encrypted(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    before = vc_json(await issue(issuer, worker))
    rotated = (await issuer.api.RotateIssuerKey(pb.RotateIssuerKeyRequest(name=issuer.issuer))).issuer
    assert [k.id.rsplit("#", 1)[1] for k in rotated.keys] == ["key-2", "key-1"]
    assert rotated.keys[1].HasField("retire_time") and not rotated.keys[0].HasField("retire_time")
    after = vc_json(await issue(issuer, worker))
    assert before["proof"]["verificationMethod"].endswith("#key-1")
    assert after["proof"]["verificationMethod"].endswith("#key-2")
    document = messages.body_json(
        (await platform.anonymous().GetDidDocument(pb.GetDidDocumentRequest(issuer_id=issuer.org_id))).document
    )
    assert [m["id"].rsplit("#", 1)[1] for m in document["verificationMethod"]] == ["key-2", "key-1"]
    for vc in (before, after):
        result = await platform.anonymous().VerifyCredential(
            pb.VerifyCredentialRequest(verifiable_credential=messages.value(vc))
        )
        assert result.verified, failed(result)
    # Keys at rest are ciphertext, not the key.
    import psycopg

    async with await psycopg.AsyncConnection.connect(platform.database_url) as conn:
        rows = await (
            await conn.execute(
                "SELECT private_key_enc FROM credentials.issuer_keys WHERE issuer_id = %s", (issuer.org_id,)
            )
        ).fetchall()
    assert len(rows) == 2 and all(bytes(r[0])[:1] == b"\x01" and len(bytes(r[0])) > 60 for r in rows)


async def test_did_key_issuer_with_eddsa(platform):
    issuer = await platform.issuer(did_method=pb.DID_METHOD_KEY, cryptosuite=pb.CRYPTOSUITE_EDDSA_RDFC_2022)
    worker = await platform.worker()
    got = (await issuer.api.GetIssuer(pb.GetIssuerRequest(name=issuer.issuer))).issuer
    assert got.did.startswith("did:key:z6Mk") and got.keys[0].cryptosuite == pb.CRYPTOSUITE_EDDSA_RDFC_2022
    vc = vc_json(await issue(issuer, worker))
    assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022" and vc["issuer"]["id"] == got.did
    result = await platform.anonymous().VerifyCredential(
        pb.VerifyCredentialRequest(verifiable_credential=messages.value(vc))
    )
    assert result.verified, failed(result)
    resolved = messages.struct_json(
        (await platform.anonymous().ResolveDid(pb.ResolveDidRequest(did=got.did))).did_document
    )
    assert resolved["assertionMethod"] == [f"{got.did}#{got.did.removeprefix('did:key:')}"]
    await fails(Code.FAILED_PRECONDITION, issuer.api.RotateIssuerKey(pb.RotateIssuerKeyRequest(name=issuer.issuer)))
    # SD-JWT signed with EdDSA verifies too.
    sd = await issue(issuer, worker, jlpt(), pb.CREDENTIAL_FORMAT_SD_JWT)
    result = await platform.anonymous().VerifyCredential(
        pb.VerifyCredentialRequest(verifiable_credential=messages.value(sd.credential.sd_jwt))
    )
    assert result.verified, failed(result)


async def test_public_registry_reads(platform):
    issuer = await platform.issuer()
    anonymous = platform.anonymous()
    got = (await anonymous.GetIssuer(pb.GetIssuerRequest(name=issuer.issuer))).issuer
    assert got.did == f"did:web:credentials.test:issuers:{issuer.org_id}"
    assert got.accreditations[0].credential_types == ["JlptResultCredential"]
    listed = await anonymous.ListAccreditations(pb.ListAccreditationsRequest(parent=issuer.issuer))
    assert listed.accreditations[0].granted_by.startswith("users/")
    resolved = messages.struct_json((await anonymous.ResolveDid(pb.ResolveDidRequest(did=got.did))).did_document)
    assert resolved["id"] == got.did
    await fails(Code.NOT_FOUND, anonymous.ResolveDid(pb.ResolveDidRequest(did="did:web:elsewhere.example")))
    types = (await anonymous.ListCredentialTypes(pb.ListCredentialTypesRequest())).credential_types
    assert {t.type for t in types} == {
        "JlptResultCredential",
        "SswSkillsTestCredential",
        "CareWorkerTestCredential",
        "LicenceCredential",
        "EmploymentReferenceCredential",
        "TrainingCompletionCredential",
    }
    schema = messages.body_json(
        (
            await anonymous.GetCredentialSchema(pb.GetCredentialSchemaRequest(name="credentialSchemas/jlpt-result"))
        ).schema
    )
    assert schema["$id"] == "https://credentials.test/v1/credentialSchemas/jlpt-result"
    await fails(
        Code.NOT_FOUND, anonymous.GetCredentialSchema(pb.GetCredentialSchemaRequest(name="credentialSchemas/unknown"))
    )
    listed = messages.body_json(
        (
            await anonymous.GetStatusList(pb.GetStatusListRequest(name=f"{issuer.issuer}/statusLists/revocation-0"))
        ).status_list_credential
    )
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert len(statuslist.decode(listed["credentialSubject"]["encodedList"])) * 8 == statuslist.LIST_SIZE
    # The status list carries an ETag header.
    call = anonymous.GetStatusList(pb.GetStatusListRequest(name=f"{issuer.issuer}/statusLists/suspension-0"))
    headers = dict(await call.initial_metadata())
    await call
    assert headers["etag"].startswith('"')


async def test_vc_api_issue_and_status_shapes(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    holder = (await worker.api.GetWallet(pb.GetWalletRequest(name=worker.worker + "/wallet"))).wallet.holder_did
    credential = jlpt()
    credential["credentialSubject"]["id"] = holder
    # As POST /credentials/issue: no parent, the subject given by DID, a credentialId option.
    request = json_format.ParseDict(
        {"credential": credential, "options": {"credentialId": "urn:uuid:5f0b0a7e-0c1d-4e7a-9e47-3c1b2a3d4e5f"}},
        pb.IssueCredentialRequest(),
    )
    issued = await issuer.api.IssueCredential(request)
    vc = vc_json(issued)
    assert vc["id"] == "urn:uuid:5f0b0a7e-0c1d-4e7a-9e47-3c1b2a3d4e5f"
    assert issued.credential.subject == worker.worker  # the DID is the worker's wallet
    body = json_format.MessageToDict(issued)
    assert set(body) == {"verifiableCredential", "credential"}
    # As POST /credentials/status.
    update = json_format.ParseDict(
        {
            "credentialId": vc["id"],
            "credentialStatus": {"type": "BitstringStatusList", "statusPurpose": "suspension"},
            "status": True,
        },
        pb.UpdateCredentialStatusRequest(),
    )
    changed = await issuer.api.UpdateCredentialStatus(update)
    assert changed.credential.state == pb.CREDENTIAL_STATE_SUSPENDED
    result = await platform.anonymous().VerifyCredential(
        pb.VerifyCredentialRequest(verifiable_credential=messages.value(vc))
    )
    verify_body = json_format.MessageToDict(result, always_print_fields_with_no_presence=True)
    assert verify_body["verified"] is False
    assert verify_body["problemDetails"][0]["title"] == "STATUS_VERIFICATION_ERROR"
    update.credential_status.status_purpose = "revocation"
    update.status = False
    await fails(Code.FAILED_PRECONDITION, issuer.api.UpdateCredentialStatus(update))
    update.status = True
    assert (await issuer.api.UpdateCredentialStatus(update)).credential.state == pb.CREDENTIAL_STATE_REVOKED
    # Another issuer cannot change it.
    other = await platform.issuer(name="Other Test Centre")
    await fails(Code.PERMISSION_DENIED, other.api.UpdateCredentialStatus(update))


async def test_bad_input_is_invalid_argument_with_fields_and_changes_nothing(platform):
    issuer, worker = await platform.issuer(), await platform.worker()
    bad = jlpt(level="N7")
    error = await fails(
        Code.INVALID_ARGUMENT,
        issuer.api.IssueCredential(
            pb.IssueCredentialRequest(
                parent=issuer.issuer, credential=struct(bad), options=pb.IssueCredentialOptions(subject=worker.worker)
            )
        ),
    )
    assert "credential.credentialSubject.level" in field_violations(error)
    wrong_type = jlpt()
    wrong_type["type"] = ["VerifiableCredential", "DiplomaCredential"]
    error = await fails(
        Code.INVALID_ARGUMENT,
        issuer.api.IssueCredential(
            pb.IssueCredentialRequest(
                parent=issuer.issuer,
                credential=struct(wrong_type),
                options=pb.IssueCredentialOptions(subject=worker.worker),
            )
        ),
    )
    assert "credential.type" in field_violations(error)
    error = await fails(
        Code.INVALID_ARGUMENT,
        issuer.api.IssueCredential(
            pb.IssueCredentialRequest(
                parent=issuer.issuer,
                credential=struct(jlpt()),
                options=pb.IssueCredentialOptions(subject="workers/nope"),
            )
        ),
    )
    assert "options.subject" in field_violations(error)
    admin = await platform.admin()
    error = await fails(
        Code.INVALID_ARGUMENT,
        admin.api.AccreditIssuer(
            pb.AccreditIssuerRequest(
                parent=issuer.issuer,
                accreditation=pb.Accreditation(
                    credential_types=["DiplomaCredential"], valid_from=ts(dt.datetime.now(dt.UTC))
                ),
            )
        ),
    )
    assert "accreditation.credential_types[0]" in field_violations(error)
    listed = await issuer.api.ListIssuedCredentials(pb.ListIssuedCredentialsRequest(parent=issuer.issuer))
    assert list(listed.credentials) == []
    # The same credential id twice: the second is refused, the first stays the only one.
    once = pb.IssueCredentialRequest(
        parent=issuer.issuer,
        credential=struct(jlpt()),
        options=pb.IssueCredentialOptions(
            subject=worker.worker, credential_id="urn:uuid:0b1f4a3c-9d2e-4f6a-8b7c-1d2e3f4a5b6c"
        ),
    )
    await issuer.api.IssueCredential(once)
    error = await fails(Code.INVALID_ARGUMENT, issuer.api.IssueCredential(once))
    assert "credential.id" in field_violations(error)
    listed = await issuer.api.ListIssuedCredentials(pb.ListIssuedCredentialsRequest(parent=issuer.issuer))
    assert len(listed.credentials) == 1
    # Unauthenticated and cross-organisation calls.
    await fails(
        Code.UNAUTHENTICATED,
        platform.anonymous().IssueCredential(
            pb.IssueCredentialRequest(parent=issuer.issuer, credential=struct(jlpt()))
        ),
    )
    await fails(
        Code.PERMISSION_DENIED,
        worker.api.IssueCredential(pb.IssueCredentialRequest(parent=issuer.issuer, credential=struct(jlpt()))),
    )
    other = await platform.issuer(name="Other Test Centre")
    await fails(
        Code.PERMISSION_DENIED,
        other.api.IssueCredential(
            pb.IssueCredentialRequest(
                parent=issuer.issuer,
                credential=struct(jlpt()),
                options=pb.IssueCredentialOptions(subject=worker.worker),
            )
        ),
    )
    await fails(
        Code.PERMISSION_DENIED, other.api.ListIssuedCredentials(pb.ListIssuedCredentialsRequest(parent=issuer.issuer))
    )
