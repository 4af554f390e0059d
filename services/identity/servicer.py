"""IdentityService: sign-up, sessions, organisations, roles, API keys, signing keys."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from google.protobuf import duration_pb2

from iworkz.identity.v1 import events_pb2, identity_pb2, identity_pb2_grpc
from services.identity import store
from services.identity.challenges import TTL_SECONDS as CHALLENGE_TTL_SECONDS
from services.identity.challenges import Challenges
from services.identity.domain import (
    account_tokens,
    apikeys,
    common_passwords,
    passwords,
    second_factor,
    sessions,
    signing,
)
from services.identity.domain.account_tokens import Purpose, TokenState
from services.identity.domain.throttle import ThrottlePolicy, client_address
from services.runtime import access, auditlog, context, names, outbox, paging
from services.runtime.db import Connection
from services.runtime.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)
from services.runtime.server import Resources
from services.runtime.timestamps import timestamp

SERVICE = "identity"
# A verification email can be re-sent once a minute.
RESEND_INTERVAL_SECONDS = 60
# Reset emails for one address: at most this many per window (more requests answer alike but send nothing).
MAX_RESETS_PER_WINDOW = 3
RESET_WINDOW_SECONDS = 15 * 60
ORG_TYPES = {identity_pb2.ACCOUNT_TYPE_EMPLOYER: "employer", identity_pb2.ACCOUNT_TYPE_ISSUER: "issuer"}
ORG_TYPE_VALUES = {"employer": identity_pb2.ORGANIZATION_TYPE_EMPLOYER, "issuer": identity_pb2.ORGANIZATION_TYPE_ISSUER}
MEMBER_ROLE_VALUES = {"admin": identity_pb2.MEMBER_ROLE_ADMIN, "member": identity_pb2.MEMBER_ROLE_MEMBER}


def user_message(row: store.User) -> identity_pb2.User:
    return identity_pb2.User(
        name=f"users/{row.id}",
        email=row.email,
        display_name=row.display_name,
        roles=[access.role_value(r) for r in row.roles if r in access.ROLE_VALUES],
        organization=f"organizations/{row.organization_id}" if row.organization_id else "",
        locale=row.locale,
        disabled=row.disabled,
        create_time=timestamp(row.created_at),
        email_verified=row.email_verified_at is not None,
        totp_enabled=row.totp_enabled,
    )


def session_message(user_id: uuid.UUID, row: store.Session, current: str) -> identity_pb2.Session:
    return identity_pb2.Session(
        name=f"users/{user_id}/sessions/{row.family_id}",
        create_time=timestamp(row.created_at),
        last_use_time=timestamp(row.last_used_at),
        expire_time=timestamp(row.expires_at),
        user_agent=row.user_agent,
        client_address=row.client_address,
        current=str(row.family_id) == current,
    )


def check_password(field: str, password: str) -> None:
    """INVALID_ARGUMENT on `field` for a common password."""
    if common_passwords.is_common(password):
        raise InvalidArgument.field(field, common_passwords.REASON, "password.common")


def _address() -> str:
    state = context.current()
    return client_address(state.peer if state else "")


def _user_agent(context_) -> str:
    for key, value in context_.invocation_metadata() or ():
        if key == "user-agent":
            return str(value)
    return ""


def organization_message(row: store.Organization) -> identity_pb2.Organization:
    return identity_pb2.Organization(
        name=f"organizations/{row.id}",
        display_name=row.display_name,
        type=ORG_TYPE_VALUES[row.type],
        create_time=timestamp(row.created_at),
    )


def api_key_message(row: store.ApiKey) -> identity_pb2.ApiKey:
    return identity_pb2.ApiKey(
        name=f"organizations/{row.organization_id}/apiKeys/{row.id}",
        display_name=row.display_name,
        roles=[access.role_value(r) for r in row.roles],
        prefix=row.prefix,
        create_time=timestamp(row.created_at),
        revoke_time=timestamp(row.revoked_at),
        last_use_time=timestamp(row.last_used_at),
    )


def member_message(row: store.User) -> identity_pb2.OrganizationMember:
    return identity_pb2.OrganizationMember(
        name=f"organizations/{row.organization_id}/members/{row.id}",
        user=f"users/{row.id}",
        email=row.email,
        display_name=row.display_name,
        role=MEMBER_ROLE_VALUES.get(row.member_role, identity_pb2.MEMBER_ROLE_MEMBER),
    )


class IdentityServicer(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self, resources: Resources, throttle: ThrottlePolicy | None = None) -> None:
        self.r = resources
        self.db = resources.db
        self.cipher = resources.cipher
        self.throttle = throttle or ThrottlePolicy()
        self.challenges = Challenges(resources.redis)
        self.settings = resources.settings
        # How long a rotated key is published before it signs (verifiers cache the JWKS).
        self.publish_ahead_seconds = float(resources.settings.extra.get("IDENTITY_KEY_PUBLISH_AHEAD_SECONDS", "45"))
        # The published keys, kept in memory this long (GetJwks is called by every verifier and the edge;
        # a rotation here drops it at once, one on another replica shows within this time, well inside
        # the publish-ahead time above).
        self.jwks_cache_seconds = float(resources.settings.extra.get("IDENTITY_JWKS_CACHE_SECONDS", "5"))
        self._jwks: tuple[float, list[dict]] | None = None  # (monotonic expiry, keys)
        self._jwks_response: tuple[list[dict], identity_pb2.GetJwksResponse] | None = None

    # --- keys and tokens ---------------------------------------------------

    async def ensure_signing_key(self) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE")
            if await store.current_signing_key(conn, self.cipher) is None:
                await store.insert_signing_key(conn, self.cipher, signing.SigningKey.generate())

    async def jwks(self) -> list[dict]:
        cached = self._jwks
        if cached is not None and time.monotonic() < cached[0]:
            return cached[1]
        async with self.db.connection() as conn:
            keys = await store.published_keys(conn)
        self._jwks = (time.monotonic() + self.jwks_cache_seconds, keys)
        return keys

    async def _tokens(
        self, conn: Connection, user: store.User, family_id: str | None = None, device: str | None = None
    ) -> identity_pb2.TokenPair:
        """A new token pair: the next of session `family_id`, or a new session begun on `device` (user agent)."""
        key = await store.current_signing_key(conn, self.cipher)
        if key is None:
            raise RuntimeError("identity has no signing key (ensure_signing_key runs at start-up)")
        refresh = sessions.new_refresh_token()
        family = await store.insert_refresh_token(conn, refresh, user.id, family_id)
        if family_id is None:
            await store.insert_session_device(conn, family, user.id, device or "", _address())
        org = str(user.organization_id) if user.organization_id else ""
        access_token = signing.issue_access_token(
            key,
            str(user.id),
            list(user.roles),
            org,
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            session=family,
        )
        return identity_pb2.TokenPair(
            access_token=access_token,
            refresh_token=refresh,
            token_type="Bearer",
            access_token_expires_in=duration_pb2.Duration(seconds=signing.ACCESS_TOKEN_SECONDS),
        )

    # --- sign-up and sessions ---------------------------------------------

    async def SignUp(self, request, context_):
        email = request.email.strip().lower()
        org_type = ORG_TYPES.get(request.account_type)
        role = org_type or "worker"
        check_password("password", request.password)
        password_hash = passwords.hash_password(request.password)
        async with self.db.transaction() as conn:
            org = None
            if org_type:
                org = await store.insert_organization(conn, request.organization_display_name.strip(), org_type)
            user = await store.insert_user(
                conn,
                email,
                password_hash,
                request.display_name.strip(),
                [role],
                org.id if org else None,
                "admin" if org else "",
                request.locale or "en",
            )
            await outbox.emit(
                conn,
                SERVICE,
                "user",
                str(user.id),
                events_pb2.UserSignedUp(
                    user=f"users/{user.id}",
                    email=email,
                    roles=[access.role_value(role)],
                    organization=f"organizations/{org.id}" if org else "",
                    locale=user.locale,
                    display_name=user.display_name,
                ),
            )
            await self._send_verification(conn, user, f"users/{user.id}")
            tokens = await self._tokens(conn, user, device=_user_agent(context_))
        return identity_pb2.SignUpResponse(
            user=user_message(user), organization=organization_message(org) if org else None, tokens=tokens
        )

    async def _throttle_counts(self, email: str, address: str) -> tuple[str, str, int, int]:
        redis = self.r.redis
        account_key = redis.key("identity", "login-fail", "account", email)
        address_key = redis.key("identity", "login-fail", "address", address)
        a, b = await redis.client.mget(account_key, address_key)
        return account_key, address_key, int(a or 0), int(b or 0)

    async def Login(self, request, context_):
        email = request.email.strip().lower()
        state = context.current()
        address = client_address(state.peer if state else "")
        account_key, address_key, per_account, per_address = await self._throttle_counts(email, address)
        if self.throttle.blocked(per_account, per_address):
            ttl = await self.r.redis.client.ttl(
                account_key if per_account >= self.throttle.max_failures_per_account else address_key
            )
            raise ResourceExhausted("too many failed logins; try again later", max(int(ttl), 1))
        async with self.db.connection() as conn:
            user = await store.user_by_email(conn, email)
        if not passwords.verify_password(user.password_hash if user else None, request.password):
            pipe = self.r.redis.client.pipeline(transaction=True)
            for key in (account_key, address_key):
                # The window starts at the first failure. (SET NX EX rather than
                # EXPIRE NX, which needs Redis 7: the embedded Redis is 6.2.)
                pipe.set(key, 0, ex=self.throttle.window_seconds, nx=True)
                pipe.incr(key)
            await pipe.execute()
            raise Unauthenticated("wrong email or password")
        if user.disabled:
            raise PermissionDenied("this account is disabled")
        await self.r.redis.client.delete(account_key)
        async with self.db.transaction() as conn:
            if passwords.needs_rehash(user.password_hash):
                await store.set_password_hash(conn, user.id, passwords.hash_password(request.password))
            if user.totp_enabled:
                challenge = await self.challenges.open(str(user.id))
                expire = datetime.now(UTC) + timedelta(seconds=CHALLENGE_TTL_SECONDS)
                # Nothing about the account until the second factor is shown too.
                return identity_pb2.LoginResponse(
                    second_factor=identity_pb2.SecondFactorChallenge(challenge=challenge, expire_time=timestamp(expire))
                )
            tokens = await self._tokens(conn, user, device=_user_agent(context_))
        return identity_pb2.LoginResponse(user=user_message(user), tokens=tokens)

    async def _count_failure(self, email: str) -> None:
        """Count a wrong second-factor code against the account (as a failed login is counted).

        Not against the address: each challenge already needed the password and
        allows only a few codes.
        """
        account_key = self.r.redis.key("identity", "login-fail", "account", email)
        pipe = self.r.redis.client.pipeline(transaction=True)
        pipe.set(account_key, 0, ex=self.throttle.window_seconds, nx=True)
        pipe.incr(account_key)
        await pipe.execute()

    async def _check_not_throttled(self, email: str) -> None:
        account_key, address_key, per_account, per_address = await self._throttle_counts(email, _address())
        if self.throttle.blocked(per_account, per_address):
            ttl = await self.r.redis.client.ttl(
                account_key if per_account >= self.throttle.max_failures_per_account else address_key
            )
            raise ResourceExhausted("too many failed attempts; try again later", max(int(ttl), 1))

    async def _end_sessions(self, families: list[str], reason: str) -> None:
        """Refuse the access tokens of these sessions at once (they would live up to 15 minutes).

        Called before the commit: if the refusal cannot be recorded, nothing is signed out."""
        for family in families:
            await self.r.revocations.revoke(f"session:{family}", reason)

    async def RefreshToken(self, request, context_):
        reuse: tuple[str, str] | None = None
        async with self.db.transaction() as conn:
            stored = await store.refresh_token_for_update(conn, request.refresh_token)
            decision = sessions.decide(stored)
            if decision is sessions.RefreshDecision.REUSE:
                await store.revoke_family(conn, stored.family_id)
                await self._end_sessions([stored.family_id], "refresh token reused")
                state = context.current()
                await outbox.emit(
                    conn,
                    SERVICE,
                    "user",
                    stored.user_id,
                    events_pb2.RefreshTokenReuseDetected(
                        user=f"users/{stored.user_id}",
                        family_id=stored.family_id,
                        client_address=client_address(state.peer if state else ""),
                    ),
                )
                reuse = (stored.user_id, stored.family_id)
            elif decision is sessions.RefreshDecision.ROTATE:
                user = await store.user_by_id(conn, stored.user_id)
                if user.disabled:
                    await store.revoke_family(conn, stored.family_id)
                    decision = sessions.RefreshDecision.REVOKED
                else:
                    await store.mark_used(conn, request.refresh_token)
                    tokens = await self._tokens(conn, user, stored.family_id)
                    return identity_pb2.RefreshTokenResponse(tokens=tokens)
        if reuse:
            raise Unauthenticated("refresh token was already used; the session has been revoked")
        raise Unauthenticated(f"refresh token is {decision.value}")

    async def Logout(self, request, context_):
        async with self.db.transaction() as conn:
            stored = await store.refresh_token_for_update(conn, request.refresh_token)
            if stored is not None:
                await store.revoke_family(conn, stored.family_id)
                await self._end_sessions([stored.family_id], "signed out")
        return identity_pb2.LogoutResponse()

    async def GetJwks(self, request, context_):
        keys = await self.jwks()
        if self._jwks_response is None or self._jwks_response[0] is not keys:
            response = identity_pb2.GetJwksResponse(keys=[identity_pb2.JsonWebKey(**k) for k in keys])
            self._jwks_response = (keys, response)
        return self._jwks_response[1]

    async def RotateSigningKey(self, request, context_):
        key = signing.SigningKey.generate()
        async with self.db.transaction() as conn:
            await store.insert_signing_key(conn, self.cipher, key, self.publish_ahead_seconds)
            await outbox.audit(conn, context.caller().user_name, "rotate_signing_key", key.kid)
        self._jwks = None  # the new key is published at once
        # Tokens signed with the new key must verify here at once, not after the
        # cache's minimum refresh interval.
        await self.r.verifier.keys.refresh()
        return identity_pb2.RotateSigningKeyResponse(kid=key.kid)

    # --- users and roles -----------------------------------------------------

    async def GetUser(self, request, context_):
        async with self.db.connection() as conn:
            return identity_pb2.GetUserResponse(
                user=user_message(await store.user_by_id(conn, names.ids(request.name)[0]))
            )

    async def ListUsers(self, request, context_):
        role = access.role_name(request.role) if request.role else ""
        fp = paging.fingerprint(role=role, email_prefix=request.email_prefix)
        size, after = paging.page_request(request, fp, 50, 200)
        async with self.db.connection() as conn:
            rows = await store.list_users(conn, size + 1, after, role, request.email_prefix)
        rows, token = paging.keyset_page(rows, size, fp, paging.created_key)
        return identity_pb2.ListUsersResponse(users=[user_message(r) for r in rows], next_page_token=token)

    async def ListAuditEvents(self, request, context_):
        events, token = await auditlog.list_events(self.db, request, identity_pb2.AuditEvent)
        return identity_pb2.ListAuditEventsResponse(audit_events=events, next_page_token=token)

    async def _change_roles(self, name: str, change: Callable[[set[str]], set[str]]) -> store.User:
        caller = context.caller()
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, names.ids(name)[0], for_update=True)
            roles = change(set(user.roles))
            user = await store.set_roles(conn, user.id, sorted(roles))
            await outbox.emit(
                conn,
                SERVICE,
                "user",
                str(user.id),
                events_pb2.UserRolesChanged(
                    user=name, roles=[access.role_value(r) for r in user.roles], changed_by=caller.user_name
                ),
            )
            await outbox.audit(conn, caller.user_name, "change_roles", name, {"roles": user.roles})
        return user

    async def GrantRole(self, request, context_):
        role = access.role_name(request.role)
        user = await self._change_roles(request.name, lambda roles: roles | {role})
        return identity_pb2.GrantRoleResponse(user=user_message(user))

    async def RevokeRole(self, request, context_):
        role = access.role_name(request.role)
        if role == "admin" and request.name == context.caller().user_name:
            raise FailedPrecondition("admins cannot revoke their own admin role")
        user = await self._change_roles(request.name, lambda roles: roles - {role})
        return identity_pb2.RevokeRoleResponse(user=user_message(user))

    async def DisableUser(self, request, context_):
        caller = context.caller()
        if request.name == caller.user_name:
            raise FailedPrecondition("admins cannot disable their own account")
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, names.ids(request.name)[0], for_update=True)
            user = await store.set_disabled(conn, user.id)
            await store.revoke_user_sessions(conn, user.id)
            await outbox.emit(
                conn,
                SERVICE,
                "user",
                str(user.id),
                events_pb2.UserDisabled(user=request.name, reason=request.reason, disabled_by=caller.user_name),
            )
            await outbox.audit(conn, caller.user_name, "disable_user", request.name, {"reason": request.reason})
            # Before the commit: if the refusal cannot be recorded, the account is not disabled either.
            await self.r.revocations.revoke(str(user.id), "disabled")
        return identity_pb2.DisableUserResponse(user=user_message(user))

    # --- organisations -------------------------------------------------------

    async def GetOrganization(self, request, context_):
        async with self.db.connection() as conn:
            org = await store.organization(conn, names.ids(request.name)[0])
        return identity_pb2.GetOrganizationResponse(organization=organization_message(org))

    async def _require_org_admin(self, conn, org_id: str) -> None:
        caller = context.caller()
        if caller.is_admin:
            return
        if caller.kind != "user":
            raise PermissionDenied("only organisation admins may do this")
        me = await store.user_by_id(conn, caller.subject)
        if str(me.organization_id) != org_id or me.member_role != "admin":
            raise PermissionDenied("only organisation admins may do this")

    async def ListOrganizationMembers(self, request, context_):
        org_id = names.ids(request.parent)[0]
        fp = paging.fingerprint(parent=request.parent)
        size, after = paging.page_request(request, fp, 50, 200)
        async with self.db.connection() as conn:
            await store.organization(conn, org_id)
            rows = await store.members(conn, names.uuid_of(org_id, "organization"), size + 1, after)
        rows, token = paging.keyset_page(rows, size, fp, paging.created_key)
        return identity_pb2.ListOrganizationMembersResponse(
            members=[member_message(r) for r in rows], next_page_token=token
        )

    async def AddOrganizationMember(self, request, context_):
        org_id = names.ids(request.parent)[0]
        member_role = "admin" if request.role == identity_pb2.MEMBER_ROLE_ADMIN else "member"
        async with self.db.transaction() as conn:
            org = await store.organization(conn, org_id)
            await self._require_org_admin(conn, org_id)
            user = await store.user_by_email(conn, request.email.strip().lower())
            if user is None:
                raise NotFound("no account with this email")
            if user.organization_id is not None:
                raise AlreadyExists("this user already belongs to an organisation")
            if user.email_verified_at is None:
                # Anyone can sign up with any address: only its proven owner may be made a member.
                raise FailedPrecondition("this user has not verified their email yet")
            roles = (set(user.roles) - {"worker"}) | {org.type}
            user = await store.set_membership(conn, user.id, org.id, member_role, sorted(roles))
            await outbox.audit(
                conn,
                context.caller().user_name,
                "add_member",
                request.parent,
                {"user": str(user.id), "role": member_role},
            )
        return identity_pb2.AddOrganizationMemberResponse(member=member_message(user))

    async def RemoveOrganizationMember(self, request, context_):
        org_id, user_id = names.ids(request.name)
        async with self.db.transaction() as conn:
            org = await store.organization(conn, org_id)
            await self._require_org_admin(conn, org_id)
            user = await store.user_by_id(conn, user_id, for_update=True)
            if str(user.organization_id) != org_id:
                raise NotFound("no such member")
            if user.member_role == "admin" and await store.count_admins(conn, org.id) <= 1:
                raise FailedPrecondition("the last admin of an organisation cannot be removed")
            # Leaving an organisation leaves a plain account: a worker, unless it has other roles.
            roles = (set(user.roles) - {org.type}) or {"worker"}
            await store.set_membership(conn, user.id, None, "", sorted(roles))
            await store.revoke_user_sessions(conn, user.id)
            await outbox.audit(conn, context.caller().user_name, "remove_member", request.name)
        return identity_pb2.RemoveOrganizationMemberResponse()

    # --- API keys --------------------------------------------------------------

    async def CreateApiKey(self, request, context_):
        org_id = names.ids(request.parent)[0]
        roles = {access.role_name(r) for r in request.api_key.roles}
        secret, prefix = apikeys.new_secret()
        async with self.db.transaction() as conn:
            org = await store.organization(conn, org_id)
            await self._require_org_admin(conn, org_id)
            apikeys.check_roles(org.type, roles)
            row = await store.insert_api_key(
                conn,
                org.id,
                request.api_key.display_name,
                sorted(roles),
                prefix,
                secret,
                uuid.UUID(context.caller().subject),
            )
            await outbox.audit(
                conn,
                context.caller().user_name,
                "create_api_key",
                request.parent,
                {"key": str(row.id), "roles": sorted(roles)},
            )
        return identity_pb2.CreateApiKeyResponse(api_key=api_key_message(row), secret=secret)

    async def ListApiKeys(self, request, context_):
        org_id = names.ids(request.parent)[0]
        fp = paging.fingerprint(parent=request.parent)
        size, after = paging.page_request(request, fp, 50, 200)
        async with self.db.connection() as conn:
            await store.organization(conn, org_id)
            rows = await store.api_keys(conn, names.uuid_of(org_id, "organization"), size + 1, after)
        rows, token = paging.keyset_page(rows, size, fp, paging.created_key)
        return identity_pb2.ListApiKeysResponse(api_keys=[api_key_message(r) for r in rows], next_page_token=token)

    async def RevokeApiKey(self, request, context_):
        org_id, key_id = names.ids(request.name)
        async with self.db.transaction() as conn:
            await self._require_org_admin(conn, org_id)
            row = await store.api_key(conn, org_id, key_id)
            row = await store.revoke_api_key(conn, row.id)
            await outbox.audit(conn, context.caller().user_name, "revoke_api_key", request.name)
            # Tokens already exchanged for the key (their subject is the key's id) stop working too.
            await self.r.revocations.revoke(str(row.id), "api key revoked")
        return identity_pb2.RevokeApiKeyResponse(api_key=api_key_message(row))

    async def ExchangeApiKey(self, request, context_):
        async with self.db.transaction() as conn:
            row = await store.use_api_key(conn, request.secret)
            if row is None:
                raise Unauthenticated("unknown or revoked API key")
            key = await store.current_signing_key(conn, self.cipher)
        token = signing.issue_access_token(
            key,
            str(row.id),
            [*row.roles, "partner"],
            str(row.organization_id),
            kind="api_key",
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
        )
        return identity_pb2.ExchangeApiKeyResponse(
            tokens=identity_pb2.TokenPair(
                access_token=token,
                token_type="Bearer",
                access_token_expires_in=duration_pb2.Duration(seconds=signing.ACCESS_TOKEN_SECONDS),
            )
        )

    # --- account safety: email verification -------------------------------------

    async def _send_verification(self, conn: Connection, user: store.User, actor: str) -> None:
        """A new verification token, emailed by notifications (EmailVerificationRequested)."""
        token = account_tokens.new_token(Purpose.VERIFY_EMAIL)
        expires = await store.insert_account_token(conn, token, user.id, Purpose.VERIFY_EMAIL)
        await outbox.emit(
            conn,
            SERVICE,
            "user",
            str(user.id),
            events_pb2.EmailVerificationRequested(user=f"users/{user.id}", token=token, expire_time=timestamp(expires)),
        )
        await outbox.audit(conn, actor, "email_verification_sent", f"users/{user.id}")

    async def VerifyEmail(self, request, context_):
        async with self.db.transaction() as conn:
            stored = await store.account_token_for_update(conn, request.token)
            state = account_tokens.check(stored, Purpose.VERIFY_EMAIL)
            if stored is None or state is not TokenState.VALID:
                raise Unauthenticated(f"this verification link is {state.value}")
            user = await store.user_by_id(conn, stored.user_id, for_update=True)
            await store.use_account_tokens(conn, user.id, Purpose.VERIFY_EMAIL)
            user = await store.set_email_verified(conn, user.id)
            await outbox.audit(conn, f"users/{user.id}", "email_verified", f"users/{user.id}")
        return identity_pb2.VerifyEmailResponse(user=user_message(user))

    async def ResendVerificationEmail(self, request, context_):
        user_id = names.ids(request.name)[0]  # the owner or an admin (access rule)
        key = self.r.redis.key("identity", "verify-resend", user_id)
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, user_id, for_update=True)
            if user.email_verified_at is not None:
                raise FailedPrecondition("this email is already verified")
            if not await self.r.redis.client.set(key, 1, ex=RESEND_INTERVAL_SECONDS, nx=True):
                ttl = await self.r.redis.client.ttl(key)
                raise ResourceExhausted("a verification email was just sent; try again in a minute", max(int(ttl), 1))
            await self._send_verification(conn, user, context.caller().user_name)
        return identity_pb2.ResendVerificationEmailResponse()

    # --- account safety: password reset ------------------------------------------

    async def RequestPasswordReset(self, request, context_):
        email = request.email.strip().lower()
        # The same work whether or not the account exists: a token, a counter,
        # a lookup, one transaction with an audit row; only the token row and
        # the event are left out for an unknown address.
        token = account_tokens.new_token(Purpose.RESET_PASSWORD)
        counter = self.r.redis.key("identity", "reset-requests", hashlib.sha256(email.encode()).hexdigest())
        pipe = self.r.redis.client.pipeline(transaction=True)
        pipe.set(counter, 0, ex=RESET_WINDOW_SECONDS, nx=True)
        pipe.incr(counter)
        requests = (await pipe.execute())[1]
        async with self.db.transaction() as conn:
            user = await store.user_by_email(conn, email)
            if user is None or user.disabled:
                await outbox.audit(conn, "anonymous", "password_reset_requested", "unknown-account")
            elif requests > MAX_RESETS_PER_WINDOW:
                await outbox.audit(conn, "anonymous", "password_reset_throttled", f"users/{user.id}")
            else:
                expires = await store.insert_account_token(conn, token, user.id, Purpose.RESET_PASSWORD)
                await outbox.emit(
                    conn,
                    SERVICE,
                    "user",
                    str(user.id),
                    events_pb2.PasswordResetRequested(
                        user=f"users/{user.id}", token=token, expire_time=timestamp(expires)
                    ),
                )
                await outbox.audit(conn, "anonymous", "password_reset_requested", f"users/{user.id}")
        return identity_pb2.RequestPasswordResetResponse()

    async def ResetPassword(self, request, context_):
        check_password("new_password", request.new_password)
        password_hash = passwords.hash_password(request.new_password)
        async with self.db.transaction() as conn:
            stored = await store.account_token_for_update(conn, request.token)
            state = account_tokens.check(stored, Purpose.RESET_PASSWORD)
            if stored is None or state is not TokenState.VALID:
                raise Unauthenticated(f"this password reset link is {state.value}")
            user = await store.user_by_id(conn, stored.user_id, for_update=True)
            await store.use_account_tokens(conn, user.id, Purpose.RESET_PASSWORD)
            await store.set_password_hash(conn, user.id, password_hash)
            # The reset link reached this inbox: the address is the owner's.
            user = await store.set_email_verified(conn, user.id)
            await self._end_sessions(await store.revoke_user_sessions(conn, user.id), "password reset")
            await outbox.emit(
                conn,
                SERVICE,
                "user",
                str(user.id),
                events_pb2.PasswordChanged(user=f"users/{user.id}", client_address=_address()),
            )
            await outbox.audit(conn, f"users/{user.id}", "password_reset", f"users/{user.id}")
        await self.r.redis.client.delete(self.r.redis.key("identity", "login-fail", "account", user.email))
        return identity_pb2.ResetPasswordResponse()

    # --- account safety: sessions ----------------------------------------------------

    async def ListSessions(self, request, context_):
        user_id = names.uuid_of(names.ids(request.parent)[0], "user")
        async with self.db.connection() as conn:
            await store.user_by_id(conn, str(user_id))
            rows = await store.active_sessions(conn, user_id)
        current = context.caller().session
        return identity_pb2.ListSessionsResponse(sessions=[session_message(user_id, r, current) for r in rows])

    async def RevokeSession(self, request, context_):
        user_id, family_id = names.ids(request.name)
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, user_id)
            if not await store.revoke_session(conn, user.id, names.uuid_of(family_id, "session")):
                raise NotFound("no such active session")
            await self._end_sessions([family_id], "signed out")
            await outbox.audit(conn, context.caller().user_name, "revoke_session", request.name)
        return identity_pb2.RevokeSessionResponse()

    async def RevokeAllSessions(self, request, context_):
        user_id = names.ids(request.parent)[0]
        caller = context.caller()
        own = caller.subject == user_id and caller.session
        keep = caller.session if request.keep_current and own else None
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, user_id, for_update=True)
            ended = await store.revoke_sessions_except(conn, user.id, keep)
            count = len(ended)
            await self._end_sessions(ended, "signed out everywhere")
            await outbox.audit(
                conn,
                caller.user_name,
                "revoke_all_sessions",
                request.parent,
                {"revoked": count, "kept_current": keep is not None},
            )
        return identity_pb2.RevokeAllSessionsResponse(revoked_count=count)

    # --- account safety: TOTP second factor ------------------------------------------

    def _totp_where(self, user_id: uuid.UUID) -> str:
        return f"users:{user_id}:totp"

    async def _second_factor_matches(self, conn: Connection, user: store.User, code: str) -> str:
        """`totp` or `recovery_code` when `code` is a right one (and consume it); "" otherwise."""
        assert user.totp_secret is not None
        if second_factor.looks_like_totp(code):
            secret = self.cipher.decrypt(bytes(user.totp_secret), self._totp_where(user.id))
            match = second_factor.match_totp(secret, code, user.totp_last_step)
            if match is not None and await store.set_totp_last_step(conn, user.id, match.step):
                return "totp"
            return ""
        if await store.use_recovery_code(conn, user.id, second_factor.recovery_code_hash(code)):
            return "recovery_code"
        return ""

    async def VerifySecondFactor(self, request, context_):
        challenge = await self.challenges.get(request.challenge)
        if challenge is None:
            raise Unauthenticated("this sign-in has expired or is unknown; log in again")
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, challenge.user_id, for_update=True)
            if user.disabled:
                raise PermissionDenied("this account is disabled")
            if not user.totp_enabled:
                raise Unauthenticated("this sign-in has expired or is unknown; log in again")
            method = await self._second_factor_matches(conn, user, request.code)
            if method and not await self.challenges.consume(request.challenge):
                method = ""  # a concurrent request used the challenge first
            if method:
                tokens = await self._tokens(conn, user, device=_user_agent(context_))
                left = await store.unused_recovery_codes(conn, user.id)
                await outbox.audit(
                    conn, f"users/{user.id}", "login_second_factor", f"users/{user.id}", {"method": method}
                )
                if method == "recovery_code":
                    await outbox.audit(
                        conn, f"users/{user.id}", "recovery_code_used", f"users/{user.id}", {"left": left}
                    )
            else:
                await outbox.audit(conn, "anonymous", "second_factor_failed", f"users/{user.id}")
        if not method:
            await self.challenges.wrong_code(request.challenge)
            await self._count_failure(user.email)
            raise Unauthenticated("wrong code")
        return identity_pb2.VerifySecondFactorResponse(user=user_message(user), tokens=tokens, recovery_codes_left=left)

    async def EnrollTotp(self, request, context_):
        user_id = names.ids(request.name)[0]  # the owner or an admin (access rule)
        secret = second_factor.new_secret()
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, user_id, for_update=True)
            if user.totp_enabled:
                raise FailedPrecondition("a second factor is already on; disable it first")
            await store.set_totp_pending(conn, user.id, self.cipher.encrypt(secret, self._totp_where(user.id)))
            await outbox.audit(conn, context.caller().user_name, "totp_enrolment_started", request.name)
        return identity_pb2.EnrollTotpResponse(
            secret=secret, provisioning_uri=second_factor.provisioning_uri(secret, user.email)
        )

    async def ConfirmTotp(self, request, context_):
        user_id = names.ids(request.name)[0]  # the owner or an admin (access rule)
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, user_id, for_update=True)
            if user.totp_enabled:
                raise FailedPrecondition("the second factor is already on")
            if user.totp_pending is None:
                raise FailedPrecondition("no authenticator is being enrolled; call EnrollTotp first")
            secret = self.cipher.decrypt(bytes(user.totp_pending), self._totp_where(user.id))
            match = second_factor.match_totp(secret, request.code, 0)
            if match is None:
                raise InvalidArgument.field("code", "does not match the authenticator's current code", "totp.code")
            codes = second_factor.new_recovery_codes()
            await store.enable_totp(conn, user.id, match.step, [second_factor.recovery_code_hash(c) for c in codes])
            await outbox.audit(conn, context.caller().user_name, "totp_enabled", request.name)
        return identity_pb2.ConfirmTotpResponse(recovery_codes=codes)

    async def DisableTotp(self, request, context_):
        user_id = names.ids(request.name)[0]  # the owner or an admin (access rule)
        async with self.db.connection() as conn:
            email = (await store.user_by_id(conn, user_id)).email
        await self._check_not_throttled(email)
        async with self.db.transaction() as conn:
            user = await store.user_by_id(conn, user_id, for_update=True)
            if not user.totp_enabled:
                raise FailedPrecondition("no second factor is on")
            method = await self._second_factor_matches(conn, user, request.code)
            if method:
                await store.disable_totp(conn, user.id)
                await outbox.audit(conn, context.caller().user_name, "totp_disabled", request.name, {"method": method})
        if not method:
            await self._count_failure(user.email)
            raise InvalidArgument.field(
                "code", "is not a current authenticator code or an unused recovery code", "totp.code"
            )
        return identity_pb2.DisableTotpResponse()
