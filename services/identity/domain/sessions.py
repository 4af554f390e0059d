"""Refresh tokens: opaque, stored hashed, single use, rotated in families.

Each login starts a family. A refresh consumes the presented token and
issues the next one in the same family. Presenting a consumed token again
means someone else holds a copy: the whole family is revoked.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

REFRESH_TOKEN_LIFETIME = timedelta(days=30)


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """Refresh tokens and API-key secrets are high-entropy: a plain SHA-256 suffices."""
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class StoredRefreshToken:
    family_id: str
    user_id: str
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


class RefreshDecision(enum.Enum):
    ROTATE = "rotate"  # valid: consume it and issue the next one
    REUSE = "reuse"  # already used: revoke the family
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


def decide(stored: StoredRefreshToken | None, now: datetime | None = None) -> RefreshDecision:
    """What to do with a presented refresh token."""
    now = now or datetime.now(UTC)
    if stored is None:
        return RefreshDecision.UNKNOWN
    if stored.revoked_at is not None:
        # A revoked token that was also used is still reuse: report it as such.
        return RefreshDecision.REUSE if stored.used_at is not None else RefreshDecision.REVOKED
    if stored.used_at is not None:
        return RefreshDecision.REUSE
    if stored.expires_at <= now:
        return RefreshDecision.EXPIRED
    return RefreshDecision.ROTATE
