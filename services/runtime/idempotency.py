"""AIP-155 request ids: a retried creating RPC is applied once.

A request message with a `request_id` field (a UUID the caller picks once per
logical request and repeats on every retry) is deduplicated per
`(caller, method, request_id)` for 24 hours:

- the first request runs inside one PostgreSQL transaction that also holds
  the key's row; the servicer's own `db.transaction()` blocks join it
  (`Database.joined`), so the effect and the stored response commit together
  or not at all — a replica killed at any moment leaves either both or
  neither;
- a retry with the same id and the same request (its other fields, compared
  by a SHA-256 fingerprint) gets the stored response, without running the
  RPC again; a retry that arrives while the first attempt is still running
  waits for it on the row's lock;
- the same id with a different request is INVALID_ARGUMENT on `request_id`;
- a failed RPC stores nothing (its transaction rolls back), so a retry runs
  it again;
- after 24 hours (`WINDOW`) an id counts as new; `prune` deletes older rows.

Responses are stored encrypted with the service's field cipher: they may
carry personal data. An empty `request_id` means no deduplication.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import Message

from services.runtime import context
from services.runtime.db import Database
from services.runtime.errors import InvalidArgument
from services.runtime.fieldcrypt import FieldCipher

WINDOW = datetime.timedelta(hours=24)
FIELD = "request_id"


def fingerprint(request: Message) -> bytes:
    """SHA-256 of the request without its request id (deterministic serialization)."""
    copy = type(request)()
    copy.CopyFrom(request)
    copy.ClearField(FIELD)
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).digest()


def request_id_of(request: Any) -> str:
    """The request's AIP-155 request id, or "" if it has none (or no such field)."""
    descriptor = getattr(request, "DESCRIPTOR", None)
    if descriptor is None or FIELD not in descriptor.fields_by_name:
        return ""
    return str(getattr(request, FIELD))


def caller_key() -> str:
    """Whose request id it is: the signed-in subject, else the calling mesh service, else anonymous."""
    state = context.current()
    if state is None:
        return "anonymous"
    if state.caller is not None:
        return f"{state.caller.kind}:{state.caller.subject}"
    if state.service_identity:
        return f"service:{state.service_identity}"
    return "anonymous"


def _response_class(method: str) -> type[Message]:
    service_name, method_name = method.lstrip("/").rsplit("/", 1)
    service = descriptor_pool.Default().FindServiceByName(service_name)
    cls: type[Message] = message_factory.GetMessageClass(service.methods_by_name[method_name].output_type)
    return cls


class IdempotentCalls:
    """Runs unary RPCs whose request carries a request id at most once per (caller, method, id)."""

    def __init__(self, db: Database, cipher: FieldCipher) -> None:
        self.db = db
        self.cipher = cipher

    async def run(self, method: str, request: Message, call: Any) -> Any:
        """Return the stored response for a repeated request id, else run `call()` and store its response."""
        request_id = request_id_of(request)
        if not request_id:
            return await call()
        caller = caller_key()
        print_ = fingerprint(request)
        where = f"idempotency_keys:{caller}:{method}:{request_id}"
        async with self.db.pooled() as conn:
            async with conn.transaction():
                # Waits here while another attempt with this id is in flight (its row is locked).
                inserted = await (
                    await conn.execute(
                        "INSERT INTO idempotency_keys (caller, method, request_id, fingerprint, response)"
                        " VALUES (%s, %s, %s, %s, '') ON CONFLICT DO NOTHING RETURNING 1",
                        (caller, method, request_id, print_),
                    )
                ).fetchone()
                if inserted is None:
                    row = await (
                        await conn.execute(
                            "SELECT fingerprint, response, created_at > now() - %s AS live FROM idempotency_keys"
                            " WHERE caller = %s AND method = %s AND request_id = %s FOR UPDATE",
                            (WINDOW, caller, method, request_id),
                        )
                    ).fetchone()
                    assert row is not None  # rows are only deleted once expired, under this lock
                    if row["live"]:
                        if bytes(row["fingerprint"]) != print_:
                            raise InvalidArgument.field(
                                FIELD,
                                "this request id was already used for a different request",
                                "request_id.reused",
                            )
                        stored = self.cipher.decrypt(bytes(row["response"]), where)
                        return _response_class(method).FromString(base64.b64decode(stored))
                    await conn.execute(
                        "UPDATE idempotency_keys SET fingerprint = %s, created_at = now()"
                        " WHERE caller = %s AND method = %s AND request_id = %s",
                        (print_, caller, method, request_id),
                    )
                async with self.db.joined(conn):
                    response = await call()
                sealed = self.cipher.encrypt(base64.b64encode(response.SerializeToString()).decode(), where)
                await conn.execute(
                    "UPDATE idempotency_keys SET response = %s WHERE caller = %s AND method = %s AND request_id = %s",
                    (sealed, caller, method, request_id),
                )
            if self.db.after_commit is not None:  # as after any committed write (the replica's fence)
                await self.db.after_commit(conn)
            return response


async def prune(db: Database, older_than: datetime.timedelta = WINDOW) -> int:
    """Delete request ids past the window; return how many."""
    async with db.connection() as conn:
        cursor = await conn.execute("DELETE FROM idempotency_keys WHERE created_at < now() - %s", (older_than,))
        return cursor.rowcount
