"""Credentials' audit log over real gRPC: accreditations and revocations are listed, admins only."""

from __future__ import annotations

import grpc
from google.protobuf import timestamp_pb2
from google.protobuf.json_format import MessageToDict
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from iworkz.credentials.v1 import credentials_pb2 as pb
from services.credentials.tests.credentials_testing import fails
from services.credentials.tests.test_credentials_service import issue

Code = grpc.StatusCode


def violated_fields(error: grpc.aio.AioRpcError) -> list[str]:
    status = rpc_status.from_call(error)
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            return [v.field for v in bad.field_violations]
    raise AssertionError("no BadRequest detail")


async def test_accreditations_and_revocations_are_listed_for_admins(platform):
    admin = await platform.admin()
    issuer, worker = await platform.issuer(admin=admin), await platform.worker()
    issued = await issue(issuer, worker)
    name = issued.credential.name
    await issuer.api.RevokeCredential(pb.RevokeCredentialRequest(name=name, reason="certificate withdrawn"))
    accreditation = (await issuer.api.GetIssuer(pb.GetIssuerRequest(name=issuer.issuer))).issuer.accreditations[0]

    revoked = await admin.api.ListAuditEvents(pb.ListAuditEventsRequest(target=name))
    [entry] = revoked.audit_events
    assert (entry.actor, entry.action) == (f"users/{issuer.user_id}", "revoke_credential")
    assert MessageToDict(entry.detail) == {"reason": "certificate withdrawn"}
    assert entry.name.startswith("auditEvents/") and entry.request_id and entry.HasField("create_time")

    accredited = await admin.api.ListAuditEvents(
        pb.ListAuditEventsRequest(actor=f"users/{admin.user_id}", action="accredit_issuer")
    )
    assert [(e.target, MessageToDict(e.detail)) for e in accredited.audit_events] == [
        (accreditation.name, {"types": ["JlptResultCredential"]})
    ]

    # Newest first across actions; one entry a page, in the same order.
    mine = pb.ListAuditEventsRequest(start_time=accredited.audit_events[0].create_time)
    everything = [e.name for e in (await admin.api.ListAuditEvents(mine)).audit_events]
    assert everything.index(entry.name) < everything.index(accredited.audit_events[0].name)
    seen, token = [], ""
    while True:
        page = await admin.api.ListAuditEvents(
            pb.ListAuditEventsRequest(start_time=mine.start_time, page_size=1, page_token=token)
        )
        seen += [e.name for e in page.audit_events]
        if not (token := page.next_page_token):
            break
    # Other tests may add entries meanwhile; every entry of the first listing comes in the same order.
    assert [n for n in seen if n in everything] == everything


async def test_only_admins_list_credentials_audit_log(platform):
    for caller in (await platform.worker(), await platform.employer(), await platform.issuer_member()):
        await fails(Code.PERMISSION_DENIED, caller.api.ListAuditEvents(pb.ListAuditEventsRequest()))
    await fails(Code.UNAUTHENTICATED, platform.anonymous().ListAuditEvents(pb.ListAuditEventsRequest()))


async def test_bad_audit_filters_are_field_violations(platform):
    admin = await platform.admin()
    cases = {
        "actor": pb.ListAuditEventsRequest(actor="users/alice"),
        "target": pb.ListAuditEventsRequest(target="issuers/a b"),
        "action": pb.ListAuditEventsRequest(action="Revoke"),
        "page_size": pb.ListAuditEventsRequest(page_size=500),
        "page_token": pb.ListAuditEventsRequest(page_token="not-a-token"),
        # past year 9999: no Timestamp holds it (refused on its field, not a crash)
        "end_time": pb.ListAuditEventsRequest(end_time=timestamp_pb2.Timestamp(seconds=253402300800)),
    }
    for field, request in cases.items():
        error = await fails(Code.INVALID_ARGUMENT, admin.api.ListAuditEvents(request))
        assert violated_fields(error) == [field]
