"""SQL for the credential service's tables. Every function takes an open connection."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from psycopg.errors import UniqueViolation
from psycopg.types.json import Jsonb

from services.runtime.errors import InvalidArgument, NotFound

Row = dict[str, Any]


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        raise NotFound(f"no such {what}") from None


# --- issuers and keys -------------------------------------------------------------


async def issuer(conn, issuer_id: str) -> Row | None:
    return await (await conn.execute("SELECT * FROM issuers WHERE id = %s", (_uuid(issuer_id, "issuer"),))).fetchone()


async def issuer_by_did(conn, did: str) -> Row | None:
    return await (await conn.execute("SELECT * FROM issuers WHERE did = %s", (did,))).fetchone()


async def insert_issuer(conn, issuer_id: str, display_name: str, did: str, method: str) -> Row | None:
    """Insert the issuer; None if it already exists (registration is idempotent)."""
    return await (
        await conn.execute(
            "INSERT INTO issuers (id, display_name, did, did_method) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (id) DO NOTHING RETURNING *",
            (_uuid(issuer_id, "issuer"), display_name, did, method),
        )
    ).fetchone()


async def keys(conn, issuer_id: uuid.UUID) -> list[Row]:
    """The issuer's keys, newest first."""
    return await (
        await conn.execute("SELECT * FROM issuer_keys WHERE issuer_id = %s ORDER BY created_at DESC, id", (issuer_id,))
    ).fetchall()


async def insert_key(
    conn,
    key_id: uuid.UUID,
    issuer_id: uuid.UUID,
    method_id: str,
    suite: str,
    public_multibase: str,
    private_key_enc: bytes,
) -> None:
    await conn.execute(
        "INSERT INTO issuer_keys (id, issuer_id, method_id, suite, public_multibase, private_key_enc)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (key_id, issuer_id, method_id, suite, public_multibase, private_key_enc),
    )


async def retire_keys(conn, issuer_id: uuid.UUID, keep: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE issuer_keys SET retired_at = now() WHERE issuer_id = %s AND id <> %s AND retired_at IS NULL",
        (issuer_id, keep),
    )


async def signing_key(conn, issuer_id: uuid.UUID) -> Row | None:
    """The issuer (joined) and its current signing key."""
    return await (
        await conn.execute(
            "SELECT i.id AS issuer_id, i.did, i.display_name, k.id AS key_id, k.method_id, k.suite,"
            " k.private_key_enc FROM issuers i JOIN issuer_keys k ON k.issuer_id = i.id"
            " WHERE i.id = %s AND k.retired_at IS NULL ORDER BY k.created_at DESC LIMIT 1",
            (issuer_id,),
        )
    ).fetchone()


# --- accreditations -----------------------------------------------------------------


async def insert_accreditation(
    conn, issuer_id: uuid.UUID, types: list[str], valid_from: datetime, valid_until: datetime | None, granted_by: str
) -> Row:
    return await (
        await conn.execute(
            "INSERT INTO accreditations (id, issuer_id, credential_types, valid_from, valid_until, granted_by)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
            (uuid.uuid4(), issuer_id, types, valid_from, valid_until, granted_by),
        )
    ).fetchone()


async def withdraw_accreditation(conn, issuer_id: str, accreditation_id: str, reason: str) -> Row | None:
    """Withdraw from now on; None if no such accreditation. An already withdrawn one is returned unchanged."""
    await conn.execute(
        "UPDATE accreditations SET withdrawn_at = now(), withdraw_reason = %s"
        " WHERE id = %s AND issuer_id = %s AND withdrawn_at IS NULL",
        (reason, _uuid(accreditation_id, "accreditation"), _uuid(issuer_id, "issuer")),
    )
    return await (
        await conn.execute(
            "SELECT * FROM accreditations WHERE id = %s AND issuer_id = %s",
            (_uuid(accreditation_id, "accreditation"), _uuid(issuer_id, "issuer")),
        )
    ).fetchone()


async def accreditations(conn, issuer_id: uuid.UUID) -> list[Row]:
    return await (
        await conn.execute(
            "SELECT * FROM accreditations WHERE issuer_id = %s ORDER BY created_at DESC, id", (issuer_id,)
        )
    ).fetchall()


async def accredited(conn, issuer_did: str, credential_type: str, at: datetime) -> bool | None:
    """Was the issuer accredited for the type at `at`? None if no such issuer."""
    row = await (
        await conn.execute(
            "SELECT i.id, EXISTS (SELECT 1 FROM accreditations a WHERE a.issuer_id = i.id"
            " AND %s = ANY(a.credential_types) AND a.valid_from <= %s"
            " AND (a.valid_until IS NULL OR a.valid_until > %s)"
            " AND (a.withdrawn_at IS NULL OR a.withdrawn_at > %s)) AS ok FROM issuers i WHERE i.did = %s",
            (credential_type, at, at, at, issuer_did),
        )
    ).fetchone()
    return None if row is None else bool(row["ok"])


# --- status lists -------------------------------------------------------------------


async def insert_status_list(
    conn, issuer_id: uuid.UUID, purpose: str, number: int, bits: bytes, signed: dict[str, Any], etag: str
) -> None:
    await conn.execute(
        "INSERT INTO status_lists (issuer_id, purpose, number, bits, signed, etag) VALUES (%s, %s, %s, %s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (issuer_id, purpose, number, bits, Jsonb(signed), etag),
    )


async def allocate_status(conn, issuer_id: uuid.UUID) -> Row | None:
    """Take the next sequence number of the issuer's newest list (locked until commit)."""
    return await (
        await conn.execute(
            "UPDATE status_lists SET next_sequence = next_sequence + 1 WHERE issuer_id = %s AND purpose = 'revocation'"
            " AND number = (SELECT max(number) FROM status_lists WHERE issuer_id = %s AND purpose = 'revocation')"
            " RETURNING number, next_sequence - 1 AS sequence",
            (issuer_id, issuer_id),
        )
    ).fetchone()


async def status_list(conn, issuer_id: str, purpose: str, number: int, for_update: bool = False) -> Row | None:
    return await (
        await conn.execute(
            "SELECT * FROM status_lists WHERE issuer_id = %s AND purpose = %s AND number = %s"
            + (" FOR UPDATE" if for_update else ""),
            (_uuid(issuer_id, "issuer"), purpose, number),
        )
    ).fetchone()


async def status_list_etag(conn, issuer_id: str, purpose: str, number: int) -> str | None:
    row = await (
        await conn.execute(
            "SELECT etag FROM status_lists WHERE issuer_id = %s AND purpose = %s AND number = %s",
            (_uuid(issuer_id, "issuer"), purpose, number),
        )
    ).fetchone()
    return row["etag"] if row else None


async def save_status_list(
    conn, issuer_id: uuid.UUID, purpose: str, number: int, bits: bytes, signed: dict[str, Any], etag: str
) -> None:
    await conn.execute(
        "UPDATE status_lists SET bits = %s, signed = %s, etag = %s, updated_at = now()"
        " WHERE issuer_id = %s AND purpose = %s AND number = %s",
        (bits, Jsonb(signed), etag, issuer_id, purpose, number),
    )


# --- credentials --------------------------------------------------------------------


async def insert_credential(conn, row: Row) -> Row:
    """Insert an issued credential; a `vc_id` issued before is InvalidArgument on `credential.id`."""
    columns = list(row)
    values = [Jsonb(v) if c in ("document", "evidence") and v is not None else v for c, v in row.items()]
    try:
        async with conn.transaction():  # a savepoint: the caller's transaction survives the violation
            return await (
                await conn.execute(
                    f"INSERT INTO credentials ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
                    " RETURNING *",
                    values,
                )
            ).fetchone()
    except UniqueViolation as error:
        if error.diag.constraint_name == "credentials_vc_id_key":
            raise InvalidArgument.field("credential.id", "a credential with this id was already issued") from None
        raise


async def credential(conn, credential_id: str, for_update: bool = False) -> Row | None:
    return await (
        await conn.execute(
            "SELECT * FROM credentials WHERE id = %s" + (" FOR UPDATE" if for_update else ""),
            (_uuid(credential_id, "credential"),),
        )
    ).fetchone()


async def credential_by_vc_id(conn, vc_id: str, for_update: bool = False) -> Row | None:
    return await (
        await conn.execute(
            "SELECT * FROM credentials WHERE vc_id = %s" + (" FOR UPDATE" if for_update else ""), (vc_id,)
        )
    ).fetchone()


async def credential_by_digest(conn, digest: bytes) -> Row | None:
    return await (await conn.execute("SELECT * FROM credentials WHERE digest = %s", (digest,))).fetchone()


async def credentials_page(conn, column: str, owner: uuid.UUID, limit: int, after: tuple[str, str] | None) -> list[Row]:
    """A page of credentials by issuer or subject, newest first (keyset on issued_at, id)."""
    assert column in ("issuer_id", "subject_user")
    params: list[Any] = [owner]
    where = f"{column} = %s"
    if after is not None:
        where += " AND (issued_at, id) < (%s::timestamptz, %s::uuid)"
        params += [after[0], after[1]]
    return await (
        await conn.execute(
            f"SELECT * FROM credentials WHERE {where} ORDER BY issued_at DESC, id DESC LIMIT %s", (*params, limit)
        )
    ).fetchall()


async def count_subject(conn, user_id: uuid.UUID) -> int:
    row = await (
        await conn.execute("SELECT count(*) AS n FROM credentials WHERE subject_user = %s", (user_id,))
    ).fetchone()
    return int(row["n"])


async def set_state(conn, credential_id: uuid.UUID, state: str, reason: str) -> Row:
    return await (
        await conn.execute(
            "UPDATE credentials SET state = %s, status_reason = %s, state_changed_at = now() WHERE id = %s RETURNING *",
            (state, reason, credential_id),
        )
    ).fetchone()


# --- anchoring ----------------------------------------------------------------------


async def add_leaf(conn, digest: bytes, credential_id: uuid.UUID) -> None:
    await conn.execute("INSERT INTO anchor_leaves (digest, credential_id) VALUES (%s, %s)", (digest, credential_id))


async def pending_leaves(conn, limit: int) -> list[Row]:
    """Digests not in a batch yet, oldest first, locked (other anchorers skip them)."""
    return await (
        await conn.execute(
            "SELECT digest, credential_id, seq FROM anchor_leaves WHERE batch_id IS NULL ORDER BY seq LIMIT %s"
            " FOR UPDATE SKIP LOCKED",
            (limit,),
        )
    ).fetchall()


async def pending_summary(conn) -> Row:
    return await (
        await conn.execute(
            "SELECT count(*) AS n, min(c.issued_at) AS oldest FROM anchor_leaves l"
            " JOIN credentials c ON c.id = l.credential_id WHERE l.batch_id IS NULL"
        )
    ).fetchone()


async def anchor_backlog(conn) -> Row:
    """Digests not anchored yet (waiting for a batch, or in a batch not sent): how many, and the
    issuing time of the oldest."""
    return await (
        await conn.execute(
            "SELECT count(*) AS n, min(c.issued_at) AS oldest FROM anchor_leaves l"
            " JOIN credentials c ON c.id = l.credential_id"
            " LEFT JOIN anchor_batches b ON b.id = l.batch_id WHERE l.batch_id IS NULL OR b.state = 'built'"
        )
    ).fetchone()


async def insert_batch(conn, root: bytes, digests: list[bytes], proofs: list[list[bytes]]) -> int:
    """A built batch: its root, and each leaf's place and proof."""
    batch = await (
        await conn.execute(
            "INSERT INTO anchor_batches (root, leaf_count) VALUES (%s, %s) RETURNING id", (root, len(digests))
        )
    ).fetchone()
    async with conn.cursor() as cursor:
        await cursor.executemany(
            "UPDATE anchor_leaves SET batch_id = %s, leaf_index = %s, proof = %s WHERE digest = %s",
            [(batch["id"], index, proofs[index], digest) for index, digest in enumerate(digests)],
        )
    return int(batch["id"])


async def unanchored_batches(conn) -> list[Row]:
    return await (
        await conn.execute("SELECT * FROM anchor_batches WHERE state = 'built' ORDER BY id FOR UPDATE SKIP LOCKED")
    ).fetchall()


async def batch_anchored(conn, batch_id: int, chain_id: int, contract: str, tx_hash: str, block: int) -> None:
    await conn.execute(
        "UPDATE anchor_batches SET state = 'anchored', chain_id = %s, contract = %s, tx_hash = %s,"
        " block_number = %s, anchored_at = now(), attempts = attempts + 1, last_error = '' WHERE id = %s",
        (chain_id, contract, tx_hash, block, batch_id),
    )


async def batch_failed(conn, batch_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE anchor_batches SET attempts = attempts + 1, last_error = %s WHERE id = %s", (error[:2000], batch_id)
    )


async def batch_credentials(conn, batch_id: int) -> list[Row]:
    return await (
        await conn.execute(
            "SELECT c.id, c.issuer_id FROM anchor_leaves l JOIN credentials c ON c.id = l.credential_id"
            " WHERE l.batch_id = %s ORDER BY l.leaf_index",
            (batch_id,),
        )
    ).fetchall()


async def anchor_of(conn, digest: bytes) -> Row | None:
    """A digest's leaf and, once built, its batch."""
    return await (
        await conn.execute(
            "SELECT l.digest, l.leaf_index, l.proof, l.batch_id, b.root, b.leaf_count, b.state, b.chain_id,"
            " b.contract, b.tx_hash, b.block_number, b.anchored_at FROM anchor_leaves l"
            " LEFT JOIN anchor_batches b ON b.id = l.batch_id WHERE l.digest = %s",
            (digest,),
        )
    ).fetchone()


async def registry_address(conn, chain_id: int) -> str | None:
    row = await (
        await conn.execute("SELECT address FROM anchor_registries WHERE chain_id = %s", (chain_id,))
    ).fetchone()
    return row["address"] if row else None


async def save_registry_address(conn, chain_id: int, address: str) -> None:
    await conn.execute(
        "INSERT INTO anchor_registries (chain_id, address) VALUES (%s, %s)"
        " ON CONFLICT (chain_id) DO UPDATE SET address = EXCLUDED.address, created_at = now()",
        (chain_id, address),
    )


# --- wallets and share links ------------------------------------------------------


async def wallet(conn, user_id: str) -> Row | None:
    return await (
        await conn.execute("SELECT * FROM wallets WHERE user_id = %s", (_uuid(user_id, "worker"),))
    ).fetchone()


async def wallet_owner(conn, holder_did: str) -> str | None:
    """The worker whose wallet holds `holder_did`, if any."""
    row = await (await conn.execute("SELECT user_id FROM wallets WHERE holder_did = %s", (holder_did,))).fetchone()
    return str(row["user_id"]) if row else None


async def try_lock(conn, key: int) -> bool:
    """A session advisory lock, if free."""
    return bool((await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (key,))).fetchone())["ok"])


async def unlock(conn, key: int) -> None:
    await conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


async def insert_wallet(conn, user_id: str, holder_did: str, private_key_enc: bytes) -> Row:
    """Create the wallet unless another call just did; return the stored one."""
    await conn.execute(
        "INSERT INTO wallets (user_id, holder_did, private_key_enc) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        (_uuid(user_id, "worker"), holder_did, private_key_enc),
    )
    row = await wallet(conn, user_id)
    assert row is not None
    return row


async def insert_share_link(
    conn,
    link_id: uuid.UUID,
    user_id: str,
    token_hash: bytes,
    presentation: Any,
    format_: str,
    one_time: bool,
    expires_at: datetime,
) -> Row:
    return await (
        await conn.execute(
            "INSERT INTO share_links (id, user_id, token_hash, presentation, format, one_time, expires_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING *",
            (link_id, _uuid(user_id, "worker"), token_hash, Jsonb(presentation), format_, one_time, expires_at),
        )
    ).fetchone()


async def open_share_link(conn, token_hash: bytes) -> Row | None:
    """The link's row if it is still usable; a one-time link is used up by this call."""
    return await (
        await conn.execute(
            "UPDATE share_links SET used_at = COALESCE(used_at, now()) WHERE token_hash = %s AND expires_at > now()"
            " AND (NOT one_time OR used_at IS NULL) RETURNING *",
            (token_hash,),
        )
    ).fetchone()
