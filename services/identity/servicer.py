"""IdentityService: sign-up, sessions, organisations, roles, API keys, signing keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from google.protobuf import duration_pb2

from iworkz.identity.v1 import events_pb2, identity_pb2, identity_pb2_grpc
from services.identity import store
from services.identity.domain import apikeys, passwords, sessions, signing
from services.identity.domain.throttle import ThrottlePolicy, client_address
from services.runtime import access, context, names, outbox, paging
from services.runtime.db import Connection
from services.runtime.errors import (
    AlreadyExists,
    FailedPrecondition,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)
from services.runtime.server import Resources
from services.runtime.timestamps import timestamp

SERVICE = "identity"
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
    )


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
        self.settings = resources.settings
        # How long a rotated key is published before it signs (verifiers cache the JWKS).
        self.publish_ahead_seconds = float(resources.settings.extra.get("IDENTITY_KEY_PUBLISH_AHEAD_SECONDS", "45"))

    # --- keys and tokens ---------------------------------------------------

    async def ensure_signing_key(self) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE")
            if await store.current_signing_key(conn, self.cipher) is None:
                await store.insert_signing_key(conn, self.cipher, signing.SigningKey.generate())

    async def jwks(self) -> list[dict]:
        async with self.db.connection() as conn:
            return await store.published_keys(conn)

    async def _tokens(self, conn: Connection, user: store.User, family_id: str | None = None) -> identity_pb2.TokenPair:
        key = await store.current_signing_key(conn, self.cipher)
        if key is None:
            raise RuntimeError("identity has no signing key (ensure_signing_key runs at start-up)")
        org = str(user.organization_id) if user.organization_id else ""
        access_token = signing.issue_access_token(
            key,
            str(user.id),
            list(user.roles),
            org,
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
        )
        refresh = sessions.new_refresh_token()
        await store.insert_refresh_token(conn, refresh, user.id, family_id)
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
            tokens = await self._tokens(conn, user)
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
            tokens = await self._tokens(conn, user)
        return identity_pb2.LoginResponse(user=user_message(user), tokens=tokens)

    async def RefreshToken(self, request, context_):
        reuse: tuple[str, str] | None = None
        async with self.db.transaction() as conn:
            stored = await store.refresh_token_for_update(conn, request.refresh_token)
            decision = sessions.decide(stored)
            if decision is sessions.RefreshDecision.REUSE:
                await store.revoke_family(conn, stored.family_id)
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
        return identity_pb2.LogoutResponse()

    async def GetJwks(self, request, context_):
        return identity_pb2.GetJwksResponse(keys=[identity_pb2.JsonWebKey(**k) for k in await self.jwks()])

    async def RotateSigningKey(self, request, context_):
        key = signing.SigningKey.generate()
        async with self.db.transaction() as conn:
            await store.insert_signing_key(conn, self.cipher, key, self.publish_ahead_seconds)
            await outbox.audit(conn, context.caller().user_name, "rotate_signing_key", key.kid)
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
