"""Single-use account tokens sent by email: email verification and password reset.

A token is 256 random bits, shown once (in the email's link) and kept only
as its SHA-256 hash, so a copy of the database cannot use it. Each purpose
has its own prefix and lifetime; a token works once and only before it
expires. Issuing a new token of a purpose makes the user's older ones of
that purpose stop working (the store consumes them).
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class Purpose(enum.Enum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


LIFETIME = {
    Purpose.VERIFY_EMAIL: timedelta(hours=24),
    Purpose.RESET_PASSWORD: timedelta(minutes=30),
}
_PREFIX = {Purpose.VERIFY_EMAIL: "evt_", Purpose.RESET_PASSWORD: "prt_"}


def new_token(purpose: Purpose) -> str:
    return _PREFIX[purpose] + secrets.token_urlsafe(32)


def expires_at(purpose: Purpose, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) + LIFETIME[purpose]


@dataclass(frozen=True)
class StoredToken:
    user_id: str
    purpose: Purpose
    expires_at: datetime
    used_at: datetime | None


class TokenState(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "already used"
    EXPIRED = "expired"


def check(stored: StoredToken | None, purpose: Purpose, now: datetime | None = None) -> TokenState:
    """Whether a presented token may be used for `purpose` now."""
    now = now or datetime.now(UTC)
    if stored is None or stored.purpose is not purpose:
        return TokenState.UNKNOWN
    if stored.used_at is not None:
        return TokenState.USED
    if stored.expires_at <= now:
        return TokenState.EXPIRED
    return TokenState.VALID
