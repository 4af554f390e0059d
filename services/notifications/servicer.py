"""NotificationService: inbox, live stream and preferences."""

from __future__ import annotations

from google.protobuf import timestamp_pb2

from iworkz.notifications.v1 import notifications_pb2 as pb
from iworkz.notifications.v1 import notifications_pb2_grpc
from services.notifications import messages, store
from services.notifications.domain import preferences
from services.runtime import names, paging, resumable
from services.runtime.errors import InvalidArgument
from services.runtime.fanout import Fanout
from services.runtime.server import Resources

# Rows read per query when replaying missed notifications to a stream.
REPLAY_PAGE = 500


def _preferences_message(user_id: str, row: store.Recipient | None) -> pb.NotificationPreferences:
    effective = preferences.effective(store.stored_channels(row))
    return pb.NotificationPreferences(
        name=f"users/{user_id}/notificationPreferences",
        categories=[pb.CategoryPreference(category=c, channels=sorted(effective[c])) for c in preferences.CATEGORIES],
        language_code=row.language_code if row else "",
    )


class NotificationServicer(notifications_pb2_grpc.NotificationServiceServicer):
    def __init__(self, resources: Resources, live: Fanout, heartbeat_seconds: float) -> None:
        self.db = resources.db
        self.live = live
        self.heartbeat_seconds = heartbeat_seconds

    # --- the live stream ---------------------------------------------------------

    async def _missed(self, user_id: str, after: int):
        """`(seq, item)` for every notification of the user after event id `after`, from the inbox."""

        async def fetch(after: int, limit: int) -> list[store.Notification]:
            async with self.db.connection() as conn:
                return await store.notifications_after(conn, user_id, after, limit)

        async for row in resumable.pages(fetch, lambda r: r.seq, after, REPLAY_PAGE):
            yield row.seq, pb.SubscribeResponse(notification=messages.notification(row))

    @staticmethod
    def _heartbeat(last: int) -> pb.SubscribeResponse:
        now = timestamp_pb2.Timestamp()
        now.GetCurrentTime()
        return pb.SubscribeResponse(heartbeat=pb.Heartbeat(time=now, last_event_id=str(last) if last else ""))

    @staticmethod
    def _live(payload: bytes) -> tuple[int, pb.SubscribeResponse]:
        response = pb.SubscribeResponse.FromString(payload)
        return int(response.notification.event_id), response

    async def Subscribe(self, request, context_):
        """Replay what the caller missed, then stream live; see the contract and `runtime.resumable`."""
        user_id = names.ids(request.parent)[0]
        after = resumable.resume_point(
            request.last_event_id, "last_event_id", dict(context_.invocation_metadata() or ())
        )
        async with self.live.subscribe(user_id) as subscription:
            async with self.db.connection() as conn:
                newest = await store.last_seq(conn, user_id)
            # A resume point beyond the newest is not one of ours: start from the newest.
            start = newest if after is None or after > newest else after
            async for item in resumable.follow(
                subscription,
                start=start,
                missed=lambda last: self._missed(user_id, last),
                live=self._live,
                heartbeat=self._heartbeat,
                heartbeat_seconds=self.heartbeat_seconds,
            ):
                yield item

    # --- the inbox -----------------------------------------------------------------

    async def ListNotifications(self, request, context_):
        user_id = names.ids(request.parent)[0]
        fp = paging.fingerprint(parent=request.parent, unread_only=request.unread_only, category=request.category)
        size, after = paging.page_request(request, fp, 20, 100)
        before = int(after[0]) if after else None
        async with self.db.connection() as conn:
            rows = await store.list_notifications(
                conn, user_id, request.unread_only, request.category, size + 1, before
            )
            unread = await store.unread_count(conn, user_id)
            newest = await store.last_seq(conn, user_id)
        rows, token = paging.keyset_page(rows, size, fp, lambda r: (r.seq,))
        return pb.ListNotificationsResponse(
            notifications=[messages.notification(r) for r in rows],
            next_page_token=token,
            unread_count=unread,
            last_event_id=str(newest) if newest else "",
        )

    async def MarkNotificationsRead(self, request, context_):
        user_id = names.ids(request.parent)[0]
        ids = None
        if not request.all:
            ids = []
            for index, name in enumerate(request.names):
                if not name.startswith(request.parent + "/notifications/"):
                    raise InvalidArgument.field(f"names[{index}]", "is not a notification of parent")
                ids.append(str(names.uuid_of(names.ids(name)[-1], "notification")))
        async with self.db.transaction() as conn:
            marked = await store.mark_read(conn, user_id, ids)
            unread = await store.unread_count(conn, user_id)
        return pb.MarkNotificationsReadResponse(marked_count=marked, unread_count=unread)

    # --- preferences ---------------------------------------------------------------

    async def GetNotificationPreferences(self, request, context_):
        user_id = names.ids(request.name)[0]
        async with self.db.connection() as conn:
            row = await store.recipient(conn, user_id)
        return pb.GetNotificationPreferencesResponse(preferences=_preferences_message(user_id, row))

    async def UpdateNotificationPreferences(self, request, context_):
        user_id = names.ids(request.preferences.name)[0]
        paths = set(request.update_mask.paths) or {"categories", "language_code"}
        async with self.db.transaction() as conn:
            row = await store.recipient(conn, user_id, create=True, for_update=True)
            channels = None
            if "categories" in paths:
                changes = [(c.category, list(c.channels)) for c in request.preferences.categories]
                channels = preferences.merge(store.stored_channels(row), changes)
            language = request.preferences.language_code if "language_code" in paths else None
            row = await store.save_preferences(conn, user_id, channels, language)
        return pb.UpdateNotificationPreferencesResponse(preferences=_preferences_message(user_id, row))
