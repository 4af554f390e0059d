"""SQL for the voice service's table. Every function takes an open connection."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.runtime.db import Connection, fetch_one


@dataclass(frozen=True)
class SpokenConversation:
    """A row of `conversations`: an agent conversation spoken through this service."""

    conversation: str
    user_id: uuid.UUID
    language_code: str
    pending_prompt: str
    pending_language: str
    unclear: int
    utterances: int
    created_at: datetime
    updated_at: datetime


async def get(conn: Connection, conversation: str, user_id: uuid.UUID) -> SpokenConversation | None:
    return await fetch_one(
        conn,
        SpokenConversation,
        "SELECT * FROM conversations WHERE conversation = %s AND user_id = %s",
        (conversation, user_id),
    )


async def save(
    conn: Connection,
    conversation: str,
    user_id: uuid.UUID,
    language_code: str,
    pending_prompt: str,
    pending_language: str,
    unclear: int,
    utterances: int,
) -> None:
    await conn.execute(
        """
        INSERT INTO conversations (conversation, user_id, language_code, pending_prompt, pending_language,
                                   unclear, utterances)
        VALUES (%s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (conversation) DO UPDATE SET
            language_code = EXCLUDED.language_code, pending_prompt = EXCLUDED.pending_prompt,
            pending_language = EXCLUDED.pending_language, unclear = EXCLUDED.unclear,
            utterances = conversations.utterances + EXCLUDED.utterances, updated_at = now()
        WHERE conversations.user_id = EXCLUDED.user_id
        """,
        (conversation, user_id, language_code, pending_prompt, pending_language, unclear, utterances),
    )
