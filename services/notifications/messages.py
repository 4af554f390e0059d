"""Contract messages built from notifications' rows."""

from __future__ import annotations

from google.protobuf import timestamp_pb2

from iworkz.notifications.v1 import notifications_pb2 as pb
from services.notifications import store
from services.runtime.timestamps import timestamp


def notification(row: store.Notification, create_time: timestamp_pb2.Timestamp | None = None) -> pb.Notification:
    """The contract message of an inbox row (`create_time`: its `created_at` already converted)."""
    return pb.Notification(
        name=f"users/{row.user_id}/notifications/{row.id}",
        category=row.category,
        title=row.title,
        body=row.body,
        link=row.link,
        create_time=create_time if create_time is not None else timestamp(row.created_at),
        read=row.read_at is not None,
        event_id=str(row.seq),
        language_code=row.language,
    )


def stream_items(rows: list[store.Notification]) -> list[tuple[str, bytes]]:
    """`(user id, serialized SubscribeResponse)` per row, for the live fan-out. A consumer's batch
    shares one creation time, so each distinct time is converted once."""
    times: dict[object, timestamp_pb2.Timestamp | None] = {}
    items = []
    for row in rows:
        created = times.get(row.created_at)
        if created is None:
            created = times[row.created_at] = timestamp(row.created_at)
        response = pb.SubscribeResponse(notification=notification(row, created))
        items.append((str(row.user_id), response.SerializeToString()))
    return items
