"""Write domain events and audit entries in the caller's transaction.

An event is stored as a serialized `iworkz.type.v1.EventEnvelope` in the
service's `outbox` table, inside the same transaction as the change it
describes, so it exists if and only if the change committed. The events
relay publishes the rows to Redis Streams.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message

from iworkz.type.v1 import event_pb2
from services.runtime import context
from services.runtime.db import Connection


def envelope(source: str, aggregate_type: str, aggregate_id: str, event: Message) -> event_pb2.EventEnvelope:
    """Wrap an event message with id, type, time, aggregate and trace context."""
    payload = any_pb2.Any()
    payload.Pack(event)
    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    state = context.current()
    return event_pb2.EventEnvelope(
        id=str(uuid.uuid4()),
        type=event.DESCRIPTOR.full_name,
        occur_time=now,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        traceparent=state.traceparent if state else "",
        payload=payload,
        source=source,
    )


async def emit(
    conn: Connection, source: str, aggregate_type: str, aggregate_id: str, event: Message
) -> event_pb2.EventEnvelope:
    """Add an event to the outbox within `conn`'s current transaction."""
    env = envelope(source, aggregate_type, aggregate_id, event)
    await conn.execute(
        "INSERT INTO outbox (id, aggregate_type, aggregate_id, event_type, envelope) VALUES (%s, %s, %s, %s, %s)",
        (env.id, aggregate_type, aggregate_id, env.type, env.SerializeToString()),
    )
    return env


async def emit_many(
    conn: Connection, source: str, events: list[tuple[str, str, Message]]
) -> list[event_pb2.EventEnvelope]:
    """Add `(aggregate_type, aggregate_id, event)`s to the outbox in one statement, in the order given
    (the relay publishes in that order): what a consumer handling a batch of events emits at once."""
    envelopes = [envelope(source, kind, key, event) for kind, key, event in events]
    if envelopes:
        await conn.execute(
            "INSERT INTO outbox (id, aggregate_type, aggregate_id, event_type, envelope)"
            " SELECT id, aggregate_type, aggregate_id, event_type, envelope"
            " FROM unnest(%b::uuid[], %b::text[], %b::text[], %b::text[], %b::bytea[])"
            " WITH ORDINALITY AS e(id, aggregate_type, aggregate_id, event_type, envelope, n) ORDER BY n",
            (
                [e.id for e in envelopes],
                [e.aggregate_type for e in envelopes],
                [e.aggregate_id for e in envelopes],
                [e.type for e in envelopes],
                [e.SerializeToString() for e in envelopes],
            ),
        )
    return envelopes


async def audit(conn: Connection, actor: str, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    """Record a privileged action in the service's audit log."""
    state = context.current()
    await conn.execute(
        "INSERT INTO audit_log (actor, action, target, detail, request_id) VALUES (%s, %s, %s, %s, %s)",
        (actor, action, target, json.dumps(detail or {}), state.request_id if state else ""),
    )
