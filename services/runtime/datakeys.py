"""Data keys in the service's `data_keys` table, wrapped by master keys."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid

from services.runtime.db import Database
from services.runtime.fieldcrypt import CryptoError, FieldCipher, MasterKey, parse_master_keys, unwrap, wrap

log = logging.getLogger(__name__)


async def load_keys(db: Database, master_keys_spec: str) -> tuple[dict[uuid.UUID, bytes], uuid.UUID]:
    """Unwrap every data key (creating the first if there is none); return them and the current id."""
    masters = {m.id: m for m in parse_master_keys(master_keys_spec)}
    current_master = next(iter(masters.values()))
    async with db.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT id, master_key_id, wrapped, retired_at FROM data_keys ORDER BY created_at")).fetchall()
        if not rows:
            await conn.execute("LOCK TABLE data_keys IN SHARE ROW EXCLUSIVE MODE")
            rows = await (await conn.execute(
                "SELECT id, master_key_id, wrapped, retired_at FROM data_keys ORDER BY created_at")).fetchall()
            if not rows:
                rows = [await _insert_key(conn, current_master)]
    keys: dict[uuid.UUID, bytes] = {}
    for row in rows:
        master = masters.get(row["master_key_id"])
        if master is None:
            raise CryptoError(f"data key {row['id']} is wrapped by master key "
                              f"{row['master_key_id']!r}, which IWORKZ_MASTER_KEYS does not hold")
        keys[row["id"]] = unwrap(master, row["id"], bytes(row["wrapped"]))
    active = [r for r in rows if r["retired_at"] is None]
    return keys, (active[-1]["id"] if active else rows[-1]["id"])


async def load_cipher(db: Database, master_keys_spec: str) -> FieldCipher:
    """A cipher holding every data key of the service."""
    keys, current = await load_keys(db, master_keys_spec)
    return FieldCipher(keys, current)


async def keep_fresh(db: Database, master_keys_spec: str, cipher: FieldCipher,
                     interval_seconds: float = 15.0) -> None:
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


async def _insert_key(conn, master: MasterKey) -> dict:
    key_id = uuid.uuid4()
    row = {"id": key_id, "master_key_id": master.id, "wrapped": wrap(master, key_id, os.urandom(32)),
           "retired_at": None}
    await conn.execute("INSERT INTO data_keys (id, master_key_id, wrapped) VALUES (%s, %s, %s)",
                       (row["id"], row["master_key_id"], row["wrapped"]))
    return row


async def rotate_data_key(db: Database, master_keys_spec: str) -> uuid.UUID:
    """Create a new data key, wrapped by the current master key; new writes use it."""
    master = parse_master_keys(master_keys_spec)[0]
    async with db.transaction() as conn:
        row = await _insert_key(conn, master)
    return row["id"]


async def rewrap(db: Database, master_keys_spec: str) -> int:
    """Re-wrap every data key under the current (first) master key; return how many changed."""
    masters = parse_master_keys(master_keys_spec)
    by_id = {m.id: m for m in masters}
    current = masters[0]
    changed = 0
    async with db.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT id, master_key_id, wrapped FROM data_keys FOR UPDATE")).fetchall()
        for row in rows:
            if row["master_key_id"] == current.id:
                continue
            old = by_id.get(row["master_key_id"])
            if old is None:
                raise CryptoError(f"master key {row['master_key_id']!r} is needed to rewrap {row['id']}")
            plain = unwrap(old, row["id"], bytes(row["wrapped"]))
            await conn.execute("UPDATE data_keys SET master_key_id = %s, wrapped = %s WHERE id = %s",
                               (current.id, wrap(current, row["id"], plain), row["id"]))
            changed += 1
    return changed
