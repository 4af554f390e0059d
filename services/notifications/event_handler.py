"""Turns the platform's domain events into notifications, deliveries and live messages.

Runs inside the event consumer's transaction (see `runtime.consumer`): the
inbox rows, the pending deliveries and the processed-event records commit
together, so each event notifies each person once. The consumer hands over
events in batches; the handler only decides who is told what for each event
and writes the whole batch at once before the commit (a few statements per
batch rather than per event). Live messages are published after the commit;
a lost one is recovered by the subscriber from the inbox.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from iworkz.identity.v1 import events_pb2 as identity_events
from services.notifications import messages, store
from services.notifications.dispatch import Dispatcher
from services.notifications.domain import preferences, routing, templates
from services.runtime import names
from services.runtime.consumer import Event, Transaction
from services.runtime.fanout import Fanout

CONSUMER = "notifications"
SOURCES = ["identity", "marketplace", "credentials", "matching"]
_SIGNED_UP = identity_events.UserSignedUp.DESCRIPTOR.full_name


@dataclass(frozen=True)
class _Planned:
    event_id: str
    draft: routing.Draft
    user_id: str
    occurred: float  # Unix time of the event


# An email about something long past is noise: when notifications first starts
# on a platform with history, or replays old dead letters, the inbox gets the
# old events but nobody is emailed about them.
EMAIL_MAX_AGE_SECONDS = 24 * 3600


class NotificationWriter:
    """The consumer's handler."""

    def __init__(self, live: Fanout, dispatcher: Dispatcher, web_base_url: str) -> None:
        self.live = live
        self.dispatcher = dispatcher
        self.web_base_url = web_base_url.rstrip("/")

    async def __call__(self, tx: Transaction, event: Event) -> None:
        if event.type == _SIGNED_UP:
            signed_up = event.payload(identity_events.UserSignedUp)
            await store.upsert_recipient(
                tx.conn,
                names.resource_id(signed_up.user, "users"),
                signed_up.email,
                signed_up.display_name,
                signed_up.locale,
                names.resource_id(signed_up.organization, "organizations"),
            )
            return
        route = routing.ROUTES.get(event.type)
        if route is None:
            return  # an event no one is told about
        message_class, make_drafts = route
        planned = self._batch(tx)
        for draft in make_drafts(event.payload(message_class)):
            if draft.user_id:
                users = [draft.user_id]
            else:
                users = await store.organization_members(tx.conn, draft.organization_id)
            occurred = event.envelope.occur_time.seconds or time.time()
            planned.extend(_Planned(event.id, draft, user_id, occurred) for user_id in users)

    def _batch(self, tx: Transaction) -> list[_Planned]:
        """This transaction's planned notifications, written by one `_write` before the commit."""
        planned = tx.state.get("planned")
        if planned is None:
            planned = tx.state["planned"] = []
            tx.before_commit(lambda: self._write(tx, planned))
        return planned

    @staticmethod
    def _delivery(
        item: _Planned, address: str, email: templates.Email, notification_id: uuid.UUID | None
    ) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "user_id": item.user_id,
            "notification_id": notification_id,
            "event_id": item.event_id,
            "category": item.draft.category,
            "channel": "email",
            "address": address,
            "language": email.language,
            "subject": email.subject,
            "body": email.text,
        }

    async def _write(self, tx: Transaction, planned: list[_Planned]) -> None:
        if not planned:
            return
        recipients = await store.lock_recipients(tx.conn, [p.user_id for p in planned])
        last_seq = {user_id: row.last_seq for user_id, row in recipients.items()}
        # One creation time for the batch: written with the rows and sent live, so neither is read back.
        rows = store.NewNotifications(datetime.now(UTC))
        deliveries: list[dict[str, Any]] = []
        email_on = "email" in self.dispatcher.channels
        for item in planned:
            recipient = recipients[item.user_id]
            draft = item.draft
            message = draft.render(templates.language_for(recipient.language_code, recipient.locale))
            notification_id = None
            if draft.email_only:
                if email_on and recipient.email and time.time() < draft.expires:
                    email = templates.account_email(message, recipient.display_name, self.web_base_url + draft.link)
                    deliveries.append(self._delivery(item, recipient.email, email, None))
                continue
            choices = _choices(recipient.channels)[draft.category]
            if preferences.IN_APP in choices:
                notification_id = uuid.uuid4()
                seq = last_seq[item.user_id] = last_seq[item.user_id] + 1
                rows.add(
                    notification_id,
                    item.user_id,
                    seq,
                    item.event_id,
                    draft.category,
                    message.title,
                    message.body,
                    draft.link,
                    message.language,
                )
            if (
                email_on
                and recipient.email
                and time.time() - item.occurred <= EMAIL_MAX_AGE_SECONDS
                and preferences.EMAIL in choices
            ):
                email = templates.email(
                    message,
                    recipient.display_name,
                    self.web_base_url + draft.link,
                    self.web_base_url + templates.SETTINGS_PATH,
                )
                deliveries.append(self._delivery(item, recipient.email, email, notification_id))
        changed = {user_id: last_seq[user_id] for user_id in set(rows.user_id)}
        await store.add_notifications(tx.conn, rows, changed)
        await store.add_deliveries(tx.conn, deliveries)
        if rows:
            # In the order numbered: each user's notifications in seq order.
            live = messages.stream_items(rows)
            tx.after_commit(lambda: self.live.publish_many(live))
        if deliveries:

            async def wake() -> None:
                self.dispatcher.wake()

            tx.after_commit(wake)


@functools.lru_cache(maxsize=1024)
def _choices(stored: str) -> preferences.Choices:
    """A recipient's channels per category from their stored choices (JSON text), worked out once per
    distinct text, not per recipient: most people share a few (nearly everyone `{}`, the defaults)."""
    return preferences.effective(json.loads(stored))
