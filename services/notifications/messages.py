"""Contract messages built from notifications' rows."""

from __future__ import annotations

from iworkz.notifications.v1 import notifications_pb2 as pb
from services.notifications import store
from services.runtime.timestamps import timestamp


def notification(row: store.Notification) -> pb.Notification:
    return pb.Notification(
        name=f"users/{row.user_id}/notifications/{row.id}",
        category=row.category,
        title=row.title,
        body=row.body,
        link=row.link,
        create_time=timestamp(row.created_at),
        read=row.read_at is not None,
        event_id=str(row.seq),
        language_code=row.language,
    )


def stream_item(row: store.Notification) -> bytes:
    """The serialized `SubscribeResponse` carrying a notification (what the live fan-out publishes)."""
    return pb.SubscribeResponse(notification=notification(row)).SerializeToString()
