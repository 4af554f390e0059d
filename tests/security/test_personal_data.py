"""Personal data stays where it belongs.

A worker's unique personal values (phone, residence card number, address, birth
date) go through the edge: saved, read back, read by an admin, sent invalid.
Then everything the run produced is scanned for them: every log record of the
in-process services (formatted as the services write them), every trace span
(names, attributes, events), every error message returned, the edge's access
log, every outbox row and every Redis stream entry. The admin's read is in
marketplace's audit log (naming the fields, never their values), which admins
list at `GET /v1/marketplace/auditEvents`; a tampered
ciphertext is DATA_LOSS that names no value.
"""

from __future__ import annotations

import logging
import random
import uuid

import grpc
import pytest
from edge_testing import grpc_credentials, sign_up
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.marketplace.v1 import marketplace_pb2_grpc
from services.runtime.logs import JsonFormatter


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter_ = JsonFormatter("any")

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.formatter_.format(record))


@pytest.fixture
def spans():
    """Every span finished during the test (an SDK provider, if none is installed yet)."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


@pytest.fixture
def logs():
    recorder = Recorder()
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(recorder)
    yield recorder
    root.removeHandler(recorder)
    root.setLevel(previous)


def personal_values() -> dict[str, str]:
    digits = "".join(random.choice("0123456789") for _ in range(8))
    tag = uuid.uuid4().hex[:8].upper()
    return {
        "phone": f"+8190{digits}",
        "residenceCardNumber": f"QZ{digits}XK",
        "address": f"Minato-ku Shiba {tag}-chome",
    }


def _span_text(span) -> str:
    parts = [span.name, repr(dict(span.attributes or {}))]
    for event in span.events:
        parts += [event.name, repr(dict(event.attributes or {}))]
    parts.append(str(span.status.description or ""))
    return " ".join(parts)


async def _stored_events(marketplace_service) -> list[bytes]:
    resources = marketplace_service.resources
    async with resources.db.connection() as conn:
        cursor = await conn.execute("SELECT envelope FROM outbox")
        rows = [bytes(r[0] if isinstance(r, tuple) else r["envelope"]) for r in await cursor.fetchall()]
    client = resources.redis.client
    async for key in client.scan_iter(match=resources.redis.prefix + "*", count=1000):
        if await client.type(key) == b"stream":
            for _id, fields in await client.xrange(key):
                rows += [bytes(v) for v in fields.values()]
    return rows


async def test_personal_values_appear_in_no_log_trace_error_or_event(
    rest, edge, callers, marketplace_service, spans, logs
):
    worker = await sign_up(rest)
    values = personal_values()
    profile_path = f"/v1/workers/{worker['id']}"
    saved = await rest.patch(
        profile_path,
        json={
            "displayName": "Pat Personal",
            **values,
            "birthDate": {"year": 1991, "month": 4, "day": 23},
        },
        headers=worker["auth"],
    )
    assert saved.status_code == 200, saved.text
    read = (await rest.get(profile_path, headers=worker["auth"])).json()["profile"]
    assert {k: read[k] for k in values} == values  # the owner sees them
    admin = callers.mine["admin"]
    assert (await rest.get(profile_path, headers=admin.headers)).json()["profile"]["phone"] == values["phone"]
    # Invalid values, and someone else asking: the errors must not echo what was sent or stored.
    errors = [
        await rest.patch(profile_path, json={"phone": values["phone"] + "x" * 40}, headers=worker["auth"]),
        await rest.patch(
            profile_path, json={"residenceCardNumber": values["residenceCardNumber"] * 5}, headers=worker["auth"]
        ),
        await rest.get(profile_path, headers=callers.mine["employer"].headers),
    ]
    assert all(e.status_code >= 400 for e in errors), [e.text for e in errors]

    haystacks = {
        "logs": "\n".join(logs.lines),
        "traces": "\n".join(_span_text(s) for s in spans.get_finished_spans()),
        "errors": "\n".join(e.text + repr(dict(e.headers)) for e in errors),
        "edge logs": "\n".join(p.read_text(errors="replace") for p in (edge.access_log, edge.log) if p.exists()),
        "events": "\n".join(b.decode("latin-1") for b in await _stored_events(marketplace_service)),
    }
    assert logs.lines and spans.get_finished_spans(), "nothing was recorded: the scan would prove nothing"
    for where, text in haystacks.items():
        for field, value in values.items():
            assert value not in text, f"{field} appears in {where}"


async def test_an_admins_read_of_personal_data_is_audited_without_the_values(rest, callers, marketplace_service):
    worker = await sign_up(rest)
    values = personal_values()
    path = f"/v1/workers/{worker['id']}"
    assert (
        await rest.patch(path, json={"displayName": "Audited", **values}, headers=worker["auth"])
    ).status_code == 200
    assert (await rest.get(path, headers=worker["auth"])).status_code == 200  # the worker's own read: no entry
    admin = callers.mine["admin"]
    assert (await rest.get(path, headers=admin.headers)).status_code == 200
    async with marketplace_service.resources.db.connection() as conn:
        cursor = await conn.execute(
            "SELECT actor, action, detail::text AS detail FROM audit_log WHERE target = %s ORDER BY id",
            (f"workers/{worker['id']}",),
        )
        rows = [(r["actor"], r["action"], r["detail"]) for r in await cursor.fetchall()]
    assert [(actor, action) for actor, action, _ in rows] == [(f"users/{admin.user}", "read_worker_personal_data")]
    assert "phone" in rows[0][2] and "residence_card_number" in rows[0][2]
    assert not any(value in rows[0][2] for value in values.values())
    # Admins see it through the edge (marketplace's ListAuditEvents); the worker may not list it.
    query = {"target": f"workers/{worker['id']}"}
    listed = await rest.get("/v1/marketplace/auditEvents", params=query, headers=admin.headers)
    assert listed.status_code == 200, listed.text
    assert [(e["actor"], e["action"]) for e in listed.json()["auditEvents"]] == [
        (f"users/{admin.user}", "read_worker_personal_data")
    ]
    assert not any(value in listed.text for value in values.values())
    refused = await rest.get("/v1/marketplace/auditEvents", params=query, headers=worker["auth"])
    assert refused.status_code == 403, refused.text


async def test_a_tampered_ciphertext_is_data_loss_naming_no_value(rest, edge, marketplace_service):
    worker = await sign_up(rest)
    values = personal_values()
    path = f"/v1/workers/{worker['id']}"
    assert (
        await rest.patch(path, json={"displayName": "Tampered", **values}, headers=worker["auth"])
    ).status_code == 200
    async with marketplace_service.resources.db.transaction() as conn:
        # Flip one bit of the sealed phone number (past the version, key id and nonce).
        await conn.execute(
            "UPDATE worker_profiles SET phone_enc = overlay(phone_enc placing"
            " decode(lpad(to_hex(get_byte(phone_enc, 40) # 1), 2, '0'), 'hex') from 41 for 1)"
            " WHERE user_id = %s",
            (uuid.UUID(worker["id"]),),
        )
    async with grpc.aio.secure_channel(edge.target, grpc_credentials(edge)) as channel:
        stub = marketplace_pb2_grpc.MarketplaceServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetWorkerProfile(
                mp.GetWorkerProfileRequest(name=f"workers/{worker['id']}"),
                metadata=(("authorization", worker["auth"]["authorization"]),),
                timeout=10,
            )
    assert caught.value.code() == grpc.StatusCode.DATA_LOSS, caught.value.details()
    over_rest = await rest.get(path, headers=worker["auth"])
    assert over_rest.status_code == 500 and over_rest.json()["code"] == 15, over_rest.text
    for value in values.values():
        assert value not in (caught.value.details() or "") and value not in over_rest.text
