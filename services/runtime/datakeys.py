"""Data keys in the service's `data_keys` table, wrapped by master keys."""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import uuid
from dataclasses import dataclass

from psycopg.rows import class_row

from services.runtime.db import Connection, Database
from services.runtime.fieldcrypt import CryptoError, FieldCipher, MasterKey, parse_master_keys, unwrap, wrap

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataKeyRow:
    """A row of `data_keys`: a data key wrapped by a master key."""

    id: uuid.UUID
    master_key_id: str
    wrapped: bytes
    retired_at: datetime.datetime | None


async def _data_keys(conn: Connection) -> list[DataKeyRow]:
    async with conn.cursor(row_factory=class_row(DataKeyRow)) as cur:
        await cur.execute("SELECT id, master_key_id, wrapped, retired_at FROM data_keys ORDER BY created_at")
        return await cur.fetchall()


async def load_keys(db: Database, master_keys_spec: str) -> tuple[dict[uuid.UUID, bytes], uuid.UUID]:
    """Unwrap every data key (creating the first if there is none); return them and the current id."""
    masters = {m.id: m for m in parse_master_keys(master_keys_spec)}
    current_master = next(iter(masters.values()))
    async with db.transaction() as conn:
        rows = await _data_keys(conn)
        if not rows:
            await conn.execute("LOCK TABLE data_keys IN SHARE ROW EXCLUSIVE MODE")
            rows = await _data_keys(conn)
            if not rows:
                await _insert_key(conn, current_master)
                rows = await _data_keys(conn)
    keys: dict[uuid.UUID, bytes] = {}
    for row in rows:
        master = masters.get(row.master_key_id)
        if master is None:
            raise CryptoError(
                f"data key {row.id} is wrapped by master key "
                f"{row.master_key_id!r}, which IWORKZ_MASTER_KEYS does not hold"
            )
        keys[row.id] = unwrap(master, row.id, bytes(row.wrapped))
    active = [r for r in rows if r.retired_at is None]
    return keys, (active[-1].id if active else rows[-1].id)


async def load_cipher(db: Database, master_keys_spec: str) -> FieldCipher:
    """A cipher holding every data key of the service."""
    keys, current = await load_keys(db, master_keys_spec)
    return FieldCipher(keys, current)


async def keep_fresh(db: Database, master_keys_spec: str, cipher: FieldCipher, interval_seconds: float = 15.0) -> None:
    """Reload data keys periodically, so a key rotated by an operator (or another
    replica) reaches every running replica without a restart."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            keys, current = await load_keys(db, master_keys_spec)
            cipher.replace(keys, current)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("could not reload data keys", exc_info=True)


async def _insert_key(conn: Connection, master: MasterKey) -> uuid.UUID:
    key_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO data_keys (id, master_key_id, wrapped) VALUES (%s, %s, %s)",
        (key_id, master.id, wrap(master, key_id, os.urandom(32))),
    )
    return key_id


async def rotate_data_key(db: Database, master_keys_spec: str) -> uuid.UUID:
    """Create a new data key, wrapped by the current master key; new writes use it."""
    master = parse_master_keys(master_keys_spec)[0]
    async with db.transaction() as conn:
        return await _insert_key(conn, master)


async def rewrap(db: Database, master_keys_spec: str) -> int:
    """Re-wrap every data key under the current (first) master key; return how many changed."""
    masters = parse_master_keys(master_keys_spec)
    by_id = {m.id: m for m in masters}
    current = masters[0]
    changed = 0
    async with db.transaction() as conn:
        await conn.execute("SELECT 1 FROM data_keys FOR UPDATE")
        for row in await _data_keys(conn):
            if row.master_key_id == current.id:
                continue
            old = by_id.get(row.master_key_id)
            if old is None:
                raise CryptoError(f"master key {row.master_key_id!r} is needed to rewrap {row.id}")
            plain = unwrap(old, row.id, bytes(row.wrapped))
            await conn.execute(
                "UPDATE data_keys SET master_key_id = %s, wrapped = %s WHERE id = %s",
                (current.id, wrap(current, row.id, plain), row.id),
            )
            changed += 1
    return changed
