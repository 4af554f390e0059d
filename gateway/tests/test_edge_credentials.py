"""Every CredentialService RPC through the real edge, over REST/JSON, gRPC-web and gRPC.

One credential journey (issuers, the trust registry, issuing in both formats,
wallets, presentations, share links, verification, status changes and the
live status stream) runs once per transport; each run checks that it called
every RPC of the contract. REST calls are built from the contract's HTTP
bindings; the VC-API paths, the public did:web and status-list documents
with their ETags, and the error shape are checked over plain HTTP as a
wallet or verifier would use them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import uuid

import grpc
import grpc_web_frames
import httpx
import pytest
from edge_testing import PASSWORD, assert_error_shape, grpc_credentials, sign_up
from google.api import httpbody_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

import contracts
from iworkz.credentials.v1 import credentials_pb2 as pb
from iworkz.credentials.v1 import credentials_pb2_grpc
from services.cli import create_admin

SERVICE = "iworkz.credentials.v1.CredentialService"
METHODS = pb.DESCRIPTOR.services_by_name["CredentialService"].methods_by_name


def jlpt(level: str = "N3") -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "JlptResultCredential"],
        "credentialSubject": {
            "name": "Nguyen Van An",
            "birthDate": "1998-04-02",
            "level": level,
            "testDate": "2026-07-05",
            "certificateNumber": "JL-2026-0042",
        },
    }


def struct(value: dict):
    from services.credentials import messages

    return messages.struct(value)


class Transport:
    """Calls RPCs by name with a request message; records which were called."""

    def __init__(self) -> None:
        self.called: set[str] = set()

    async def call(self, method: str, request: Message, token: str = "") -> Message:
        self.called.add(method)
        return await self._call(method, request, token)

    async def _call(self, method: str, request: Message, token: str) -> Message:
        raise NotImplementedError

    async def first_of_stream(self, method: str, request: Message, token: str) -> Message:
        raise NotImplementedError


class GrpcTransport(Transport):
    def __init__(self, edge) -> None:
        super().__init__()
        self.channel = grpc.aio.secure_channel(edge.target, grpc_credentials(edge))
        self.stub = credentials_pb2_grpc.CredentialServiceStub(self.channel)

    @staticmethod
    def _md(token: str):
        return (("authorization", f"Bearer {token}"),) if token else ()

    async def _call(self, method, request, token):
        return await getattr(self.stub, method)(request, metadata=self._md(token), timeout=20)

    async def first_of_stream(self, method, request, token):
        self.called.add(method)
        call = getattr(self.stub, method)(request, metadata=self._md(token))
        try:
            return await asyncio.wait_for(call.read(), 20)
        finally:
            call.cancel()


class GrpcWebTransport(Transport):
    def __init__(self, rest: httpx.AsyncClient) -> None:
        super().__init__()
        self.rest = rest

    async def _call(self, method, request, token):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        reply = await grpc_web_frames.call(
            self.rest, f"/{SERVICE}/{method}", request.SerializeToString(), headers=headers
        )
        assert reply.status == 0, (method, reply.status, reply.message)
        return METHODS[method].output_type._concrete_class.FromString(reply.messages[0])

    async def first_of_stream(self, method, request, token):
        """Read the stream's frames as they arrive and stop after the first message."""
        self.called.add(method)
        headers = {
            "content-type": "application/grpc-web+proto",
            "accept": "application/grpc-web+proto",
            "x-grpc-web": "1",
            "authorization": f"Bearer {token}",
        }
        body = grpc_web_frames.frame(request.SerializeToString())
        buffer = b""
        async with self.rest.stream("POST", f"/{SERVICE}/{method}", content=body, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            async for chunk in response.aiter_bytes():
                buffer += chunk
                while len(buffer) >= 5:
                    flags, length = buffer[0], int.from_bytes(buffer[1:5], "big")
                    if len(buffer) < 5 + length:
                        break
                    payload, buffer = buffer[5 : 5 + length], buffer[5 + length :]
                    assert not flags & 0x80, f"trailers before a message: {payload!r}"
                    return METHODS[method].output_type._concrete_class.FromString(payload)
        raise AssertionError("the stream ended without a message")


class RestTransport(Transport):
    """REST/JSON from the contract's first HTTP binding of each RPC (as the web app calls it)."""

    def __init__(self, rest: httpx.AsyncClient, image) -> None:
        super().__init__()
        self.rest = rest
        self.bindings = {r.name: r.bindings[0] for r in contracts.load(image).rpcs_of([SERVICE])}

    def _request(self, method: str, request: Message) -> tuple[str, str, dict | None, dict]:
        binding = self.bindings[method]
        fields = json_format.MessageToDict(request, preserving_proto_field_name=False)
        used: set[str] = set()

        def fill(match) -> str:
            path = match[1]
            value: object = request
            for part in path.split("."):
                value = getattr(value, part)
            used.add(_camel(path.split(".")[0]))
            return str(value)

        path = re.sub(r"\{([^}=]+)(?:=[^}]*)?\}", fill, binding.template)
        rest = {k: v for k, v in fields.items() if k not in used}
        if binding.body == "*":
            return binding.method, path, rest, {}
        if binding.body:
            return binding.method, path, rest.get(_camel(binding.body), {}), {}
        return binding.method, path, None, {k: v for k, v in rest.items() if not isinstance(v, (dict, list))}

    async def _call(self, method, request, token):
        verb, path, body, params = self._request(method, request)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.rest.request(verb, path, json=body, params=params, headers=headers)
        assert response.status_code == 200, (method, response.status_code, response.text)
        output = METHODS[method].output_type._concrete_class()
        binding = self.bindings[method]
        if binding.response_body:  # the field is the HTTP body itself (google.api.HttpBody)
            body = httpbody_pb2.HttpBody(content_type=response.headers["content-type"], data=response.content)
            getattr(output, binding.response_body).CopyFrom(body)
            return output
        return json_format.ParseDict(response.json(), output)

    async def first_of_stream(self, method, request, token):
        self.called.add(method)
        verb, path, _, params = self._request(method, request)
        output = METHODS[method].output_type._concrete_class()
        headers = {"authorization": f"Bearer {token}", "accept": "text/event-stream"}
        async with self.rest.stream(verb, path, params=params, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    return json_format.Parse(line[5:].strip(), output)
        raise AssertionError("the stream ended without a message")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def journey(api: Transport, tokens: dict[str, str], ids: dict[str, str]) -> None:
    """Every RPC once or more, as the people of the platform use them."""
    issuer, admin, worker, employer = tokens["issuer"], tokens["admin"], tokens["worker"], tokens["employer"]
    org, user = ids["issuer_org"], ids["worker"]
    issuer_name = f"issuers/{org}"
    registered = await api.call(
        "RegisterIssuer", pb.RegisterIssuerRequest(name=issuer_name, display_name="JLPT Test Centre"), issuer
    )
    did = registered.issuer.did
    assert did.startswith("did:web:") and did.endswith(f":issuers:{org}")
    assert (await api.call("GetIssuer", pb.GetIssuerRequest(name=issuer_name))).issuer.did == did
    document = await api.call("GetDidDocument", pb.GetDidDocumentRequest(issuer_id=org))
    assert json.loads(document.document.data)["id"] == did
    resolved = await api.call("ResolveDid", pb.ResolveDidRequest(did=did))
    assert resolved.did_document["id"] == did
    rotated = await api.call("RotateIssuerKey", pb.RotateIssuerKeyRequest(name=issuer_name), issuer)
    assert len(rotated.issuer.keys) == 2
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    accreditation = pb.Accreditation(credential_types=["JlptResultCredential"])
    accreditation.valid_from.FromDatetime(start)
    await api.call("AccreditIssuer", pb.AccreditIssuerRequest(parent=issuer_name, accreditation=accreditation), admin)
    other = pb.Accreditation(credential_types=["TrainingCompletionCredential"])
    other.valid_from.FromDatetime(start)
    second = await api.call("AccreditIssuer", pb.AccreditIssuerRequest(parent=issuer_name, accreditation=other), admin)
    withdrawn = await api.call(
        "WithdrawAccreditation",
        pb.WithdrawAccreditationRequest(name=second.accreditation.name, reason="course closed"),
        admin,
    )
    assert withdrawn.accreditation.HasField("withdraw_time")
    listed = await api.call("ListAccreditations", pb.ListAccreditationsRequest(parent=issuer_name))
    assert len(listed.accreditations) == 2
    types = await api.call("ListCredentialTypes", pb.ListCredentialTypesRequest())
    assert len(types.credential_types) == 6
    schema = await api.call("GetCredentialSchema", pb.GetCredentialSchemaRequest(name="credentialSchemas/jlpt-result"))
    assert json.loads(schema.schema.data)["title"] == "JlptResultCredential"
    wallet = await api.call("GetWallet", pb.GetWalletRequest(name=f"workers/{user}/wallet"), worker)
    assert wallet.wallet.holder_did.startswith("did:key:")
    issued = await api.call(
        "IssueCredential",
        pb.IssueCredentialRequest(
            parent=issuer_name, credential=struct(jlpt()), options=pb.IssueCredentialOptions(subject=f"workers/{user}")
        ),
        issuer,
    )
    name = issued.credential.name
    sd = await api.call(
        "IssueCredential",
        pb.IssueCredentialRequest(
            parent=issuer_name,
            credential=struct(jlpt("N2")),
            options=pb.IssueCredentialOptions(subject=f"workers/{user}", format=pb.CREDENTIAL_FORMAT_SD_JWT),
        ),
        issuer,
    )
    assert (await api.call("GetCredential", pb.GetCredentialRequest(name=name), worker)).credential.id
    mine = await api.call("ListIssuedCredentials", pb.ListIssuedCredentialsRequest(parent=issuer_name), issuer)
    assert {c.name for c in mine.credentials} == {name, sd.credential.name}
    wallet_list = await api.call(
        "ListWalletCredentials", pb.ListWalletCredentialsRequest(parent=f"workers/{user}"), worker
    )
    assert len(wallet_list.credentials) == 2
    status_list = await api.call(
        "GetStatusList", pb.GetStatusListRequest(name=f"{issuer_name}/statusLists/revocation-0")
    )
    assert json.loads(status_list.status_list_credential.data)["credentialSubject"]["type"] == "BitstringStatusList"
    await api.call("GetCredentialAnchor", pb.GetCredentialAnchorRequest(name=name))
    verified = await api.call(
        "VerifyCredential", pb.VerifyCredentialRequest(verifiable_credential=issued.verifiable_credential)
    )
    assert verified.verified, [(c.check, c.reason) for c in verified.checks if c.result == pb.CHECK_RESULT_FAIL]
    vp = await api.call(
        "CreatePresentation",
        pb.CreatePresentationRequest(
            parent=f"workers/{user}", credentials=[name], challenge="edge-1", domain="employer.example"
        ),
        worker,
    )
    result = await api.call(
        "VerifyPresentation",
        pb.VerifyPresentationRequest(
            verifiable_presentation=vp.presentation,
            options=pb.VerifyOptions(challenge="edge-1", domain="employer.example"),
        ),
    )
    assert result.verified
    sd_vp = await api.call(
        "CreatePresentation",
        pb.CreatePresentationRequest(
            parent=f"workers/{user}",
            credentials=[sd.credential.name],
            challenge="edge-2",
            domain="https://employer.example",
            disclose=["jlptAtLeastN4"],
        ),
        worker,
    )
    result = await api.call(
        "VerifyPresentation",
        pb.VerifyPresentationRequest(
            verifiable_presentation=sd_vp.presentation,
            options=pb.VerifyOptions(challenge="edge-2", domain="https://employer.example"),
        ),
    )
    assert result.verified and "level" not in result.disclosed_claims
    link = await api.call(
        "CreateShareLink",
        pb.CreateShareLinkRequest(parent=f"workers/{user}", presentation=vp.presentation, one_time=True),
        worker,
    )
    shared = await api.call("GetSharedPresentation", pb.GetSharedPresentationRequest(token=link.share_link.token))
    assert shared.format == pb.CREDENTIAL_FORMAT_DATA_INTEGRITY
    first = await api.first_of_stream("WatchStatus", pb.WatchStatusRequest(name=name), employer)
    assert first.state == pb.CREDENTIAL_STATE_ACTIVE
    await api.call("SuspendCredential", pb.SuspendCredentialRequest(name=name, reason="review"), issuer)
    now = await api.first_of_stream("WatchStatus", pb.WatchStatusRequest(name=name), employer)
    assert now.state == pb.CREDENTIAL_STATE_SUSPENDED
    await api.call("UnsuspendCredential", pb.UnsuspendCredentialRequest(name=name), issuer)
    await api.call("RevokeCredential", pb.RevokeCredentialRequest(name=name, reason="withdrawn"), issuer)
    audited = await api.call("ListAuditEvents", pb.ListAuditEventsRequest(target=name), admin)
    assert [e.action for e in audited.audit_events] == [
        "revoke_credential",
        "unsuspend_credential",
        "suspend_credential",
    ]
    changed = await api.call(
        "UpdateCredentialStatus",
        pb.UpdateCredentialStatusRequest(
            credential_id=sd.credential.id,
            credential_status=pb.CredentialStatusSelector(type="BitstringStatusList", status_purpose="suspension"),
            status=True,
        ),
        issuer,
    )
    assert changed.credential.state == pb.CREDENTIAL_STATE_SUSPENDED
    assert api.called == set(METHODS), f"not called: {set(METHODS) - api.called}"


@pytest.fixture
async def people(rest, database_url):
    issuer = await sign_up(rest, "ISSUER")
    worker = await sign_up(rest, "WORKER")
    employer = await sign_up(rest, "EMPLOYER")
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    await create_admin(database_url, email, "Admin", PASSWORD, actor="test")
    login = await rest.post("/v1/auth:login", json={"email": email, "password": PASSWORD})
    tokens = {
        "issuer": issuer["tokens"]["accessToken"],
        "worker": worker["tokens"]["accessToken"],
        "employer": employer["tokens"]["accessToken"],
        "admin": login.json()["tokens"]["accessToken"],
    }
    ids = {"issuer_org": issuer["organization"]["name"].split("/")[1], "worker": worker["id"]}
    return tokens, ids


async def test_every_rpc_over_grpc(edge, people):
    api = GrpcTransport(edge)
    try:
        await journey(api, *people)
    finally:
        await api.channel.close()


async def test_every_rpc_over_grpc_web(rest, people):
    await journey(GrpcWebTransport(rest), *people)


async def test_every_rpc_over_rest(rest, edge_image, people):
    await journey(RestTransport(rest, edge_image), *people)


async def test_vc_api_paths_public_documents_and_etags(rest, people):
    tokens, ids = people
    issuer = {"authorization": f"Bearer {tokens['issuer']}"}
    org = ids["issuer_org"]
    registered = await rest.post(f"/v1/issuers/{org}:register", json={"displayName": "VC-API Centre"}, headers=issuer)
    assert registered.status_code == 200, registered.text
    accreditation = {"credentialTypes": ["JlptResultCredential"], "validFrom": "2026-01-01T00:00:00Z"}
    admin = {"authorization": f"Bearer {tokens['admin']}"}
    assert (await rest.post(f"/v1/issuers/{org}/accreditations", json=accreditation, headers=admin)).status_code == 200
    holder = (
        await rest.get(f"/v1/workers/{ids['worker']}/wallet", headers={"authorization": f"Bearer {tokens['worker']}"})
    ).json()
    credential = jlpt()
    credential["credentialSubject"]["id"] = holder["wallet"]["holderDid"]
    # POST /credentials/issue: VC-API request and response shapes.
    issued = await rest.post("/credentials/issue", json={"credential": credential, "options": {}}, headers=issuer)
    assert issued.status_code == 200, issued.text
    vc = issued.json()["verifiableCredential"]
    assert vc["proof"]["type"] == "DataIntegrityProof"
    # POST /credentials/verify: verified, checks and problemDetails.
    verified = await rest.post("/credentials/verify", json={"verifiableCredential": vc})
    body = verified.json()
    assert verified.status_code == 200 and body["verified"] is True and body["problemDetails"] == []
    tampered = {**vc, "credentialSubject": {**vc["credentialSubject"], "level": "N1"}}
    failed = (await rest.post("/credentials/verify", json={"verifiableCredential": tampered})).json()
    assert failed["verified"] is False
    assert {p["title"] for p in failed["problemDetails"]} == {"CRYPTOGRAPHIC_SECURITY_ERROR"}
    # POST /credentials/status, then the status list shows it (ETag changes).
    list_url = vc["credentialStatus"][1]["statusListCredential"]
    list_path = "/v1/" + list_url.split("/v1/", 1)[1]
    before = await rest.get(list_path)
    assert before.status_code == 200 and before.headers["etag"].startswith('"')
    assert before.json()["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    update = {
        "credentialId": vc["id"],
        "credentialStatus": {"type": "BitstringStatusList", "statusPurpose": "suspension"},
        "status": True,
    }
    assert (await rest.post("/credentials/status", json=update, headers=issuer)).status_code == 200
    after = await rest.get(list_path)
    assert after.headers["etag"] != before.headers["etag"]
    suspended = (await rest.post("/credentials/verify", json={"verifiableCredential": vc})).json()
    assert [c["reason"] for c in suspended["checks"] if c["result"] == "CHECK_RESULT_FAIL"] == [
        "suspended by the issuer"
    ]
    # The did:web document where did:web resolution looks for it, with an ETag.
    did = vc["issuer"]["id"]
    document = await rest.get(f"/issuers/{org}/did.json")
    assert document.status_code == 200 and document.json()["id"] == did and document.headers["etag"]
    # POST /presentations/verify with a VP from the wallet.
    vp = await rest.post(
        f"/v1/workers/{ids['worker']}/presentations",
        json={
            "credentials": [f"issuers/{org}/credentials/{vc['id'].removeprefix('urn:uuid:')}"],
            "challenge": "c",
            "domain": "d",
        },
        headers={"authorization": f"Bearer {tokens['worker']}"},
    )
    # The VC-API issue path took the id from the credential: found by its name in the list instead.
    if vp.status_code != 200:
        listed = (await rest.get(f"/v1/issuers/{org}/credentials", headers=issuer)).json()["credentials"]
        name = next(c["name"] for c in listed if c["id"] == vc["id"])
        vp = await rest.post(
            f"/v1/workers/{ids['worker']}/presentations",
            json={"credentials": [name], "challenge": "c", "domain": "d"},
            headers={"authorization": f"Bearer {tokens['worker']}"},
        )
    assert vp.status_code == 200, vp.text
    presented = (
        await rest.post(
            "/presentations/verify",
            json={"verifiablePresentation": vp.json()["presentation"], "options": {"challenge": "c", "domain": "d"}},
        )
    ).json()
    assert presented["verified"] is False  # the credential in it is suspended
    assert any(c["check"] == "status" and c["result"] == "CHECK_RESULT_FAIL" for c in presented["checks"])
    # Bad input: 400 with field violations; no token on an issuer path: 401.
    bad = await rest.post("/credentials/verify", json={"verifiableCredential": 5})
    assert_error_shape(bad, 400, 3)
    assert_error_shape(await rest.post("/credentials/issue", json={"credential": credential}), 401, 16)
