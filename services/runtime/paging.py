"""Page tokens and page sizes for every List/Search RPC (AIP-158).

A page token is opaque to callers. Inside it is url-safe base64 (no padding)
of a 6-byte checksum followed by compact JSON
`{"v": version, "f": filter fingerprint, "c": cursor}`.

- The fingerprint ties a token to the filters of the request that produced
  it, so a token replayed with other filters is rejected instead of quietly
  returning a page of a different result set.
- The checksum catches truncated, corrupted or hand-edited tokens early with a
  clear error. It is not a signature: a decoded cursor is still untrusted input
  and must only ever be bound as a SQL parameter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from google.protobuf.message import Message

from services.runtime.errors import InvalidArgument

R = TypeVar("R")

TOKEN_VERSION = 1
# Matches the `max_len` the contracts put on every `page_token` field.
MAX_TOKEN_LENGTH = 512

_CHECKSUM_BYTES = 6
_TOKEN_ALPHABET = re.compile(r"^[A-Za-z0-9_-]+$")
_INVALID = "is not a token from a previous response; omit it to start from the first page"
_MISMATCH = (
    "was issued for a request with different filters; repeat the same filters or omit it to start from the first page"
)


def encode_page_token(cursor: dict[str, Any], filter_fingerprint: str) -> str:
    """Return an opaque token for the page after `cursor`.

    `cursor` holds the sort key of the last row served (JSON values only, e.g.
    `{"t": "2025-01-02T03:04:05Z", "id": "..."}`); `filter_fingerprint` comes
    from `fingerprint(...)` over the request's filters.
    Raises ValueError if the token would exceed MAX_TOKEN_LENGTH (a cursor that
    big is a bug in the caller, not the client's fault).
    """
    payload = json.dumps(
        {"v": TOKEN_VERSION, "f": filter_fingerprint, "c": cursor},
        separators=(",", ":"),
        sort_keys=True,
        ensure_ascii=False,
    ).encode()
    token = base64.urlsafe_b64encode(_checksum(payload) + payload).rstrip(b"=").decode("ascii")
    if len(token) > MAX_TOKEN_LENGTH:
        raise ValueError(f"page token is {len(token)} characters; keep cursors small")
    return token


def decode_page_token(token: str, filter_fingerprint: str) -> dict[str, Any] | None:
    """Return the cursor inside `token`, or None for an empty token (first page).

    Raises InvalidArgument on `page_token` if the token is malformed, was
    altered, has an unknown version, or was issued for different filters.
    """
    if not token:
        return None
    if len(token) > MAX_TOKEN_LENGTH or not _TOKEN_ALPHABET.match(token):
        raise InvalidArgument.field("page_token", _INVALID)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidArgument.field("page_token", _INVALID) from None
    checksum, payload = raw[:_CHECKSUM_BYTES], raw[_CHECKSUM_BYTES:]
    if not payload or checksum != _checksum(payload):
        raise InvalidArgument.field("page_token", _INVALID)
    try:
        body = json.loads(payload)
    except ValueError:  # includes UnicodeDecodeError
        raise InvalidArgument.field("page_token", _INVALID) from None
    if (
        not isinstance(body, dict)
        or body.get("v") != TOKEN_VERSION
        or not isinstance(body.get("f"), str)
        or not isinstance(body.get("c"), dict)
    ):
        raise InvalidArgument.field("page_token", _INVALID)
    if body["f"] != filter_fingerprint:
        raise InvalidArgument.field("page_token", _MISMATCH)
    cursor: dict[str, Any] = body["c"]
    return cursor


def fingerprint(**filters: Any) -> str:
    """Return a short stable hash (16 hex characters) of the filter values.

    Pass every filter that shapes the result set (including `order_by`), but
    not `page_size`, which clients may change between pages. Accepts JSON
    values, sets (order-insensitive), bytes and protobuf messages. Lists are
    order-sensitive: pass a set when order does not matter.
    """
    canonical = json.dumps(filters, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical)
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()


def clamp_page_size(requested: int, default: int, maximum: int) -> int:
    """Return the page size to use: `default` for 0, at most `maximum`.

    Oversized requests are coerced rather than rejected, as AIP-158 advises;
    a negative size is an InvalidArgument on `page_size`.
    """
    if requested < 0:
        raise InvalidArgument.field("page_size", "must not be negative")
    if requested == 0:
        return min(default, maximum)
    return min(requested, maximum)


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES, person=b"iworkz-page").digest()


def _canonical(value: Any) -> Any:
    """JSON stand-ins for the non-JSON filter values `fingerprint` accepts."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=lambda item: json.dumps(item, sort_keys=True, default=_canonical))
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Message):
        # Deterministic serialisation so equal messages give equal fingerprints.
        return {
            "@type": value.DESCRIPTOR.full_name,
            "b": value.SerializeToString(deterministic=True).hex(),
        }
    raise TypeError(f"cannot fingerprint a filter of type {type(value).__name__}")


def keyset_after(cursor: dict[str, Any] | None) -> tuple[Any, ...] | None:
    """The keyset position stored by `keyset_page`, as SQL parameters (or None).

    Values travel as strings; PostgreSQL infers their types from the columns
    they are compared with.
    """
    if not cursor:
        return None
    values = cursor.get("k")
    if not isinstance(values, list) or not values or not all(isinstance(v, (str, int)) for v in values):
        raise InvalidArgument.field("page_token", _INVALID)
    return tuple(values)


def keyset_page(
    rows: list[R], size: int, filter_fingerprint: str, key: Callable[[R], tuple[Any, ...]]
) -> tuple[list[R], str]:
    """Trim a `size + 1` fetch to one page; the token records the last row's `key`."""
    if len(rows) <= size:
        return rows, ""
    rows = rows[:size]
    values = [v.isoformat() if hasattr(v, "isoformat") else v if isinstance(v, int) else str(v) for v in key(rows[-1])]
    return rows, encode_page_token({"k": values}, filter_fingerprint)


class Created(Protocol):
    """A typed row with the usual keyset columns."""

    @property
    def created_at(self) -> Any: ...

    @property
    def id(self) -> Any: ...


def created_key(row: Created | Mapping[str, Any]) -> tuple[Any, ...]:
    """The usual keyset key: newest first by (created_at, id), of a typed row (or a dict row)."""
    if isinstance(row, Mapping):
        return row["created_at"], row["id"]
    return row.created_at, row.id


def page_request(
    request: Any, filter_fingerprint: str, default: int, maximum: int
) -> tuple[int, tuple[Any, ...] | None]:
    """(page size, keyset position) from a request's `page_size` and `page_token`."""
    size = clamp_page_size(request.page_size, default, maximum)
    return size, keyset_after(decode_page_token(request.page_token, filter_fingerprint))
