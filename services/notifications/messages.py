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


def stream_items(rows: store.NewNotifications) -> list[tuple[str, bytes]]:
    """`(user id, serialized SubscribeResponse)` per row just written (unread), in order, for the live
    fan-out: built from the columns the insert sent, with the batch's one creation time converted once."""
    created = timestamp(rows.created_at)
    return [
        (
            user_id,
            pb.SubscribeResponse(
                notification=pb.Notification(
                    name=f"users/{user_id}/notifications/{id_}",
                    category=category,
                    title=title,
                    body=body,
                    link=link,
                    create_time=created,
                    event_id=str(seq),
                    language_code=language,
                )
            ).SerializeToString(),
        )
        for id_, user_id, seq, category, title, body, link, language in zip(
            rows.id, rows.user_id, rows.seq, rows.category, rows.title, rows.body, rows.link, rows.language, strict=True
        )
    ]
