"""SQL for identity's tables. Every function takes an open connection."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from services.identity.domain import account_tokens
from services.identity.domain.account_tokens import Purpose, StoredToken
from services.identity.domain.sessions import REFRESH_TOKEN_LIFETIME, StoredRefreshToken, token_hash
from services.identity.domain.signing import RETIRED_KEY_GRACE_SECONDS, SigningKey
from services.runtime import names
from services.runtime.db import Connection, fetch_all, fetch_one
from services.runtime.errors import AlreadyExists, NotFound
from services.runtime.fieldcrypt import FieldCipher


@dataclass(frozen=True)
class User:
    """A row of `users`."""

    id: uuid.UUID
    email: str
    password_hash: str
    display_name: str
    roles: list[str]
    organization_id: uuid.UUID | None
    member_role: str  # "", "member" or "admin" of the organization
    locale: str
    disabled: bool
    created_at: datetime
    email_verified_at: datetime | None = None
    totp_secret: bytes | None = None  # encrypted; set while the second factor is on
    totp_pending: bytes | None = None  # encrypted; an enrolment not yet confirmed
    totp_last_step: int = 0

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret is not None


@dataclass(frozen=True)
class Organization:
    """A row of `organizations`."""

    id: uuid.UUID
    display_name: str
    type: str  # "employer" or "issuer"
    created_at: datetime


@dataclass(frozen=True)
class ApiKey:
    """A row of `api_keys` (the secret only as its hash)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    display_name: str
    roles: list[str]
    prefix: str
    secret_hash: bytes
    created_by: uuid.UUID
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


USER_COLUMNS = (
    "u.id, u.email, u.password_hash, u.display_name, u.roles, u.organization_id,"
    " u.member_role, u.locale, u.disabled, u.created_at, u.email_verified_at, u.totp_secret, u.totp_pending,"
    " u.totp_last_step"
)
_USER_RETURNING = USER_COLUMNS.replace("u.", "")
_ORGANIZATION_COLUMNS = "id, display_name, type, created_at"
_API_KEY_COLUMNS = (
    "id, organization_id, display_name, roles, prefix, secret_hash, created_by, created_at, revoked_at, last_used_at"
)


async def insert_organization(conn: Connection, display_name: str, org_type: str) -> Organization:
    row = await fetch_one(
        conn,
        Organization,
        f"INSERT INTO organizations (id, display_name, type) VALUES (%s, %s, %s) RETURNING {_ORGANIZATION_COLUMNS}",
        (uuid.uuid4(), display_name, org_type),
    )
    assert row is not None
    return row


async def insert_user(
    conn: Connection,
    email: str,
    password_hash: str,
    display_name: str,
    roles: list[str],
    organization_id: uuid.UUID | None = None,
    member_role: str = "",
    locale: str = "en",
    email_verified: bool = False,
) -> User:
    try:
        async with conn.transaction():
            row = await fetch_one(
                conn,
                User,
                "INSERT INTO users (id, email, password_hash, display_name, roles, organization_id,"
                " member_role, locale, email_verified_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END)"
                f" RETURNING {_USER_RETURNING}",
                (
                    uuid.uuid4(),
                    email,
                    password_hash,
                    display_name,
                    roles,
                    organization_id,
                    member_role,
                    locale,
                    email_verified,
                ),
            )
    except psycopg.errors.UniqueViolation:
        raise AlreadyExists("an account with this email already exists") from None
    assert row is not None
    return row


async def user_by_email(conn: Connection, email: str) -> User | None:
    return await fetch_one(conn, User, f"SELECT {USER_COLUMNS} FROM users u WHERE u.email = %s", (email,))


async def user_by_id(conn: Connection, user_id: str, for_update: bool = False) -> User:
    uid = names.uuid_of(user_id, "user")
    row = await fetch_one(
        conn,
        User,
        f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = %s" + (" FOR UPDATE" if for_update else ""),
        (uid,),
    )
    if row is None:
        raise NotFound("no such user")
    return row


async def list_users(
    conn: Connection, limit: int, after: tuple[Any, ...] | None, role: str, email_prefix: str
) -> list[User]:
    clauses: list[str] = []
    params: list[Any] = []
    if role:
        clauses.append("%s = ANY(u.roles)")
        params.append(role)
    if email_prefix:
        clauses.append("u.email LIKE %s")
        params.append(email_prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if after:
        clauses.append("(u.created_at, u.id) < (%s, %s)")
        params.extend(after)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return await fetch_all(
        conn,
        User,
        f"SELECT {USER_COLUMNS} FROM users u {where} ORDER BY u.created_at DESC, u.id DESC LIMIT %s",
        (*params, limit),
    )


async def _updated_user(conn: Connection, query: str, params: tuple[Any, ...]) -> User:
    row = await fetch_one(conn, User, query + f" RETURNING {_USER_RETURNING}", params)
    if row is None:
        raise NotFound("no such user")
    return row


async def set_roles(conn: Connection, user_id: uuid.UUID, roles: list[str]) -> User:
    return await _updated_user(conn, "UPDATE users SET roles = %s WHERE id = %s", (sorted(set(roles)), user_id))


async def set_disabled(conn: Connection, user_id: uuid.UUID) -> User:
    return await _updated_user(conn, "UPDATE users SET disabled = true WHERE id = %s", (user_id,))


async def set_membership(
    conn: Connection, user_id: uuid.UUID, organization_id: uuid.UUID | None, member_role: str, roles: list[str]
) -> User:
    return await _updated_user(
        conn,
        "UPDATE users SET organization_id = %s, member_role = %s, roles = %s WHERE id = %s",
        (organization_id, member_role, sorted(set(roles)), user_id),
    )


async def set_password_hash(conn: Connection, user_id: uuid.UUID, password_hash: str) -> None:
    await conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id))


async def organization(conn: Connection, org_id: str) -> Organization:
    oid = names.uuid_of(org_id, "organization")
    row = await fetch_one(
        conn, Organization, f"SELECT {_ORGANIZATION_COLUMNS} FROM organizations WHERE id = %s", (oid,)
    )
    if row is None:
        raise NotFound("no such organization")
    return row


async def members(conn: Connection, org_id: uuid.UUID, limit: int, after: tuple[Any, ...] | None) -> list[User]:
    params: list[Any] = [org_id]
    cond = ""
    if after:
        cond = " AND (u.created_at, u.id) > (%s, %s)"
        params.extend(after)
    return await fetch_all(
        conn,
        User,
        f"SELECT {USER_COLUMNS} FROM users u WHERE u.organization_id = %s{cond} ORDER BY u.created_at, u.id LIMIT %s",
        (*params, limit),
    )


async def count_admins(conn: Connection, org_id: uuid.UUID) -> int:
    row = await (
        await conn.execute(
            "SELECT count(*) AS n FROM users WHERE organization_id = %s AND member_role = 'admin' AND NOT disabled",
            (org_id,),
        )
    ).fetchone()
    return int(row["n"]) if row else 0


# --- refresh tokens -------------------------------------------------------


async def insert_refresh_token(conn, token: str, user_id, family_id=None) -> str:
    """Store a refresh token of a family (a new family if None); return the family id."""
    family_id = family_id or uuid.uuid4()
    await conn.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES (%s, %s, %s, %s)",
        (token_hash(token), family_id, user_id, datetime.now(UTC) + REFRESH_TOKEN_LIFETIME),
    )
    return str(family_id)


async def refresh_token_for_update(conn, token: str) -> StoredRefreshToken | None:
    row = await (
        await conn.execute(
            "SELECT family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens"
            " WHERE token_hash = %s FOR UPDATE",
            (token_hash(token),),
        )
    ).fetchone()
    if row is None:
        return None
    return StoredRefreshToken(
        str(row["family_id"]), str(row["user_id"]), row["expires_at"], row["used_at"], row["revoked_at"]
    )


async def mark_used(conn, token: str) -> None:
    await conn.execute("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = %s", (token_hash(token),))


async def revoke_family(conn, family_id) -> None:
    await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE family_id = %s", (family_id,)
    )


async def revoke_user_sessions(conn, user_id) -> list[str]:
    """Revoke every refresh token of the user; return the sessions (families) that were still open."""
    rows = await (
        await conn.execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL"
            " RETURNING family_id",
            (user_id,),
        )
    ).fetchall()
    return sorted({str(r["family_id"]) for r in rows})


# --- signing keys ----------------------------------------------------------


async def insert_signing_key(conn, cipher: FieldCipher, key: SigningKey, publish_ahead_seconds: float = 0) -> None:
    """Store a key; it signs only after `publish_ahead_seconds`, but is published at once."""
    await conn.execute(
        "INSERT INTO signing_keys (kid, private_key, public_jwk, active_from)"
        " VALUES (%s, %s, %s, clock_timestamp() + make_interval(secs => %s))",
        (
            key.kid,
            cipher.encrypt(key.private_pem.decode(), f"signing_keys:{key.kid}"),
            Jsonb(key.public_jwk()),
            publish_ahead_seconds,
        ),
    )


async def current_signing_key(conn, cipher: FieldCipher) -> SigningKey | None:
    row = await (
        await conn.execute(
            "SELECT kid, private_key FROM signing_keys WHERE coalesce(active_from, created_at) <= clock_timestamp()"
            " ORDER BY coalesce(active_from, created_at) DESC, created_at DESC LIMIT 1"
        )
    ).fetchone()
    if row is None:
        return None
    pem = cipher.decrypt(bytes(row["private_key"]), f"signing_keys:{row['kid']}")
    return SigningKey(row["kid"], pem.encode())


async def published_keys(conn) -> list[dict]:
    """Keys not yet signing, the current key, then every key replaced less than the grace period ago."""
    rows = await (
        await conn.execute(
            "SELECT public_jwk FROM (SELECT public_jwk, created_at, coalesce(active_from, created_at) AS active,"
            " lead(coalesce(active_from, created_at)) OVER (ORDER BY coalesce(active_from, created_at), created_at)"
            " AS replaced_at FROM signing_keys) k"
            " WHERE replaced_at IS NULL OR replaced_at > now() - make_interval(secs => %s)"
            " ORDER BY active DESC, created_at DESC",
            (RETIRED_KEY_GRACE_SECONDS,),
        )
    ).fetchall()
    return [r["public_jwk"] for r in rows]


# --- API keys --------------------------------------------------------------


async def insert_api_key(
    conn: Connection,
    org_id: uuid.UUID,
    display_name: str,
    roles: list[str],
    prefix: str,
    secret: str,
    created_by: uuid.UUID,
) -> ApiKey:
    row = await fetch_one(
        conn,
        ApiKey,
        "INSERT INTO api_keys (id, organization_id, display_name, roles, prefix, secret_hash, created_by)"
        f" VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {_API_KEY_COLUMNS}",
        (uuid.uuid4(), org_id, display_name, sorted(roles), prefix, token_hash(secret), created_by),
    )
    assert row is not None
    return row


async def api_keys(conn: Connection, org_id: uuid.UUID, limit: int, after: tuple[Any, ...] | None) -> list[ApiKey]:
    params: list[Any] = [org_id]
    cond = ""
    if after:
        cond = " AND (created_at, id) < (%s, %s)"
        params.extend(after)
    return await fetch_all(
        conn,
        ApiKey,
        f"SELECT {_API_KEY_COLUMNS} FROM api_keys WHERE organization_id = %s{cond}"
        " ORDER BY created_at DESC, id DESC LIMIT %s",
        (*params, limit),
    )


async def api_key(conn: Connection, org_id: str, key_id: str) -> ApiKey:
    row = await fetch_one(
        conn,
        ApiKey,
        f"SELECT {_API_KEY_COLUMNS} FROM api_keys WHERE id = %s AND organization_id = %s",
        (names.uuid_of(key_id, "API key"), names.uuid_of(org_id, "API key")),
    )
    if row is None:
        raise NotFound("no such API key")
    return row


async def revoke_api_key(conn: Connection, key_id: uuid.UUID) -> ApiKey:
    row = await fetch_one(
        conn,
        ApiKey,
        f"UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s RETURNING {_API_KEY_COLUMNS}",
        (key_id,),
    )
    if row is None:
        raise NotFound("no such API key")
    return row


async def use_api_key(conn: Connection, secret: str) -> ApiKey | None:
    """The active key for a secret, marking it used; None if unknown or revoked."""
    return await fetch_one(
        conn,
        ApiKey,
        "UPDATE api_keys SET last_used_at = now() WHERE secret_hash = %s AND revoked_at IS NULL"
        f" RETURNING {_API_KEY_COLUMNS}",
        (token_hash(secret),),
    )


# --- account safety: verification, reset, second factor, sessions ------------


async def set_email_verified(conn: Connection, user_id: uuid.UUID) -> User:
    return await _updated_user(
        conn, "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = %s", (user_id,)
    )


async def insert_account_token(conn: Connection, token: str, user_id: uuid.UUID, purpose: Purpose) -> datetime:
    """Store a new token of `purpose`, consuming the user's unused ones of it; return its expiry."""
    expires = account_tokens.expires_at(purpose)
    await conn.execute(
        "UPDATE account_tokens SET used_at = now() WHERE user_id = %s AND purpose = %s AND used_at IS NULL",
        (user_id, purpose.value),
    )
    await conn.execute(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at) VALUES (%s, %s, %s, %s)",
        (token_hash(token), user_id, purpose.value, expires),
    )
    return expires


async def account_token_for_update(conn: Connection, token: str) -> StoredToken | None:
    row = await (
        await conn.execute(
            "SELECT user_id, purpose, expires_at, used_at FROM account_tokens WHERE token_hash = %s FOR UPDATE",
            (token_hash(token),),
        )
    ).fetchone()
    if row is None:
        return None
    return StoredToken(str(row["user_id"]), Purpose(row["purpose"]), row["expires_at"], row["used_at"])


async def use_account_tokens(conn: Connection, user_id: uuid.UUID, purpose: Purpose) -> None:
    """Consume every unused token of `purpose` of the user (the one presented among them)."""
    await conn.execute(
        "UPDATE account_tokens SET used_at = now() WHERE user_id = %s AND purpose = %s AND used_at IS NULL",
        (user_id, purpose.value),
    )


async def set_totp_pending(conn: Connection, user_id: uuid.UUID, sealed: bytes | None) -> None:
    await conn.execute("UPDATE users SET totp_pending = %s WHERE id = %s", (sealed, user_id))


async def enable_totp(conn: Connection, user_id: uuid.UUID, last_step: int, recovery_hashes: list[bytes]) -> None:
    """The pending secret becomes the second factor; the recovery codes replace any earlier ones."""
    await conn.execute(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = %s WHERE id = %s",
        (last_step, user_id),
    )
    await conn.execute("DELETE FROM recovery_codes WHERE user_id = %s", (user_id,))
    for code_hash in recovery_hashes:
        await conn.execute("INSERT INTO recovery_codes (code_hash, user_id) VALUES (%s, %s)", (code_hash, user_id))


async def disable_totp(conn: Connection, user_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0 WHERE id = %s", (user_id,)
    )
    await conn.execute("DELETE FROM recovery_codes WHERE user_id = %s", (user_id,))


async def set_totp_last_step(conn: Connection, user_id: uuid.UUID, step: int) -> bool:
    """Record an accepted code's step; False if a code of this or a later step was accepted meanwhile."""
    cursor = await conn.execute(
        "UPDATE users SET totp_last_step = %s WHERE id = %s AND totp_last_step < %s", (step, user_id, step)
    )
    return cursor.rowcount == 1


async def use_recovery_code(conn: Connection, user_id: uuid.UUID, code_hash: bytes) -> bool:
    """Consume an unused recovery code of the user; False if there is none such."""
    cursor = await conn.execute(
        "UPDATE recovery_codes SET used_at = now() WHERE user_id = %s AND code_hash = %s AND used_at IS NULL",
        (user_id, code_hash),
    )
    return cursor.rowcount == 1


async def unused_recovery_codes(conn: Connection, user_id: uuid.UUID) -> int:
    row = await (
        await conn.execute(
            "SELECT count(*) AS n FROM recovery_codes WHERE user_id = %s AND used_at IS NULL", (user_id,)
        )
    ).fetchone()
    return int(row["n"]) if row else 0


@dataclass(frozen=True)
class Session:
    """An active refresh-token family and the device it began on."""

    family_id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str
    client_address: str


async def insert_session_device(
    conn: Connection, family_id: str, user_id: uuid.UUID, user_agent: str, client_address: str
) -> None:
    await conn.execute(
        "INSERT INTO session_devices (family_id, user_id, user_agent, client_address) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (family_id) DO NOTHING",
        (family_id, user_id, user_agent[:512], client_address[:64]),
    )


_ACTIVE_SESSIONS = (
    "SELECT t.family_id, min(t.issued_at) AS created_at, max(t.issued_at) AS last_used_at,"
    " max(t.expires_at) AS expires_at, coalesce(max(d.user_agent), '') AS user_agent,"
    " coalesce(max(d.client_address), '') AS client_address"
    " FROM refresh_tokens t LEFT JOIN session_devices d ON d.family_id = t.family_id"
    " WHERE t.user_id = %s GROUP BY t.family_id"
    " HAVING bool_and(t.revoked_at IS NULL) AND bool_or(t.used_at IS NULL AND t.expires_at > now())"
)


async def active_sessions(conn: Connection, user_id: uuid.UUID, limit: int = 200) -> list[Session]:
    return await fetch_all(
        conn, Session, _ACTIVE_SESSIONS + " ORDER BY last_used_at DESC, t.family_id LIMIT %s", (user_id, limit)
    )


async def revoke_session(conn: Connection, user_id: uuid.UUID, family_id: uuid.UUID) -> bool:
    """Revoke one of the user's sessions; False if it has no active token (unknown or already ended)."""
    cursor = await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = %s AND user_id = %s AND revoked_at IS NULL"
        " AND EXISTS (SELECT 1 FROM refresh_tokens a WHERE a.family_id = %s AND a.used_at IS NULL"
        " AND a.revoked_at IS NULL AND a.expires_at > now())",
        (family_id, user_id, family_id),
    )
    return cursor.rowcount > 0


async def revoke_sessions_except(conn: Connection, user_id: uuid.UUID, keep_family: str | None) -> list[str]:
    """Revoke every active session of the user but `keep_family`; return their ids."""
    sessions = [s.family_id for s in await active_sessions(conn, user_id, limit=100_000)]
    ended = [f for f in sessions if str(f) != keep_family]
    if ended:
        await conn.execute(
            "UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE user_id = %s"
            " AND family_id = ANY(%s)",
            (user_id, ended),
        )
    return [str(f) for f in ended]
