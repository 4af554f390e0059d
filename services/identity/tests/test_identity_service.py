"""IdentityService over real gRPC, PostgreSQL and Redis, called through the SDK as partners do.

The identity service is session-scoped, so every test signs up its own users
with unique emails and never relies on what other tests left behind.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import timedelta
from typing import Any

import grpc
import jwt
import psycopg
import pytest
from google.protobuf.json_format import MessageToDict
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from psycopg.rows import dict_row

from buf.validate import validate_pb2
from iworkz.auth.v1 import access_pb2
from iworkz.identity.v1 import events_pb2
from iworkz.identity.v1 import identity_pb2 as pb
from iworkz.sdk import Client
from iworkz.type.v1 import event_pb2
from services.identity import store
from services.identity.domain import signing
from services.identity.domain.sessions import token_hash
from services.identity.main import SPEC as IDENTITY_SPEC
from services.runtime import datakeys
from services.runtime.db import Database
from services.runtime.migrations import RUNTIME_MIGRATIONS, migrate

PASSWORD = "correct horse battery staple"
WORKER, EMPLOYER, ISSUER = pb.ACCOUNT_TYPE_WORKER, pb.ACCOUNT_TYPE_EMPLOYER, pb.ACCOUNT_TYPE_ISSUER
Code = grpc.StatusCode


# --- helpers ------------------------------------------------------------------


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def resource_id(name: str) -> str:
    """`users/abc` -> `abc`, `organizations/o/members/u` -> `u`."""
    return name.rsplit("/", 1)[1]


async def sign_up(
    connect, account_type=WORKER, organization: str = "", email: str = "", display_name: str = "Aiko Tanaka"
) -> tuple[Client, pb.SignUpResponse]:
    """A new account and a client signed in as it."""
    if account_type != WORKER and not organization:
        organization = f"Org {uuid.uuid4().hex[:8]}"
    client = connect()
    response = await client.sign_up(
        email=email or unique_email(),
        password=PASSWORD,
        display_name=display_name,
        account_type=account_type,
        organization_display_name=organization,
    )
    return client, response


async def log_in(connect, email: str) -> tuple[Client, pb.LoginResponse]:
    client = connect()
    return client, await client.login(email, PASSWORD)


async def query(database_url: str, sql: str, *params) -> list[dict]:
    """Rows from identity's own tables (tests look, they never write)."""
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, row_factory=dict_row, options="-c search_path=identity"
    ) as conn:
        return await (await conn.execute(sql, params)).fetchall()


async def outbox_events(database_url: str, event_type: Any, aggregate_id: str) -> list:
    """The payloads of the outbox events of one type about one aggregate."""
    rows = await query(
        database_url,
        "SELECT envelope FROM outbox WHERE event_type = %s AND aggregate_id = %s ORDER BY seq",
        event_type.DESCRIPTOR.full_name,
        aggregate_id,
    )
    events = []
    for row in rows:
        envelope = event_pb2.EventEnvelope.FromString(bytes(row["envelope"]))
        event = event_type()
        assert envelope.payload.Unpack(event)
        events.append(event)
    return events


async def fails(code: grpc.StatusCode, call) -> grpc.aio.AioRpcError:
    """Awaits an RPC that must fail with `code`; returns the error."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == code, caught.value.details()
    return caught.value


def error_details(error: grpc.aio.AioRpcError) -> dict[type, object]:
    """The google.rpc.Status details of a failed call, by message type."""
    status = rpc_status.from_call(error)
    assert status is not None, "the error carries no google.rpc.Status"
    found = {}
    for packed in status.details:
        for kind in (validate_pb2.Violations, error_details_pb2.BadRequest, error_details_pb2.RetryInfo):
            if packed.Is(kind.DESCRIPTOR):
                detail = kind()
                packed.Unpack(detail)
                found[kind] = detail
    return found


async def verified_claims(client: Client, token: str) -> tuple[dict, dict]:
    """(header, claims) of an access token, verified against the published JWKS."""
    jwks = await client.identity.GetJwks(pb.GetJwksRequest())
    header = jwt.get_unverified_header(token)
    [jwk] = [k for k in jwks.keys if k.kid == header["kid"]]
    key = jwt.PyJWK(MessageToDict(jwk, preserving_proto_field_name=True))
    claims = jwt.decode(token, key, algorithms=["ES256"], audience="iworkz", issuer="iworkz-identity")
    return header, claims


async def current_signing_key(database_url: str, master_keys: str) -> signing.SigningKey:
    """The private key identity signs with now, decrypted from `identity.signing_keys`."""
    db = Database(database_url, "identity", max_size=1)
    await db.open()
    try:
        cipher = await datakeys.load_cipher(db, master_keys)
        async with db.connection() as conn:
            key = await store.current_signing_key(conn, cipher)
        assert key is not None
        return key
    finally:
        await db.close()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def with_claims(token: str, **changes) -> str:
    """The token with its payload changed and the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return ".".join([header, _b64url(json.dumps(claims).encode()), signature])


def with_flipped_character(token: str) -> str:
    """The token with one character in the middle of its payload changed."""
    header, payload, signature = token.split(".")
    i = len(payload) // 2
    payload = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1 :]
    return ".".join([header, payload, signature])


def get_user(client: Client, name: str):
    return client.identity.GetUser(pb.GetUserRequest(name=name))


# --- sign-up ------------------------------------------------------------------


async def test_worker_sign_up_creates_a_worker_without_organization(connect):
    email = unique_email("Worker").replace("worker", "WoRkEr")
    client, response = await sign_up(connect, WORKER, email=email)

    assert response.user.email == email.lower()
    assert list(response.user.roles) == [access_pb2.ROLE_WORKER]
    assert response.user.organization == ""
    assert response.user.locale == "en"
    assert not response.HasField("organization")
    assert response.tokens.token_type == "Bearer"
    assert response.tokens.refresh_token
    me = await get_user(client, response.user.name)
    assert me.user == response.user


@pytest.mark.parametrize(
    "account_type, org_type, role",
    [
        (EMPLOYER, pb.ORGANIZATION_TYPE_EMPLOYER, access_pb2.ROLE_EMPLOYER),
        (ISSUER, pb.ORGANIZATION_TYPE_ISSUER, access_pb2.ROLE_ISSUER),
    ],
)
async def test_employer_and_issuer_sign_up_create_an_organization_they_administer(
    connect, account_type, org_type, role
):
    client, response = await sign_up(connect, account_type, organization="  Sakura Care  ")

    org = response.organization
    assert org.display_name == "Sakura Care"
    assert org.type == org_type
    assert response.user.organization == org.name
    assert list(response.user.roles) == [role]
    members = await client.identity.ListOrganizationMembers(pb.ListOrganizationMembersRequest(parent=org.name))
    assert [(m.user, m.role) for m in members.members] == [(response.user.name, pb.MEMBER_ROLE_ADMIN)]
    _, claims = await verified_claims(client, response.tokens.access_token)
    assert claims["org"] == resource_id(org.name)


async def test_sign_up_emits_user_signed_up(connect, database_url):
    _, response = await sign_up(connect, EMPLOYER)

    [event] = await outbox_events(database_url, events_pb2.UserSignedUp, resource_id(response.user.name))
    assert event.user == response.user.name
    assert event.email == response.user.email
    assert event.organization == response.organization.name
    assert list(event.roles) == [access_pb2.ROLE_EMPLOYER]


async def test_duplicate_email_is_already_exists_and_leaves_no_organization_behind(connect, database_url):
    email = unique_email("dup")
    await sign_up(connect, WORKER, email=email)
    org_name = f"Duplicate {uuid.uuid4().hex}"

    await fails(Code.ALREADY_EXISTS, sign_up(connect, EMPLOYER, organization=org_name, email=email.upper()))

    assert await query(database_url, "SELECT id FROM organizations WHERE display_name = %s", org_name) == []


@pytest.mark.parametrize(
    "account_type, organization",
    [
        (WORKER, "Workers Have No Org"),
        (EMPLOYER, ""),
        (ISSUER, ""),
    ],
)
async def test_organization_name_is_required_exactly_for_employers_and_issuers(
    connect, database_url, account_type, organization
):
    email = unique_email("orgrule")
    request = pb.SignUpRequest(
        email=email,
        password=PASSWORD,
        display_name="Ken",
        account_type=account_type,
        organization_display_name=organization,
    )

    error = await fails(Code.INVALID_ARGUMENT, connect().identity.SignUp(request))

    details = error_details(error)
    assert [v.rule_id for v in details[validate_pb2.Violations].violations] == ["sign_up.organization"]
    assert await query(database_url, "SELECT id FROM users WHERE email = %s", email) == []


# --- login and throttling ------------------------------------------------------


async def test_login_returns_the_user_and_a_new_session(connect):
    _, signed_up = await sign_up(connect, WORKER)

    client, response = await log_in(connect, signed_up.user.email.upper())

    assert response.user.name == signed_up.user.name
    assert response.tokens.refresh_token not in ("", signed_up.tokens.refresh_token)
    assert (await get_user(client, signed_up.user.name)).user.email == signed_up.user.email


async def test_wrong_password_and_unknown_email_are_both_unauthenticated(connect):
    _, signed_up = await sign_up(connect, WORKER)

    wrong = await fails(Code.UNAUTHENTICATED, connect().login(signed_up.user.email, "not the password"))
    unknown = await fails(Code.UNAUTHENTICATED, connect().login(unique_email("nobody"), PASSWORD))

    assert wrong.details() == unknown.details()  # no account enumeration


async def test_login_is_throttled_after_five_failures_for_one_account(connect):
    _, throttled = await sign_up(connect, WORKER, email=unique_email("throttled"))
    _, bystander = await sign_up(connect, WORKER)
    for _ in range(5):
        await fails(Code.UNAUTHENTICATED, connect().login(throttled.user.email, "wrong password!"))

    error = await fails(Code.RESOURCE_EXHAUSTED, connect().login(throttled.user.email, PASSWORD))

    retry = error_details(error)[error_details_pb2.RetryInfo]
    assert 0 < retry.retry_delay.seconds <= 15 * 60
    await log_in(connect, bystander.user.email)  # other accounts are not affected


async def test_a_successful_login_resets_the_account_failure_count(connect):
    _, user = await sign_up(connect, WORKER)
    for _ in range(4):
        await fails(Code.UNAUTHENTICATED, connect().login(user.user.email, "wrong password!"))
    await log_in(connect, user.user.email)

    await fails(Code.UNAUTHENTICATED, connect().login(user.user.email, "wrong password!"))
    await log_in(connect, user.user.email)


async def test_disabled_account_cannot_log_in(connect, admin):
    _, user = await sign_up(connect, WORKER)
    await admin.identity.DisableUser(pb.DisableUserRequest(name=user.user.name, reason="test"))

    await fails(Code.PERMISSION_DENIED, connect().login(user.user.email, PASSWORD))


# --- refresh and logout ----------------------------------------------------------


def refresh(client: Client, token: str):
    return client.identity.RefreshToken(pb.RefreshTokenRequest(refresh_token=token))


async def test_refresh_rotates_the_refresh_token(connect):
    client, user = await sign_up(connect, WORKER)
    first = user.tokens.refresh_token

    rotated = (await refresh(client, first)).tokens

    assert rotated.refresh_token not in ("", first)
    assert rotated.access_token != user.tokens.access_token
    _, claims = await verified_claims(client, rotated.access_token)
    assert claims["sub"] == resource_id(user.user.name)
    newer = (await refresh(client, rotated.refresh_token)).tokens
    assert newer.refresh_token != rotated.refresh_token


async def test_reusing_a_refresh_token_revokes_its_whole_family(connect, database_url):
    client, user = await sign_up(connect, WORKER)
    _, other_session = await log_in(connect, user.user.email)
    first = user.tokens.refresh_token
    second = (await refresh(client, first)).tokens.refresh_token
    newest = (await refresh(client, second)).tokens.refresh_token

    await fails(Code.UNAUTHENTICATED, refresh(client, first))

    await fails(Code.UNAUTHENTICATED, refresh(client, newest))
    [family] = await query(
        database_url, "SELECT family_id FROM refresh_tokens WHERE token_hash = %s", token_hash(first)
    )
    [event] = await outbox_events(database_url, events_pb2.RefreshTokenReuseDetected, resource_id(user.user.name))
    assert event.user == user.user.name
    assert event.family_id == str(family["family_id"])
    # Another session of the same user is a different family and keeps working.
    await refresh(client, other_session.tokens.refresh_token)


async def test_unknown_refresh_token_is_unauthenticated(connect):
    await fails(Code.UNAUTHENTICATED, refresh(connect(), "rt_" + uuid.uuid4().hex))


async def test_logout_revokes_the_session(connect):
    client, user = await sign_up(connect, WORKER)
    current = (await refresh(client, user.tokens.refresh_token)).tokens.refresh_token

    await client.identity.Logout(pb.LogoutRequest(refresh_token=current))

    await fails(Code.UNAUTHENTICATED, refresh(client, current))
    # Logging out with a token that means nothing is not an error (nothing to reveal).
    await client.identity.Logout(pb.LogoutRequest(refresh_token="rt_" + uuid.uuid4().hex))


# --- signing keys and access tokens ------------------------------------------------


async def test_jwks_publishes_the_current_key_first(connect):
    client, user = await sign_up(connect, WORKER)

    jwks = await client.identity.GetJwks(pb.GetJwksRequest())

    header = jwt.get_unverified_header(user.tokens.access_token)
    assert jwks.keys[0].kid == header["kid"]
    for key in jwks.keys:
        assert (key.kty, key.crv, key.alg, key.use) == ("EC", "P-256", "ES256", "sig")
        assert key.x and key.y


async def test_access_token_claims(connect):
    client, user = await sign_up(connect, EMPLOYER)

    header, claims = await verified_claims(client, user.tokens.access_token)

    assert header["alg"] == "ES256" and header["kid"]
    assert claims["sub"] == resource_id(user.user.name)
    assert claims["roles"] == ["employer"]
    assert claims["org"] == resource_id(user.organization.name)
    assert claims["iss"] == "iworkz-identity"
    assert claims["aud"] == "iworkz"
    assert claims["exp"] - claims["iat"] == 900
    assert user.tokens.access_token_expires_in.seconds == 900
    uuid.UUID(claims["jti"])
    _, again = await log_in(connect, user.user.email)
    assert (await verified_claims(client, again.tokens.access_token))[1]["jti"] != claims["jti"]


async def test_rotating_the_signing_key_keeps_old_tokens_valid(connect, admin):
    client, user = await sign_up(connect, WORKER)
    old_kid = jwt.get_unverified_header(user.tokens.access_token)["kid"]

    rotated = await admin.identity.RotateSigningKey(pb.RotateSigningKeyRequest())

    assert rotated.kid != old_kid
    jwks = await client.identity.GetJwks(pb.GetJwksRequest())
    assert [k.kid for k in jwks.keys][:2] == [rotated.kid, old_kid]
    await get_user(client, user.user.name)  # signed with the previous key: still accepted
    await verified_claims(client, user.tokens.access_token)
    fresh_client, fresh = await log_in(connect, user.user.email)
    assert jwt.get_unverified_header(fresh.tokens.access_token)["kid"] == rotated.kid
    await get_user(fresh_client, user.user.name)  # signed with the new key: accepted at once


async def test_rotating_twice_in_a_row_still_accepts_unexpired_tokens(connect, admin):
    client, user = await sign_up(connect, WORKER)

    await admin.identity.RotateSigningKey(pb.RotateSigningKeyRequest())
    await admin.identity.RotateSigningKey(pb.RotateSigningKeyRequest())

    await get_user(client, user.user.name)
    await verified_claims(client, user.tokens.access_token)


async def test_replaced_keys_leave_the_jwks_once_their_tokens_have_expired(database_url):
    schema = f"identity_keys_{uuid.uuid4().hex[:8]}"
    await migrate(database_url, schema, [("runtime", RUNTIME_MIGRATIONS), ("identity", IDENTITY_SPEC.migrations)])
    minutes_ago = {"a": 180, "b": 120, "c": 10, "d": 1}  # each key replaces the one before
    try:
        async with await psycopg.AsyncConnection.connect(
            database_url, autocommit=True, row_factory=dict_row, options=f"-c search_path={schema}"
        ) as conn:
            for kid, age in minutes_ago.items():
                await conn.execute(
                    "INSERT INTO signing_keys (kid, private_key, public_jwk, created_at)"
                    " VALUES (%s, '', %s, now() - make_interval(mins => %s))",
                    (kid, psycopg.types.json.Jsonb({"kid": kid}), age),
                )

            published = await store.published_keys(conn)
    finally:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")

    # "a" was replaced two hours ago: no token it signed is still valid.
    assert [k["kid"] for k in published] == ["d", "c", "b"]


async def test_only_admins_rotate_signing_keys(connect):
    client, _ = await sign_up(connect, EMPLOYER)

    await fails(Code.PERMISSION_DENIED, client.identity.RotateSigningKey(pb.RotateSigningKeyRequest()))
    await fails(Code.UNAUTHENTICATED, connect().identity.RotateSigningKey(pb.RotateSigningKeyRequest()))


# --- who may call what ----------------------------------------------------------------


async def test_bad_tokens_are_unauthenticated(connect, database_url, master_keys):
    _, user = await sign_up(connect, WORKER)
    me = user.user.name
    subject = resource_id(me)
    key = await current_signing_key(database_url, master_keys)
    good = signing.issue_access_token(key, subject, ["worker"])
    assert (await get_user(connect(good), me)).user.name == me  # the forging kit itself works
    bad_tokens = {
        "no token": "",
        "not a JWT": "not-a-jwt",
        "unknown key": signing.issue_access_token(signing.SigningKey.generate(), subject, ["worker"]),
        "expired": signing.issue_access_token(key, subject, ["worker"], now=time.time() - 3600),
        "claims edited": with_claims(user.tokens.access_token, roles=["admin"]),
        "character flipped": with_flipped_character(user.tokens.access_token),
        "other audience": signing.issue_access_token(key, subject, ["worker"], audience="elsewhere"),
        "other issuer": signing.issue_access_token(key, subject, ["worker"], issuer="someone-else"),
        "alg none": jwt.encode(
            {**jwt.decode(good, options={"verify_signature": False})}, None, algorithm="none", headers={"kid": key.kid}
        ),
    }
    for why, token in bad_tokens.items():
        error = await fails(Code.UNAUTHENTICATED, get_user(connect(token), me))
        assert error.details(), why


async def test_authorization_header_must_be_bearer(connect):
    client, user = await sign_up(connect, WORKER)

    await fails(
        Code.UNAUTHENTICATED,
        client.identity.GetUser(
            pb.GetUserRequest(name=user.user.name), metadata=(("authorization", f"Basic {user.tokens.access_token}"),)
        ),
    )


async def test_a_role_the_rule_does_not_name_is_permission_denied(connect):
    worker, _ = await sign_up(connect, WORKER)

    await fails(Code.PERMISSION_DENIED, worker.identity.ListUsers(pb.ListUsersRequest()))


async def test_users_read_only_themselves_and_admins_read_anyone(connect, admin):
    alice, alice_up = await sign_up(connect, WORKER)
    _, bob_up = await sign_up(connect, WORKER)

    await fails(Code.PERMISSION_DENIED, get_user(alice, bob_up.user.name))

    assert (await get_user(alice, alice_up.user.name)).user.name == alice_up.user.name
    assert (await get_user(admin, bob_up.user.name)).user == bob_up.user
    await fails(Code.NOT_FOUND, get_user(admin, f"users/{uuid.uuid4()}"))


# --- organisations ------------------------------------------------------------------


def add_member(client: Client, org: str, email: str, role=pb.MEMBER_ROLE_MEMBER):
    return client.identity.AddOrganizationMember(pb.AddOrganizationMemberRequest(parent=org, email=email, role=role))


async def verified(connect, database_url: str, response: pb.SignUpResponse) -> pb.SignUpResponse:
    """The signed-up user after following the link of their verification email (the token from the event)."""
    [event] = await outbox_events(database_url, events_pb2.EmailVerificationRequested, resource_id(response.user.name))
    await connect().identity.VerifyEmail(pb.VerifyEmailRequest(token=event.token))
    return response


async def list_all_members(client: Client, org: str) -> list[pb.OrganizationMember]:
    """Walks the member list one page at a time."""
    members, token = [], ""
    while True:
        page = await client.identity.ListOrganizationMembers(
            pb.ListOrganizationMembersRequest(parent=org, page_size=1, page_token=token)
        )
        assert len(page.members) <= 1
        members.extend(page.members)
        token = page.next_page_token
        if not token:
            return members


async def test_any_signed_in_caller_reads_an_organization(connect):
    _, employer = await sign_up(connect, EMPLOYER)
    worker, _ = await sign_up(connect, WORKER)
    org = employer.organization

    assert (await worker.identity.GetOrganization(pb.GetOrganizationRequest(name=org.name))).organization == org

    await fails(Code.UNAUTHENTICATED, connect().identity.GetOrganization(pb.GetOrganizationRequest(name=org.name)))
    await fails(
        Code.NOT_FOUND, worker.identity.GetOrganization(pb.GetOrganizationRequest(name=f"organizations/{uuid.uuid4()}"))
    )


async def test_org_admin_adds_members_and_pages_through_them(connect, database_url):
    owner, employer = await sign_up(connect, EMPLOYER)
    org = employer.organization.name
    joiners = [await verified(connect, database_url, (await sign_up(connect, WORKER))[1]) for _ in range(3)]

    added = [await add_member(owner, org, j.user.email) for j in joiners]

    assert [a.member.user for a in added] == [j.user.name for j in joiners]
    assert all(a.member.role == pb.MEMBER_ROLE_MEMBER for a in added)
    assert added[0].member.name == f"{org}/members/{resource_id(joiners[0].user.name)}"
    members = await list_all_members(owner, org)
    assert [m.user for m in members] == [employer.user.name, *[j.user.name for j in joiners]]
    assert [m.role for m in members] == [pb.MEMBER_ROLE_ADMIN] + [pb.MEMBER_ROLE_MEMBER] * 3
    # A member's next token carries the organisation's role and id.
    _, relogged = await log_in(connect, joiners[0].user.email)
    assert list(relogged.user.roles) == [access_pb2.ROLE_EMPLOYER]
    assert relogged.user.organization == org


async def test_members_list_is_for_members_of_that_organization_only(connect):
    _, employer = await sign_up(connect, EMPLOYER)
    other_employer, _ = await sign_up(connect, EMPLOYER)
    worker, _ = await sign_up(connect, WORKER)
    request = pb.ListOrganizationMembersRequest(parent=employer.organization.name)

    await fails(Code.PERMISSION_DENIED, other_employer.identity.ListOrganizationMembers(request))
    await fails(Code.PERMISSION_DENIED, worker.identity.ListOrganizationMembers(request))


async def test_only_org_admins_add_members(connect, database_url):
    owner, employer = await sign_up(connect, EMPLOYER)
    org = employer.organization.name
    plain = await verified(connect, database_url, (await sign_up(connect, WORKER))[1])
    await add_member(owner, org, plain.user.email)
    member, _ = await log_in(connect, plain.user.email)
    newcomer = await verified(connect, database_url, (await sign_up(connect, WORKER))[1])

    await fails(Code.PERMISSION_DENIED, add_member(member, org, newcomer.user.email))

    assert len(await list_all_members(member, org)) == 2  # members may read the list


async def test_adding_someone_who_already_belongs_to_an_organization_is_already_exists(connect):
    owner, employer = await sign_up(connect, EMPLOYER)
    _, other = await sign_up(connect, ISSUER)
    org = employer.organization.name

    await fails(Code.ALREADY_EXISTS, add_member(owner, org, other.user.email))
    await fails(Code.ALREADY_EXISTS, add_member(owner, org, employer.user.email))
    await fails(Code.NOT_FOUND, add_member(owner, org, unique_email("ghost")))


async def test_removing_a_member_ends_their_sessions(connect, admin, database_url):
    owner, employer = await sign_up(connect, EMPLOYER)
    org = employer.organization.name
    joiner = await verified(connect, database_url, (await sign_up(connect, WORKER))[1])
    await add_member(owner, org, joiner.user.email)
    _, session = await log_in(connect, joiner.user.email)

    await owner.identity.RemoveOrganizationMember(
        pb.RemoveOrganizationMemberRequest(name=f"{org}/members/{resource_id(joiner.user.name)}")
    )

    assert [m.user for m in await list_all_members(owner, org)] == [employer.user.name]
    await fails(Code.UNAUTHENTICATED, refresh(owner, session.tokens.refresh_token))
    after = (await get_user(admin, joiner.user.name)).user
    assert after.organization == "" and access_pb2.ROLE_EMPLOYER not in after.roles


async def test_the_last_admin_cannot_be_removed(connect, database_url):
    owner, employer = await sign_up(connect, EMPLOYER)
    org = employer.organization.name
    request = pb.RemoveOrganizationMemberRequest(name=f"{org}/members/{resource_id(employer.user.name)}")

    await fails(Code.FAILED_PRECONDITION, owner.identity.RemoveOrganizationMember(request))

    # With a second admin the first may leave.
    second = await verified(connect, database_url, (await sign_up(connect, WORKER))[1])
    await add_member(owner, org, second.user.email, pb.MEMBER_ROLE_ADMIN)
    await owner.identity.RemoveOrganizationMember(request)


# --- API keys ----------------------------------------------------------------------------


def create_api_key(client: Client, org: str, roles=(access_pb2.ROLE_EMPLOYER,), display_name: str = "ATS sync"):
    return client.identity.CreateApiKey(
        pb.CreateApiKeyRequest(parent=org, api_key=pb.ApiKey(display_name=display_name, roles=list(roles)))
    )


async def test_api_key_secret_is_shown_once_and_stored_only_hashed(connect, database_url):
    owner, employer = await sign_up(connect, EMPLOYER)
    org = employer.organization.name

    created = await create_api_key(owner, org)

    key = created.api_key
    assert key.name.startswith(f"{org}/apiKeys/")
    assert list(key.roles) == [access_pb2.ROLE_EMPLOYER]
    assert key.prefix and key.prefix in created.secret
    assert not key.HasField("revoke_time")
    stored = await query(
        database_url,
        "SELECT id, api_keys::text AS row, secret_hash FROM api_keys WHERE organization_id = %s",
        uuid.UUID(resource_id(org)),
    )
    assert [str(r["id"]) for r in stored] == [resource_id(key.name)]
    assert created.secret not in stored[0]["row"]
    assert created.secret.encode().hex() not in stored[0]["row"]
    assert bytes(stored[0]["secret_hash"]) == token_hash(created.secret)
    listed = await owner.identity.ListApiKeys(pb.ListApiKeysRequest(parent=org))
    assert [k.name for k in listed.api_keys] == [key.name]
    assert created.secret not in str(listed)


async def test_api_key_roles_must_fit_the_organization_type(connect):
    owner, employer = await sign_up(connect, EMPLOYER)

    error = await fails(
        Code.INVALID_ARGUMENT, create_api_key(owner, employer.organization.name, roles=[access_pb2.ROLE_ISSUER])
    )

    bad_request = error_details(error)[error_details_pb2.BadRequest]
    assert [v.field for v in bad_request.field_violations] == ["api_key.roles"]


async def test_exchanging_an_api_key_gives_a_partner_token_for_the_organization(connect):
    owner, employer = await sign_up(connect, EMPLOYER)
    org = employer.organization.name
    created = await create_api_key(owner, org)

    partner = connect()
    await partner.login_with_api_key(created.secret)
    exchanged = await connect().identity.ExchangeApiKey(pb.ExchangeApiKeyRequest(secret=created.secret))

    assert exchanged.tokens.refresh_token == ""
    _, claims = await verified_claims(partner, exchanged.tokens.access_token)
    assert claims["roles"] == ["employer", "partner"]
    assert claims["org"] == resource_id(org)
    assert claims["sub"] == resource_id(created.api_key.name)
    assert claims["typ"] == "api_key"
    assert (await partner.identity.GetOrganization(pb.GetOrganizationRequest(name=org))).organization.name == org
    # A key acts for its organisation but is not one of its admins.
    await fails(Code.PERMISSION_DENIED, create_api_key(partner, org))
    listed = await owner.identity.ListApiKeys(pb.ListApiKeysRequest(parent=org))
    assert listed.api_keys[0].HasField("last_use_time")


async def test_revoked_api_key_can_no_longer_be_exchanged(connect):
    owner, employer = await sign_up(connect, EMPLOYER)
    org = employer.organization.name
    created = await create_api_key(owner, org)
    stranger, _ = await sign_up(connect, EMPLOYER)
    revoke = pb.RevokeApiKeyRequest(name=created.api_key.name)

    await fails(Code.PERMISSION_DENIED, stranger.identity.RevokeApiKey(revoke))
    revoked = await owner.identity.RevokeApiKey(revoke)

    assert revoked.api_key.HasField("revoke_time")
    await fails(
        Code.UNAUTHENTICATED, connect().identity.ExchangeApiKey(pb.ExchangeApiKeyRequest(secret=created.secret))
    )
    await fails(
        Code.UNAUTHENTICATED,
        connect().identity.ExchangeApiKey(pb.ExchangeApiKeyRequest(secret="iwk_00000000_" + uuid.uuid4().hex)),
    )


async def test_api_keys_page_newest_first(connect):
    owner, employer = await sign_up(connect, EMPLOYER)
    org = employer.organization.name
    names = [(await create_api_key(owner, org, display_name=f"key {i}")).api_key.name for i in range(3)]

    seen, token = [], ""
    while True:
        page = await owner.identity.ListApiKeys(pb.ListApiKeysRequest(parent=org, page_size=2, page_token=token))
        seen += [k.name for k in page.api_keys]
        token = page.next_page_token
        if not token:
            break

    assert seen == names[::-1]


# --- administration -------------------------------------------------------------------------


async def test_list_users_pages_through_a_role_filter(connect, admin):
    prefix = f"list-{uuid.uuid4().hex[:10]}-"
    workers = [(await sign_up(connect, WORKER, email=f"{prefix}{i}@example.com"))[1] for i in range(3)]
    await sign_up(connect, EMPLOYER, email=f"{prefix}boss@example.com")

    seen, token, pages = [], "", 0
    while True:
        page = await admin.identity.ListUsers(
            pb.ListUsersRequest(page_size=1, page_token=token, role=access_pb2.ROLE_WORKER, email_prefix=prefix)
        )
        seen += [u.name for u in page.users]
        pages += 1
        token = page.next_page_token
        if not token:
            break

    assert seen == [w.user.name for w in reversed(workers)]  # newest first
    assert pages == 3
    everyone = await admin.identity.ListUsers(pb.ListUsersRequest(email_prefix=prefix))
    assert len(everyone.users) == 4 and everyone.next_page_token == ""


async def test_list_users_rejects_altered_or_replayed_page_tokens(connect, admin):
    prefix = f"tok-{uuid.uuid4().hex[:10]}-"
    for i in range(2):
        await sign_up(connect, WORKER, email=f"{prefix}{i}@example.com")
    first = await admin.identity.ListUsers(pb.ListUsersRequest(page_size=1, email_prefix=prefix))
    token = first.next_page_token
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")

    for request in (
        pb.ListUsersRequest(page_size=1, email_prefix=prefix, page_token=tampered),
        pb.ListUsersRequest(page_size=1, email_prefix="other", page_token=token),
    ):
        error = await fails(Code.INVALID_ARGUMENT, admin.identity.ListUsers(request))
        bad_request = error_details(error)[error_details_pb2.BadRequest]
        assert [v.field for v in bad_request.field_violations] == ["page_token"]


async def test_grant_and_revoke_role(connect, admin, database_url):
    _, user = await sign_up(connect, WORKER)
    name = user.user.name

    granted = await admin.identity.GrantRole(pb.GrantRoleRequest(name=name, role=access_pb2.ROLE_ISSUER))

    assert set(granted.user.roles) == {access_pb2.ROLE_WORKER, access_pb2.ROLE_ISSUER}
    _, relogged = await log_in(connect, user.user.email)
    _, claims = await verified_claims(admin, relogged.tokens.access_token)
    assert claims["roles"] == ["issuer", "worker"]
    revoked = await admin.identity.RevokeRole(pb.RevokeRoleRequest(name=name, role=access_pb2.ROLE_ISSUER))
    assert list(revoked.user.roles) == [access_pb2.ROLE_WORKER]
    changes = await outbox_events(database_url, events_pb2.UserRolesChanged, resource_id(name))
    assert [set(c.roles) for c in changes] == [
        {access_pb2.ROLE_WORKER, access_pb2.ROLE_ISSUER},
        {access_pb2.ROLE_WORKER},
    ]
    await fails(
        Code.NOT_FOUND,
        admin.identity.GrantRole(pb.GrantRoleRequest(name=f"users/{uuid.uuid4()}", role=access_pb2.ROLE_ISSUER)),
    )


async def test_admins_cannot_demote_or_disable_themselves(connect, admin):
    _, claims = await verified_claims(admin, await admin.access_token())
    me = f"users/{claims['sub']}"

    await fails(
        Code.FAILED_PRECONDITION, admin.identity.RevokeRole(pb.RevokeRoleRequest(name=me, role=access_pb2.ROLE_ADMIN))
    )
    await fails(Code.FAILED_PRECONDITION, admin.identity.DisableUser(pb.DisableUserRequest(name=me)))


async def test_disabling_a_user_revokes_their_sessions(connect, admin, database_url):
    client, user = await sign_up(connect, WORKER)

    disabled = await admin.identity.DisableUser(pb.DisableUserRequest(name=user.user.name, reason="spam"))

    assert disabled.user.disabled
    await fails(Code.UNAUTHENTICATED, refresh(client, user.tokens.refresh_token))
    [event] = await outbox_events(database_url, events_pb2.UserDisabled, resource_id(user.user.name))
    assert event.reason == "spam"
    [audit] = await query(
        database_url,
        "SELECT actor, detail FROM audit_log WHERE action = 'disable_user' AND target = %s",
        user.user.name,
    )
    assert audit["detail"] == {"reason": "spam"}


async def test_audit_events_list_what_admins_did_newest_first_by_filter(connect, admin):
    _, user = await sign_up(connect, WORKER)
    name = user.user.name
    _, claims = await verified_claims(admin, await admin.access_token())
    me = f"users/{claims['sub']}"
    await admin.identity.GrantRole(pb.GrantRoleRequest(name=name, role=access_pb2.ROLE_ISSUER))
    await admin.identity.DisableUser(pb.DisableUserRequest(name=name, reason="spam"))

    about = await admin.identity.ListAuditEvents(pb.ListAuditEventsRequest(target=name))

    # Newest first: the admin's two steps, then the user's own sign-up (the verification email).
    assert [(e.actor, e.action) for e in about.audit_events] == [
        (me, "disable_user"),
        (me, "change_roles"),
        (name, "email_verification_sent"),
    ]
    disabled, granted, _ = about.audit_events
    assert MessageToDict(disabled.detail) == {"reason": "spam"}
    assert MessageToDict(granted.detail) == {"roles": ["issuer", "worker"]}
    assert disabled.name.startswith("auditEvents/") and disabled.name != granted.name
    assert disabled.create_time.ToDatetime() >= granted.create_time.ToDatetime()
    by_me = await admin.identity.ListAuditEvents(pb.ListAuditEventsRequest(target=name, actor=me))
    assert [e.action for e in by_me.audit_events] == ["disable_user", "change_roles"]
    roles_only = await admin.identity.ListAuditEvents(pb.ListAuditEventsRequest(target=name, action="change_roles"))
    assert [e.name for e in roles_only.audit_events] == [granted.name]

    seen, token = [], ""
    while True:
        page = await admin.identity.ListAuditEvents(
            pb.ListAuditEventsRequest(target=name, actor=me, page_size=1, page_token=token)
        )
        seen += [e.name for e in page.audit_events]
        token = page.next_page_token
        if not token:
            break
    assert seen == [disabled.name, granted.name]

    after = pb.ListAuditEventsRequest(target=name, actor=me)
    after.start_time.FromDatetime(disabled.create_time.ToDatetime() + timedelta(microseconds=1))
    assert [e.name for e in (await admin.identity.ListAuditEvents(after)).audit_events] == []
    until = pb.ListAuditEventsRequest(target=name, actor=me)
    until.end_time.CopyFrom(granted.create_time)
    assert [e.name for e in (await admin.identity.ListAuditEvents(until)).audit_events] == []
    window = pb.ListAuditEventsRequest(target=name, actor=me)
    window.start_time.CopyFrom(granted.create_time)
    window.end_time.CopyFrom(disabled.create_time)
    window.end_time.seconds += 1
    assert [e.name for e in (await admin.identity.ListAuditEvents(window)).audit_events] == seen


async def test_audit_event_page_tokens_belong_to_their_filters(connect, admin):
    _, user = await sign_up(connect, WORKER)
    await admin.identity.GrantRole(pb.GrantRoleRequest(name=user.user.name, role=access_pb2.ROLE_ISSUER))
    await admin.identity.RevokeRole(pb.RevokeRoleRequest(name=user.user.name, role=access_pb2.ROLE_ISSUER))
    first = await admin.identity.ListAuditEvents(
        pb.ListAuditEventsRequest(target=user.user.name, action="change_roles", page_size=1)
    )
    assert first.next_page_token

    replayed = pb.ListAuditEventsRequest(target=user.user.name, page_size=1, page_token=first.next_page_token)
    error = await fails(Code.INVALID_ARGUMENT, admin.identity.ListAuditEvents(replayed))
    assert [v.field for v in error_details(error)[error_details_pb2.BadRequest].field_violations] == ["page_token"]


async def test_an_audit_time_range_must_end_after_it_starts(admin):
    request = pb.ListAuditEventsRequest()
    request.start_time.FromSeconds(1_800_000_000)
    request.end_time.FromSeconds(1_800_000_000)

    error = await fails(Code.INVALID_ARGUMENT, admin.identity.ListAuditEvents(request))

    rules = [v.rule_id for v in error_details(error)[validate_pb2.Violations].violations]
    assert rules == ["list_audit_events.time_range"]


async def test_admin_rpcs_refuse_non_admins(connect):
    employer, user = await sign_up(connect, EMPLOYER)
    name = user.user.name
    calls = [
        employer.identity.ListUsers(pb.ListUsersRequest()),
        employer.identity.GrantRole(pb.GrantRoleRequest(name=name, role=access_pb2.ROLE_ADMIN)),
        employer.identity.RevokeRole(pb.RevokeRoleRequest(name=name, role=access_pb2.ROLE_EMPLOYER)),
        employer.identity.DisableUser(pb.DisableUserRequest(name=name)),
        employer.identity.ListAuditEvents(pb.ListAuditEventsRequest()),
    ]
    for call in calls:
        await fails(Code.PERMISSION_DENIED, call)


# --- bad input ------------------------------------------------------------------------------

UID = "0b8e7a8c-1111-4aaa-8bbb-123456789abc"
ORG = f"organizations/{UID}"
USER = f"users/{UID}"

# One valid request per RPC that has rules; each bad-input case changes one field of it.
VALID = {
    "SignUp": pb.SignUpRequest(
        email="a@example.com",
        password=PASSWORD,
        display_name="A",
        account_type=EMPLOYER,
        organization_display_name="Org",
        locale="ja",
    ),
    "Login": pb.LoginRequest(email="a@example.com", password=PASSWORD),
    "RefreshToken": pb.RefreshTokenRequest(refresh_token="rt_x"),
    "Logout": pb.LogoutRequest(refresh_token="rt_x"),
    "GetUser": pb.GetUserRequest(name=USER),
    "ListUsers": pb.ListUsersRequest(page_size=10, role=access_pb2.ROLE_WORKER, email_prefix="a"),
    "GrantRole": pb.GrantRoleRequest(name=USER, role=access_pb2.ROLE_ISSUER),
    "RevokeRole": pb.RevokeRoleRequest(name=USER, role=access_pb2.ROLE_ISSUER),
    "DisableUser": pb.DisableUserRequest(name=USER, reason="why"),
    "GetOrganization": pb.GetOrganizationRequest(name=ORG),
    "ListOrganizationMembers": pb.ListOrganizationMembersRequest(parent=ORG, page_size=10),
    "AddOrganizationMember": pb.AddOrganizationMemberRequest(
        parent=ORG, email="a@example.com", role=pb.MEMBER_ROLE_ADMIN
    ),
    "RemoveOrganizationMember": pb.RemoveOrganizationMemberRequest(name=f"{ORG}/members/{UID}"),
    "CreateApiKey": pb.CreateApiKeyRequest(
        parent=ORG, api_key=pb.ApiKey(display_name="k", roles=[access_pb2.ROLE_EMPLOYER])
    ),
    "ListApiKeys": pb.ListApiKeysRequest(parent=ORG, page_size=10),
    "RevokeApiKey": pb.RevokeApiKeyRequest(name=f"{ORG}/apiKeys/{UID}"),
    "ExchangeApiKey": pb.ExchangeApiKeyRequest(secret="iwk_x"),
    "VerifyEmail": pb.VerifyEmailRequest(token="evt_x"),
    "ResendVerificationEmail": pb.ResendVerificationEmailRequest(name=USER),
    "RequestPasswordReset": pb.RequestPasswordResetRequest(email="a@example.com"),
    "ResetPassword": pb.ResetPasswordRequest(token="prt_x", new_password=PASSWORD),
    "VerifySecondFactor": pb.VerifySecondFactorRequest(challenge="lc_x", code="123456"),
    "ListSessions": pb.ListSessionsRequest(parent=USER),
    "RevokeSession": pb.RevokeSessionRequest(name=f"{USER}/sessions/{UID}"),
    "RevokeAllSessions": pb.RevokeAllSessionsRequest(parent=USER, keep_current=True),
    "EnrollTotp": pb.EnrollTotpRequest(name=USER),
    "ConfirmTotp": pb.ConfirmTotpRequest(name=USER, code="123456"),
    "DisableTotp": pb.DisableTotpRequest(name=USER, code="abcd-efgh-ijkl-mnop"),
    "ListAuditEvents": pb.ListAuditEventsRequest(
        page_size=10, actor=USER, target=f"organizations/{UID}/apiKeys/{UID}", action="change_roles"
    ),
}

DROP = object()  # clears a message field

# (rpc, field path, bad value, expected violation field path, expected rule id)
BAD_INPUT = [
    ("SignUp", "email", "not-an-email", "email", "string.email"),
    ("SignUp", "email", "a" * 250 + "@example.com", "email", "string.max_len"),
    ("SignUp", "password", "short", "password", "string.min_len"),
    ("SignUp", "display_name", "", "display_name", "string.min_len"),
    ("SignUp", "account_type", pb.ACCOUNT_TYPE_UNSPECIFIED, "account_type", "enum.not_in"),
    ("SignUp", "organization_display_name", "x" * 201, "organization_display_name", "string.max_len"),
    ("SignUp", "locale", "EN_us", "locale", "string.pattern"),
    ("Login", "email", "ab", "email", "string.min_len"),
    ("Login", "password", "", "password", "string.min_len"),
    ("RefreshToken", "refresh_token", "", "refresh_token", "string.min_len"),
    ("Logout", "refresh_token", "x" * 257, "refresh_token", "string.max_len"),
    ("GetUser", "name", "users/alice", "name", "string.pattern"),
    ("ListUsers", "page_size", 201, "page_size", "int32.gte_lte"),
    ("ListUsers", "page_token", "x" * 513, "page_token", "string.max_len"),
    ("ListUsers", "role", 99, "role", "enum.defined_only"),
    ("ListUsers", "email_prefix", "x" * 255, "email_prefix", "string.max_len"),
    ("GrantRole", "name", UID, "name", "string.pattern"),
    ("GrantRole", "role", access_pb2.ROLE_PARTNER, "role", "enum.not_in"),
    ("RevokeRole", "name", USER.upper(), "name", "string.pattern"),
    ("RevokeRole", "role", access_pb2.ROLE_UNSPECIFIED, "role", "enum.not_in"),
    ("DisableUser", "name", "", "name", "string.pattern"),
    ("DisableUser", "reason", "x" * 501, "reason", "string.max_len"),
    ("GetOrganization", "name", USER, "name", "string.pattern"),
    ("ListOrganizationMembers", "parent", "organizations/acme", "parent", "string.pattern"),
    ("ListOrganizationMembers", "page_size", -1, "page_size", "int32.gte_lte"),
    ("ListOrganizationMembers", "page_token", "x" * 513, "page_token", "string.max_len"),
    ("AddOrganizationMember", "parent", f"{ORG}/x", "parent", "string.pattern"),
    ("AddOrganizationMember", "email", "bob", "email", "string.email"),
    ("AddOrganizationMember", "role", 7, "role", "enum.defined_only"),
    ("RemoveOrganizationMember", "name", f"{ORG}/members", "name", "string.pattern"),
    ("CreateApiKey", "parent", "", "parent", "string.pattern"),
    ("CreateApiKey", "api_key", DROP, "api_key", "required"),
    ("CreateApiKey", "api_key.name", "x" * 121, "api_key.name", "string.max_len"),
    ("CreateApiKey", "api_key.display_name", "", "api_key.display_name", "string.min_len"),
    ("CreateApiKey", "api_key.roles", [], "api_key.roles", "repeated.min_items"),
    ("CreateApiKey", "api_key.roles", [access_pb2.ROLE_EMPLOYER] * 2, "api_key.roles", "repeated.unique"),
    ("CreateApiKey", "api_key.roles", [access_pb2.ROLE_ADMIN], "api_key.roles[0]", "enum.in"),
    ("CreateApiKey", "api_key.prefix", "x" * 17, "api_key.prefix", "string.max_len"),
    ("ListApiKeys", "parent", ORG.upper(), "parent", "string.pattern"),
    ("ListApiKeys", "page_size", 1000, "page_size", "int32.gte_lte"),
    ("ListApiKeys", "page_token", "x" * 513, "page_token", "string.max_len"),
    ("RevokeApiKey", "name", f"{ORG}/apiKeys/", "name", "string.pattern"),
    ("ExchangeApiKey", "secret", "", "secret", "string.min_len"),
    ("VerifyEmail", "token", "", "token", "string.min_len"),
    ("ResendVerificationEmail", "name", "users/me", "name", "string.pattern"),
    ("RequestPasswordReset", "email", "nobody", "email", "string.email"),
    ("ResetPassword", "token", "x" * 257, "token", "string.max_len"),
    ("ResetPassword", "new_password", "short", "new_password", "string.min_len"),
    ("VerifySecondFactor", "challenge", "", "challenge", "string.min_len"),
    ("VerifySecondFactor", "code", "12345", "code", "string.min_len"),
    ("ListSessions", "parent", ORG, "parent", "string.pattern"),
    ("RevokeSession", "name", f"{USER}/sessions/x", "name", "string.pattern"),
    ("RevokeAllSessions", "parent", "", "parent", "string.pattern"),
    ("EnrollTotp", "name", f"{USER}/x", "name", "string.pattern"),
    ("ConfirmTotp", "name", UID, "name", "string.pattern"),
    ("ConfirmTotp", "code", "12345a", "code", "string.pattern"),
    ("DisableTotp", "name", "", "name", "string.pattern"),
    ("DisableTotp", "code", "x" * 33, "code", "string.max_len"),
    ("ListAuditEvents", "page_size", 201, "page_size", "int32.gte_lte"),
    ("ListAuditEvents", "page_token", "x" * 513, "page_token", "string.max_len"),
    ("ListAuditEvents", "actor", "users/alice", "actor", "string.pattern"),
    ("ListAuditEvents", "target", "users/a b", "target", "string.pattern"),
    ("ListAuditEvents", "action", "Change-Roles", "action", "string.pattern"),
]


def with_field(request, path: str, value):
    """A copy of `request` with the field at a dotted path set to `value` (DROP clears it)."""
    changed = type(request)()
    changed.CopyFrom(request)
    *parents, name = path.split(".")
    target = changed
    for part in parents:
        target = getattr(target, part)
    if value is DROP:
        target.ClearField(name)
    elif isinstance(value, list):
        del getattr(target, name)[:]
        getattr(target, name).extend(value)
    else:
        setattr(target, name, value)
    return changed


def fields_with_rules(message, prefix: str = "") -> set[str]:
    """Dotted paths of every field with buf.validate rules, into the contract's own messages."""
    found = set()
    for field in message.fields:
        path = prefix + field.name
        if field.GetOptions().HasExtension(validate_pb2.field):
            found.add(path)
        if field.message_type is not None and field.message_type.full_name.startswith("iworkz."):
            found |= fields_with_rules(field.message_type, path + ".")
    return found


def test_bad_input_table_covers_every_validated_field():
    service = pb.DESCRIPTOR.services_by_name["IdentityService"]
    expected = {(method.name, path) for method in service.methods for path in fields_with_rules(method.input_type)}
    covered = {(rpc, path) for rpc, path, *_ in BAD_INPUT}
    assert expected == covered
    with_message_rules = {
        m.name for m in service.methods if m.input_type.GetOptions().HasExtension(validate_pb2.message)
    }
    # covered by test_organization_name_is_required_... and test_an_audit_time_range_must_end_after_it_starts
    assert with_message_rules == {"SignUp", "ListAuditEvents"}


@pytest.mark.parametrize(
    "rpc, path, value, violation_field, rule_id", BAD_INPUT, ids=[f"{c[0]}.{c[1]}:{c[4]}" for c in BAD_INPUT]
)
async def test_bad_input_is_invalid_argument_naming_the_field(admin, rpc, path, value, violation_field, rule_id):
    request = with_field(VALID[rpc], path, value)

    error = await fails(Code.INVALID_ARGUMENT, getattr(admin.identity, rpc)(request))

    details = error_details(error)
    violations = details[validate_pb2.Violations].violations
    bad_request = details[error_details_pb2.BadRequest]
    assert [v.field for v in bad_request.field_violations] == [violation_field]
    assert all(v.description for v in bad_request.field_violations)
    assert [v.rule_id for v in violations] == [rule_id]
    assert [e.field_name for e in violations[0].field.elements] == violation_field.split("[")[0].split(".")


def test_valid_requests_of_the_bad_input_table_pass_validation():
    import protovalidate

    validator = protovalidate.Validator()
    for rpc, request in VALID.items():
        assert not validator.collect_violations(request), rpc


async def test_invalid_sign_up_changes_nothing(connect, database_url):
    email = unique_email("invalid")
    request = pb.SignUpRequest(
        email=email, password=PASSWORD, display_name="A", account_type=WORKER, locale="not a locale"
    )

    await fails(Code.INVALID_ARGUMENT, connect().identity.SignUp(request))

    assert await query(database_url, "SELECT id FROM users WHERE email = %s", email) == []


async def test_a_rotated_key_is_published_before_it_signs(database_url, master_keys):
    """Verifiers that cache the JWKS (the edge) learn a new key before any token uses it."""
    from services.runtime import datakeys
    from services.runtime.db import Database

    schema = f"identity_ahead_{uuid.uuid4().hex[:8]}"
    await migrate(database_url, schema, [("runtime", RUNTIME_MIGRATIONS), ("identity", IDENTITY_SPEC.migrations)])
    db = Database(database_url, schema)
    await db.open()
    try:
        cipher = await datakeys.load_cipher(db, master_keys)
        first, upcoming = signing.SigningKey.generate(), signing.SigningKey.generate()
        async with db.transaction() as conn:
            await store.insert_signing_key(conn, cipher, first)
            await store.insert_signing_key(conn, cipher, upcoming, publish_ahead_seconds=3600)
        async with db.connection() as conn:
            assert (await store.current_signing_key(conn, cipher)).kid == first.kid
            assert [k["kid"] for k in await store.published_keys(conn)] == [upcoming.kid, first.kid]
            await conn.execute(
                "UPDATE signing_keys SET active_from = clock_timestamp() WHERE kid = %s", (upcoming.kid,)
            )
            assert (await store.current_signing_key(conn, cipher)).kid == upcoming.kid
            assert [k["kid"] for k in await store.published_keys(conn)] == [upcoming.kid, first.kid]
    finally:
        await db.close()
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
