"""SQL for notifications' tables. Every function takes an open connection."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb

from services.runtime import names
from services.runtime.db import Connection, fetch_all, fetch_one


@dataclass(frozen=True)
class Recipient:
    """A row of `recipients`: who a user is (from identity's events), their preferences and counter."""

    user_id: uuid.UUID
    email: str
    display_name: str
    locale: str
    organization_id: uuid.UUID | None
    language_code: str
    channels: dict[str, Any]  # {"<category>": [<channel>, ...]} for the categories the user changed
    last_seq: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Notification:
    """A row of `notifications`: one inbox entry."""

    id: uuid.UUID
    user_id: uuid.UUID
    seq: int
    event_id: str
    category: int
    title: str
    body: str
    link: str
    language: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    """A row of `deliveries`: one message for another channel (email), and how sending it went."""

    id: uuid.UUID
    user_id: uuid.UUID
    notification_id: uuid.UUID | None
    event_id: str
    category: int
    channel: str
    address: str
    language: str
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None


_RECIPIENT = ", ".join(Recipient.__dataclass_fields__)
_NOTIFICATION = ", ".join(Notification.__dataclass_fields__)
_DELIVERY = ", ".join(Delivery.__dataclass_fields__)

# --- recipients ---------------------------------------------------------------------


async def upsert_recipient(
    conn, user_id: str, email: str, display_name: str, locale: str, organization_id: str
) -> None:
    """Remember who a user is (from identity's UserSignedUp); keeps their preferences and counter."""
    await conn.execute(
        "INSERT INTO recipients (user_id, email, display_name, locale, organization_id)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email,"
        " display_name = EXCLUDED.display_name, locale = EXCLUDED.locale,"
        " organization_id = EXCLUDED.organization_id, updated_at = now()",
        (
            names.uuid_of(user_id, "user"),
            email,
            display_name,
            locale,
            uuid.UUID(organization_id) if organization_id else None,
        ),
    )


async def recipient(conn: Connection, user_id: str, create: bool = False, for_update: bool = False) -> Recipient | None:
    """A user's row; with `create`, an empty one is made for a user not seen before."""
    uid = names.uuid_of(user_id, "user")
    if create:
        await conn.execute("INSERT INTO recipients (user_id) VALUES (%s) ON CONFLICT DO NOTHING", (uid,))
    return await fetch_one(
        conn,
        Recipient,
        f"SELECT {_RECIPIENT} FROM recipients WHERE user_id = %s" + (" FOR UPDATE" if for_update else ""),
        (uid,),
    )


async def organization_members(conn, organization_id: str) -> list[str]:
    rows = await (
        await conn.execute(
            "SELECT user_id FROM recipients WHERE organization_id = %s ORDER BY user_id",
            (names.uuid_of(organization_id, "organization"),),
        )
    ).fetchall()
    return [str(r["user_id"]) for r in rows]


async def last_seq(conn, user_id: str) -> int:
    row = await (
        await conn.execute("SELECT last_seq FROM recipients WHERE user_id = %s", (names.uuid_of(user_id, "user"),))
    ).fetchone()
    return row["last_seq"] if row else 0


async def save_preferences(
    conn: Connection, user_id: str, channels: dict[str, Any] | None, language_code: str | None
) -> Recipient:
    """Store the user's channel choices and/or language; None leaves a field as it is."""
    await recipient(conn, user_id, create=True)
    row = await fetch_one(
        conn,
        Recipient,
        "UPDATE recipients SET channels = COALESCE(%s, channels), language_code = COALESCE(%s, language_code),"
        f" updated_at = now() WHERE user_id = %s RETURNING {_RECIPIENT}",
        (Jsonb(channels) if channels is not None else None, language_code, names.uuid_of(user_id, "user")),
    )
    assert row is not None  # made just above
    return row


def stored_channels(row: Recipient | None) -> dict[str, Any]:
    """The `channels` JSON of a recipient row (psycopg returns jsonb parsed)."""
    if not row:
        return {}
    value: Any = row.channels
    return json.loads(value) if isinstance(value, str) else dict(value)


# --- notifications ------------------------------------------------------------------


class Addressee(NamedTuple):
    """What the writer needs of a locked `recipients` row (a plain tuple: one per recipient per batch)."""

    email: str
    display_name: str
    locale: str
    language_code: str
    channels: str  # the stored choices as JSON text: most users share one (`{}`), parsed once per text
    last_seq: int


async def lock_recipients(conn: Connection, user_ids: Iterable[str]) -> dict[str, Addressee]:
    """The rows of `user_ids` (made if missing), locked until commit, in id order (no deadlocks).

    Holding the lock while notifications are numbered and inserted makes a
    user's notifications commit in event-id order. Ids go as text and are
    cast by PostgreSQL (an id that is no UUID fails the statement, as
    `uuid_of` failed the batch before); rows come back as tuples, keyed by the
    canonical text of the id.
    """
    ids = list(set(user_ids))
    await conn.execute(
        "INSERT INTO recipients (user_id) SELECT u FROM unnest(%b::text[]::uuid[]) AS u ORDER BY u"
        " ON CONFLICT DO NOTHING",
        (ids,),
    )
    async with conn.cursor(row_factory=tuple_row) as cursor:
        await cursor.execute(
            "SELECT user_id::text, email, display_name, locale, language_code, channels::text, last_seq"
            " FROM recipients WHERE user_id = ANY(%b::text[]::uuid[]) ORDER BY user_id FOR UPDATE",
            (ids,),
        )
        return {row[0]: Addressee(*row[1:]) for row in await cursor.fetchall()}


@dataclass
class NewNotifications:
    """Inbox rows to insert, column by column (the arrays the insert sends), all created at `created_at`."""

    created_at: datetime
    id: list[uuid.UUID] = field(default_factory=list)
    user_id: list[str] = field(default_factory=list)
    seq: list[int] = field(default_factory=list)
    event_id: list[str] = field(default_factory=list)
    category: list[int] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    link: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.id)

    def add(
        self,
        id: uuid.UUID,
        user_id: str,
        seq: int,
        event_id: str,
        category: int,
        title: str,
        body: str,
        link: str,
        language: str,
    ) -> None:
        self.id.append(id)
        self.user_id.append(user_id)
        self.seq.append(seq)
        self.event_id.append(event_id)
        self.category.append(category)
        self.title.append(title)
        self.body.append(body)
        self.link.append(link)
        self.language.append(language)


async def add_notifications(conn: Connection, rows: NewNotifications, last_seq: dict[str, int]) -> None:
    """Insert notifications (numbered by the caller from locked rows) and move the users' counters.

    One statement, nothing returned: the caller has every column already (`created_at` included),
    so the rows are not read back and parsed (that was a tenth of a delivery's CPU).
    """
    if not rows:
        return
    users = list(last_seq)
    # Arrays sent in binary: no per-element quoting (text arrays were a tenth of the consumer's CPU);
    # one creation time for the batch, not an array of it.
    await conn.execute(
        "WITH counters AS (UPDATE recipients r SET last_seq = v.last_seq FROM"
        " (SELECT unnest(%b::text[]::uuid[]) AS user_id, unnest(%b::bigint[]) AS last_seq) v"
        " WHERE r.user_id = v.user_id)"
        " INSERT INTO notifications (id, user_id, seq, event_id, category, title, body, link, language, created_at)"
        " SELECT id, user_id::uuid, seq, event_id, category, title, body, link, language, %b FROM"
        " unnest(%b::uuid[], %b::text[], %b::bigint[], %b::text[], %b::int[], %b::text[], %b::text[], %b::text[],"
        " %b::text[]) AS n(id, user_id, seq, event_id, category, title, body, link, language)",
        [
            users,
            [last_seq[u] for u in users],
            rows.created_at,
            rows.id,
            rows.user_id,
            rows.seq,
            rows.event_id,
            rows.category,
            rows.title,
            rows.body,
            rows.link,
            rows.language,
        ],
    )


async def notifications_after(conn: Connection, user_id: str, seq: int, limit: int) -> list[Notification]:
    """The user's notifications with an event id above `seq`, oldest first."""
    return await fetch_all(
        conn,
        Notification,
        f"SELECT {_NOTIFICATION} FROM notifications WHERE user_id = %s AND seq > %s ORDER BY seq LIMIT %s",
        (names.uuid_of(user_id, "user"), seq, limit),
    )


async def list_notifications(
    conn: Connection, user_id: str, unread_only: bool, category: int, limit: int, before_seq: int | None
) -> list[Notification]:
    """A page of the user's notifications, newest first."""
    clauses: list[str] = ["user_id = %s"]
    params: list[Any] = [names.uuid_of(user_id, "user")]
    if unread_only:
        clauses.append("read_at IS NULL")
    if category:
        clauses.append("category = %s")
        params.append(category)
    if before_seq is not None:
        clauses.append("seq < %s")
        params.append(before_seq)
    return await fetch_all(
        conn,
        Notification,
        f"SELECT {_NOTIFICATION} FROM notifications WHERE {' AND '.join(clauses)} ORDER BY seq DESC LIMIT %s",
        (*params, limit),
    )


async def unread_count(conn, user_id: str) -> int:
    row = await (
        await conn.execute(
            "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND read_at IS NULL",
            (names.uuid_of(user_id, "user"),),
        )
    ).fetchone()
    return row["n"]


async def mark_read(conn, user_id: str, ids: list[str] | None) -> int:
    """Mark the user's notifications `ids` (None: all) read; return how many changed."""
    if ids is None:
        cursor = await conn.execute(
            "UPDATE notifications SET read_at = now() WHERE user_id = %s AND read_at IS NULL",
            (names.uuid_of(user_id, "user"),),
        )
    else:
        wanted = [uuid.UUID(i) for i in ids]
        cursor = await conn.execute(
            "UPDATE notifications SET read_at = now() WHERE user_id = %s AND id = ANY(%s) AND read_at IS NULL",
            (names.uuid_of(user_id, "user"), wanted),
        )
    return cursor.rowcount


# --- deliveries --------------------------------------------------------------------


async def add_deliveries(conn, deliveries: list[dict]) -> None:
    """Queue messages for the dispatcher."""
    if not deliveries:
        return
    columns = (
        "id",
        "user_id",
        "notification_id",
        "event_id",
        "category",
        "channel",
        "address",
        "language",
        "subject",
        "body",
    )
    types = ("uuid", "uuid", "uuid", "text", "int", "text", "text", "text", "text", "text")
    # Arrays sent in binary: no per-element quoting (text arrays were a tenth of the consumer's CPU).
    unnest = ", ".join(f"%b::{t}[]" for t in types)
    await conn.execute(
        f"INSERT INTO deliveries ({', '.join(columns)}) SELECT * FROM unnest({unnest})",
        [[d[c] for d in deliveries] for c in columns],
    )


async def due_deliveries(conn: Connection, channels: list[str], limit: int) -> list[Delivery]:
    """Pending deliveries whose time has come, locked; other replicas skip them."""
    return await fetch_all(
        conn,
        Delivery,
        f"SELECT {_DELIVERY} FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now()"
        " AND channel = ANY(%s) ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED",
        (channels, limit),
    )


async def delivery_lag_seconds(conn: Connection, channels: list[str]) -> float:
    """Seconds the oldest due pending delivery has waited past its time (0 when none is due)."""
    cursor = await conn.execute(
        "SELECT coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::float8 AS lag FROM deliveries"
        " WHERE status = 'pending' AND next_attempt_at <= now() AND channel = ANY(%s)",
        (channels,),
    )
    row = await cursor.fetchone()
    return float(row["lag"]) if row else 0.0


async def delivery_sent(conn, delivery_id) -> None:
    await conn.execute(
        "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = ''"
        " WHERE id = %s",
        (delivery_id,),
    )


async def delivery_failed(conn, delivery_id, error: str, retry_in: timedelta | None) -> None:
    """Record a failed attempt; `retry_in` None gives up (status `failed`)."""
    await conn.execute(
        "UPDATE deliveries SET attempts = attempts + 1, last_error = %s,"
        " status = CASE WHEN %s::interval IS NULL THEN 'failed' ELSE 'pending' END,"
        " next_attempt_at = now() + COALESCE(%s::interval, '0s') WHERE id = %s",
        (error[:2000], retry_in, retry_in, delivery_id),
    )
