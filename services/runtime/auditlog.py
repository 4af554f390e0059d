"""Reading a service's audit log, for the `ListAuditEvents` RPCs.

Every service keeps the same `audit_log` table (runtime migration 0003),
written by `outbox.audit` in the transaction of the privileged action it
records. Identity, marketplace and credentials expose it through an RPC of
their own, with the same request fields (`page_size`, `page_token`, `actor`,
`target`, `action`, `start_time`, `end_time`) and an entry message of the same
shape (identity's `AuditEvent`, or the shared `iworkz.type.v1.AuditEvent`);
this module is the one implementation behind all of them.

Guarantees: entries come newest first by (created_at, id), so rows written in
one transaction (same `now()`) still page without gaps or repeats; filters
combine with AND and are bound as SQL parameters; a page token only works with
the filters that produced it (`paging`), otherwise INVALID_ARGUMENT on
`page_token`; a time outside what a Timestamp can hold is INVALID_ARGUMENT on its
field, never INTERNAL. Field rules (patterns, lengths, the time range) are the
contracts' and were checked by the validation interceptor before this runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf import struct_pb2
from google.protobuf.message import Message

from services.runtime import paging
from services.runtime.db import Connection, Database, fetch_all
from services.runtime.errors import InvalidArgument
from services.runtime.timestamps import timestamp

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
INVALID_TIMESTAMP = "is not a valid timestamp: it must lie between 0001-01-01 and 9999-12-31 (UTC)"


@dataclass(frozen=True)
class AuditEntry:
    """A row of `audit_log`."""

    id: int
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    request_id: str
    created_at: datetime


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list: every field given must match (empty / None: any)."""

    actor: str = ""
    target: str = ""
    action: str = ""
    since: datetime | None = None  # at or after
    before: datetime | None = None  # strictly before

    def fingerprint(self) -> str:
        return paging.fingerprint(
            actor=self.actor,
            target=self.target,
            action=self.action,
            since=self.since.isoformat() if self.since else "",
            before=self.before.isoformat() if self.before else "",
        )


M = TypeVar("M", bound=Message)


def request_filter(request: Any) -> AuditFilter:
    """The filter a request asks for (identity's, marketplace's and credentials' requests have these fields)."""
    return AuditFilter(
        actor=request.actor,
        target=request.target,
        action=request.action,
        since=_instant(request, "start_time"),
        before=_instant(request, "end_time"),
    )


def _instant(request: Any, field: str) -> datetime | None:
    """The request's timestamp `field` as a datetime (None if unset); INVALID_ARGUMENT on that field when it
    is no valid Timestamp (seconds outside years 1-9999, nanos outside 0-999,999,999), which the contracts'
    rules let through."""
    if not request.HasField(field):
        return None
    try:
        instant: datetime = getattr(request, field).ToDatetime(UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument.field(field, INVALID_TIMESTAMP, "timestamp.valid") from None
    return instant


async def list_entries(
    conn: Connection, limit: int, after: tuple[Any, ...] | None, where: AuditFilter
) -> list[AuditEntry]:
    """Entries matching every filter given, newest first, after the keyset position `after`."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("actor", where.actor), ("target", where.target), ("action", where.action)):
        if value:
            clauses.append(f"{column} = %s")
            params.append(value)
    if where.since is not None:
        clauses.append("created_at >= %s")
        params.append(where.since)
    if where.before is not None:
        clauses.append("created_at < %s")
        params.append(where.before)
    if after:
        clauses.append("(created_at, id) < (%s::timestamptz, %s::bigint)")
        params.extend(after)
    condition = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return await fetch_all(
        conn,
        AuditEntry,
        "SELECT id, actor, action, target, detail, request_id, created_at FROM audit_log"
        f" {condition} ORDER BY created_at DESC, id DESC LIMIT %s",
        (*params, limit),
    )


def entry_message(row: AuditEntry, message_class: type[M]) -> M:
    """An entry as `message_class` (any message with the AuditEvent fields)."""
    detail = struct_pb2.Struct()
    detail.update(row.detail)
    message: M = message_class(
        name=f"auditEvents/{row.id}",
        actor=row.actor,
        action=row.action,
        target=row.target,
        detail=detail,
        request_id=row.request_id,
        create_time=timestamp(row.created_at),
    )
    return message


async def list_events(db: Database, request: Any, message_class: type[M]) -> tuple[list[M], str]:
    """One page of `ListAuditEvents`: the entries as `message_class` and the next page's token ("" at the end)."""
    where = request_filter(request)
    fp = where.fingerprint()
    size, after = paging.page_request(request, fp, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    async with db.connection() as conn:
        rows = await list_entries(conn, size + 1, after, where)
    rows, token = paging.keyset_page(rows, size, fp, paging.created_key)
    return [entry_message(r, message_class) for r in rows], token
