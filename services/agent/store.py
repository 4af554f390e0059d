"""SQL for the agent's tables (conversations and their messages). Every function takes an open connection."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg.types.json import Jsonb

from services.runtime import names
from services.runtime.errors import NotFound

ROLE_USER = 1
ROLE_ASSISTANT = 2


async def create_conversation(conn, user_id: str, title: str, language: str) -> dict:
    return await (
        await conn.execute(
            "INSERT INTO conversations (id, user_id, title, language) VALUES (%s, %s, %s, %s) RETURNING *",
            (uuid.uuid4(), names.uuid_of(user_id, "user"), title[:80], language),
        )
    ).fetchone()


async def conversation(conn, user_id: str, conversation_id: str, for_update: bool = False) -> dict:
    """The user's conversation; NotFound for another user's or a missing one (no existence leak)."""
    row = await (
        await conn.execute(
            "SELECT * FROM conversations WHERE id = %s AND user_id = %s" + (" FOR UPDATE" if for_update else ""),
            (names.uuid_of(conversation_id, "conversation"), names.uuid_of(user_id, "user")),
        )
    ).fetchone()
    if row is None:
        raise NotFound("no such conversation")
    return row


async def list_conversations(conn, user_id: str, limit: int, after: tuple | None) -> list[dict]:
    """A page of the user's conversations, most recently active first."""
    params: list[Any] = [names.uuid_of(user_id, "user")]
    where = "user_id = %s"
    if after:
        where += " AND (updated_at, id) < (%s::timestamptz, %s::uuid)"
        params += list(after)
    params.append(limit)
    return await (
        await conn.execute(
            f"SELECT * FROM conversations WHERE {where} ORDER BY updated_at DESC, id DESC LIMIT %s", params
        )
    ).fetchall()


async def messages(conn, conversation_id: uuid.UUID, last: int = 0) -> list[dict]:
    """The conversation's messages, oldest first (the newest `last` only, when given)."""
    if last:
        rows = await (
            await conn.execute(
                "SELECT * FROM messages WHERE conversation_id = %s ORDER BY seq DESC LIMIT %s", (conversation_id, last)
            )
        ).fetchall()
        return list(reversed(rows))
    return await (
        await conn.execute("SELECT * FROM messages WHERE conversation_id = %s ORDER BY seq", (conversation_id,))
    ).fetchall()


async def add_message(
    conn, conversation_id: uuid.UUID, role: int, text: str, intent: str = "", tool_calls: list[dict] | None = None
) -> dict:
    row = await (
        await conn.execute(
            "INSERT INTO messages (id, conversation_id, role, text, intent, tool_calls)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
            (uuid.uuid4(), conversation_id, role, text, intent, Jsonb(tool_calls or [])),
        )
    ).fetchone()
    return row


async def save_state(conn, conversation_id: uuid.UUID, language: str, pending_action: dict | None, state: dict) -> None:
    """Record the latest activity, reply language, remembered state and the action awaiting a "yes" (or none)."""
    await conn.execute(
        "UPDATE conversations SET updated_at = now(), language = %s, pending_action = %s, state = %s WHERE id = %s",
        (language, Jsonb(pending_action) if pending_action is not None else None, Jsonb(state), conversation_id),
    )


async def delete_conversation(conn, user_id: str, conversation_id: str) -> None:
    cur = await conn.execute(
        "DELETE FROM conversations WHERE id = %s AND user_id = %s",
        (names.uuid_of(conversation_id, "conversation"), names.uuid_of(user_id, "user")),
    )
    if cur.rowcount == 0:
        raise NotFound("no such conversation")
