"""Marketplace's audit log over real gRPC: an admin reading a worker's personal data is listed, admins only."""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.json_format import MessageToDict
from grpc import StatusCode as Code

from iworkz.marketplace.v1 import marketplace_pb2 as mp


async def test_an_admin_reading_a_workers_personal_data_is_listed_newest_first(market):
    worker, admin = await market.worker(), await market.admin()
    await market.profile(worker, phone="+818011112222", residence_card_number="QX98765432ZW")
    await admin.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker))
    await admin.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker))
    me = f"users/{admin.user_id}"

    listed = await admin.api.ListAuditEvents(mp.ListAuditEventsRequest(target=worker.worker))

    # The worker's own writes and reads leave nothing; the admin's two reads are there, newest first.
    assert [(e.actor, e.action, e.target) for e in listed.audit_events] == [
        (me, "read_worker_personal_data", worker.worker)
    ] * 2
    newer, older = listed.audit_events
    assert MessageToDict(newer.detail) == {"fields": ["phone", "residence_card_number"]}
    assert newer.name.startswith("auditEvents/") and newer.name != older.name
    assert newer.create_time.ToDatetime() >= older.create_time.ToDatetime()
    assert newer.request_id and newer.request_id != older.request_id
    # The entry records which fields, never their values.
    assert "+818011112222" not in str(newer) and "QX98765432ZW" not in str(newer)

    by_me = await admin.api.ListAuditEvents(
        mp.ListAuditEventsRequest(actor=me, action="read_worker_personal_data", target=worker.worker)
    )
    assert [e.name for e in by_me.audit_events] == [newer.name, older.name]
    seen, token = [], ""
    while True:
        page = await admin.api.ListAuditEvents(
            mp.ListAuditEventsRequest(target=worker.worker, page_size=1, page_token=token)
        )
        seen += [e.name for e in page.audit_events]
        if not (token := page.next_page_token):
            break
    assert seen == [newer.name, older.name]
    later = mp.ListAuditEventsRequest(target=worker.worker)
    later.start_time.FromDatetime(newer.create_time.ToDatetime() + timedelta(microseconds=1))
    assert not (await admin.api.ListAuditEvents(later)).audit_events


async def test_only_admins_list_marketplaces_audit_log(market):
    worker, employer = await market.worker(), await market.employer()
    for caller in (worker, employer, await market.partner(employer)):
        await market.fails(Code.PERMISSION_DENIED, caller.api.ListAuditEvents(mp.ListAuditEventsRequest()))
    await market.fails(
        Code.UNAUTHENTICATED, market.anonymous().marketplace.ListAuditEvents(mp.ListAuditEventsRequest())
    )


async def test_bad_audit_filters_are_field_violations(market):
    # Each field's rule has a row in test_marketplace_service.py's BAD_INPUT table; two here, read as a client would.
    admin = await market.admin()
    error = await market.fails(Code.INVALID_ARGUMENT, admin.api.ListAuditEvents(mp.ListAuditEventsRequest(actor="bob")))
    assert market.bad_fields(error) == [("actor", "string.pattern")]
    # A page token only works with the filters it was issued for.
    worker = await market.worker()
    await market.profile(worker, phone="+818033334444")
    for _ in range(2):
        await admin.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker))
    first = await admin.api.ListAuditEvents(mp.ListAuditEventsRequest(target=worker.worker, page_size=1))
    replayed = mp.ListAuditEventsRequest(page_size=1, page_token=first.next_page_token)
    error = await market.fails(Code.INVALID_ARGUMENT, admin.api.ListAuditEvents(replayed))
    assert [field for field, _ in market.bad_fields(error)] == ["page_token"]
    # A time no Timestamp can hold (past year 9999, negative nanos) is refused on its field, not a crash.
    for field, seconds, nanos in (("start_time", 253402300800, 0), ("end_time", 2**62, 0), ("start_time", 0, -5)):
        request = mp.ListAuditEventsRequest()
        getattr(request, field).seconds, getattr(request, field).nanos = seconds, nanos
        error = await market.fails(Code.INVALID_ARGUMENT, admin.api.ListAuditEvents(request))
        assert market.bad_fields(error) == [(field, "timestamp.valid")]
