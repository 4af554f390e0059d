"""Account safety over real gRPC, PostgreSQL and Redis: email verification,
password reset, sessions, the TOTP second factor, common passwords, audit.

Tokens that identity emails are read from its outbox events, as notifications
reads them (the email itself is checked end to end in tests/edge).
"""

from __future__ import annotations

import time

import pyotp
import pytest
from google.rpc import error_details_pb2

from iworkz.identity.v1 import events_pb2
from iworkz.identity.v1 import identity_pb2 as pb
from services.identity.domain.sessions import token_hash
from services.identity.tests.test_identity_service import (
    EMPLOYER,
    PASSWORD,
    WORKER,
    Code,
    add_member,
    error_details,
    fails,
    get_user,
    log_in,
    outbox_events,
    query,
    refresh,
    resource_id,
    sign_up,
    unique_email,
    verified_claims,
)

NEW_PASSWORD = "a quite different phrase 2026"


async def audit(database_url: str, target: str) -> list[tuple[str, str]]:
    """(actor, action) of the audit entries about `target` or a resource under it, oldest first."""
    rows = await query(
        database_url,
        "SELECT actor, action FROM audit_log WHERE target = %s OR starts_with(target, %s) ORDER BY id",
        target,
        target + "/",
    )
    return [(r["actor"], r["action"]) for r in rows]


async def token_of(database_url: str, event_type, user_name: str) -> str:
    return (await outbox_events(database_url, event_type, resource_id(user_name)))[-1].token


# --- email verification -------------------------------------------------------------------


async def test_sign_up_sends_a_verification_token_that_verifies_the_email_once(connect, database_url):
    client, response = await sign_up(connect)
    name = response.user.name
    assert response.user.email_verified is False
    [event] = await outbox_events(database_url, events_pb2.EmailVerificationRequested, resource_id(name))
    assert event.user == name and event.token.startswith("evt_")
    assert 23 * 3600 < event.expire_time.seconds - time.time() <= 24 * 3600
    # Only the hash is kept.
    rows = await query(database_url, "SELECT token_hash FROM account_tokens WHERE user_id = %s", resource_id(name))
    assert [bytes(r["token_hash"]) for r in rows] == [token_hash(event.token)]

    verified = await connect().identity.VerifyEmail(pb.VerifyEmailRequest(token=event.token))

    assert verified.user.name == name and verified.user.email_verified
    assert (await get_user(client, name)).user.email_verified
    error = await fails(Code.UNAUTHENTICATED, connect().identity.VerifyEmail(pb.VerifyEmailRequest(token=event.token)))
    assert "already used" in error.details()
    await fails(Code.UNAUTHENTICATED, connect().identity.VerifyEmail(pb.VerifyEmailRequest(token="evt_forged")))
    assert await audit(database_url, name) == [(name, "email_verification_sent"), (name, "email_verified")]


async def test_an_unverified_user_signs_in_and_works_but_cannot_be_made_a_member(connect, database_url):
    owner, employer = await sign_up(connect, EMPLOYER)
    _, worker = await sign_up(connect, WORKER)
    client, _ = await log_in(connect, worker.user.email)
    assert (await get_user(client, worker.user.name)).user.email_verified is False

    await fails(Code.FAILED_PRECONDITION, add_member(owner, employer.organization.name, worker.user.email))

    token = await token_of(database_url, events_pb2.EmailVerificationRequested, worker.user.name)
    await connect().identity.VerifyEmail(pb.VerifyEmailRequest(token=token))
    await add_member(owner, employer.organization.name, worker.user.email)


async def test_resending_replaces_the_token_once_a_minute_and_only_for_oneself(connect, database_url):
    client, response = await sign_up(connect)
    name = response.user.name
    first = await token_of(database_url, events_pb2.EmailVerificationRequested, name)
    other, _ = await sign_up(connect)

    await fails(
        Code.PERMISSION_DENIED, other.identity.ResendVerificationEmail(pb.ResendVerificationEmailRequest(name=name))
    )
    await client.identity.ResendVerificationEmail(pb.ResendVerificationEmailRequest(name=name))
    error = await fails(
        Code.RESOURCE_EXHAUSTED, client.identity.ResendVerificationEmail(pb.ResendVerificationEmailRequest(name=name))
    )
    assert error_details(error)[error_details_pb2.RetryInfo].retry_delay.seconds >= 1

    second = await token_of(database_url, events_pb2.EmailVerificationRequested, name)
    assert second != first
    await fails(Code.UNAUTHENTICATED, connect().identity.VerifyEmail(pb.VerifyEmailRequest(token=first)))
    await connect().identity.VerifyEmail(pb.VerifyEmailRequest(token=second))
    await fails(
        Code.FAILED_PRECONDITION,
        client.identity.ResendVerificationEmail(pb.ResendVerificationEmailRequest(name=name)),
    )


# --- password reset -------------------------------------------------------------------------


def request_reset(connect, email: str):
    return connect().identity.RequestPasswordReset(pb.RequestPasswordResetRequest(email=email))


def reset(connect, token: str, password: str = NEW_PASSWORD):
    return connect().identity.ResetPassword(pb.ResetPasswordRequest(token=token, new_password=password))


async def test_password_reset_sets_a_new_password_once_and_signs_out_everywhere(connect, database_url):
    _, response = await sign_up(connect)
    name, email = response.user.name, response.user.email
    signed_in, session = await log_in(connect, email)

    answer = await request_reset(connect, email.upper())

    assert answer == pb.RequestPasswordResetResponse()
    [event] = await outbox_events(database_url, events_pb2.PasswordResetRequested, resource_id(name))
    assert event.token.startswith("prt_") and 29 * 60 < event.expire_time.seconds - time.time() <= 30 * 60
    await reset(connect, event.token)

    # The old password and every session are gone; the new password works; the link worked once.
    await fails(Code.UNAUTHENTICATED, connect().login(email, PASSWORD))
    await fails(Code.UNAUTHENTICATED, refresh(connect(), session.tokens.refresh_token))
    await fails(Code.UNAUTHENTICATED, refresh(connect(), response.tokens.refresh_token))
    await fails(Code.UNAUTHENTICATED, get_user(signed_in, name))  # its access token too, at once
    await connect().login(email, NEW_PASSWORD)
    error = await fails(Code.UNAUTHENTICATED, reset(connect, event.token, "yet another long phrase 77"))
    assert "already used" in error.details()
    # Following the emailed link proved the address.
    assert (await connect().login(email, NEW_PASSWORD)).user.email_verified
    [changed] = await outbox_events(database_url, events_pb2.PasswordChanged, resource_id(name))
    assert changed.user == name
    assert await audit(database_url, name) == [
        (name, "email_verification_sent"),
        ("anonymous", "password_reset_requested"),
        (name, "password_reset"),
    ]


async def test_reset_answers_alike_for_unknown_emails_and_sends_nothing(connect, database_url):
    _, response = await sign_up(connect)
    ghost = unique_email("ghost")

    known = await request_reset(connect, response.user.email)
    unknown = await request_reset(connect, ghost)

    assert known.SerializeToString() == unknown.SerializeToString() == b""
    rows = await query(
        database_url,
        "SELECT count(*) AS n FROM outbox WHERE event_type = %s AND aggregate_id = %s",
        events_pb2.PasswordResetRequested.DESCRIPTOR.full_name,
        resource_id(response.user.name),
    )
    assert rows[0]["n"] == 1
    assert await query(database_url, "SELECT 1 FROM users WHERE email = %s", ghost) == []


async def test_a_reset_token_expires_after_30_minutes(connect, database_url):
    _, response = await sign_up(connect)
    await request_reset(connect, response.user.email)
    token = await token_of(database_url, events_pb2.PasswordResetRequested, response.user.name)
    rows = await query(
        database_url,
        "SELECT expires_at - created_at AS lifetime FROM account_tokens WHERE token_hash = %s",
        token_hash(token),
    )
    assert rows[0]["lifetime"].total_seconds() == pytest.approx(30 * 60, abs=1)
    # Thirty minutes on: the test cannot wait, so it ages the token the way time would.
    import psycopg

    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, options="-c search_path=identity"
    ) as conn:
        await conn.execute(
            "UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = %s",
            (token_hash(token),),
        )

    error = await fails(Code.UNAUTHENTICATED, reset(connect, token))
    assert "expired" in error.details()
    await connect().login(response.user.email, PASSWORD)


async def test_a_newer_reset_link_replaces_older_ones_and_requests_are_capped(connect, database_url):
    _, response = await sign_up(connect)
    email, name = response.user.email, response.user.name
    for _ in range(5):
        await request_reset(connect, email)
    events = await outbox_events(database_url, events_pb2.PasswordResetRequested, resource_id(name))
    assert len(events) == 3  # at most three emails per 15 minutes
    await fails(Code.UNAUTHENTICATED, reset(connect, events[0].token))
    await reset(connect, events[-1].token)


async def test_common_passwords_are_refused_at_sign_up_and_reset(connect, database_url):
    email = unique_email("common")
    for common in ("password1234", "Qwerty123456!", "iloveyouiloveyou", "123456789012"):
        error = await fails(
            Code.INVALID_ARGUMENT,
            connect().identity.SignUp(
                pb.SignUpRequest(email=email, password=common, display_name="A", account_type=WORKER, locale="en")
            ),
        )
        violations = error_details(error)[error_details_pb2.BadRequest].field_violations
        assert [v.field for v in violations] == ["password"], common
    assert await query(database_url, "SELECT 1 FROM users WHERE email = %s", email) == []

    _, response = await sign_up(connect)
    await request_reset(connect, response.user.email)
    token = await token_of(database_url, events_pb2.PasswordResetRequested, response.user.name)
    error = await fails(Code.INVALID_ARGUMENT, reset(connect, token, "sunshine2024!!"))
    assert [v.field for v in error_details(error)[error_details_pb2.BadRequest].field_violations] == ["new_password"]
    await reset(connect, token)  # the refused attempt did not use the link up


# --- sessions -------------------------------------------------------------------------------


async def test_sessions_list_devices_and_sign_out_one_or_everywhere(connect, database_url):
    phone, response = await sign_up(connect)
    name, email = response.user.name, response.user.email
    laptop, _ = await log_in(connect, email)
    tablet, tablet_login = await log_in(connect, email)

    listed = (await laptop.identity.ListSessions(pb.ListSessionsRequest(parent=name))).sessions

    assert len(listed) == 3
    assert all(s.name.startswith(f"{name}/sessions/") and s.user_agent for s in listed)
    assert all(s.client_address for s in listed)
    [current] = [s for s in listed if s.current]
    _, claims = await verified_claims(laptop, await laptop.access_token())
    assert current.name.endswith(claims["sid"])
    tablet_sid = (await verified_claims(tablet, tablet_login.tokens.access_token))[1]["sid"]
    [tablet_session] = [s for s in listed if s.name.endswith(tablet_sid)]

    await laptop.identity.RevokeSession(pb.RevokeSessionRequest(name=tablet_session.name))

    await fails(Code.UNAUTHENTICATED, refresh(connect(), tablet_login.tokens.refresh_token))
    # Its access token is refused at once, not when it expires; the others still work.
    await fails(Code.UNAUTHENTICATED, get_user(tablet, name))
    await get_user(phone, name)
    assert len((await laptop.identity.ListSessions(pb.ListSessionsRequest(parent=name))).sessions) == 2
    await fails(Code.NOT_FOUND, laptop.identity.RevokeSession(pb.RevokeSessionRequest(name=tablet_session.name)))

    # Everywhere but here, then everywhere.
    kept = await laptop.identity.RevokeAllSessions(pb.RevokeAllSessionsRequest(parent=name, keep_current=True))
    assert kept.revoked_count == 1
    [left] = (await laptop.identity.ListSessions(pb.ListSessionsRequest(parent=name))).sessions
    assert left.current
    await fails(Code.UNAUTHENTICATED, refresh(connect(), response.tokens.refresh_token))
    await fails(Code.UNAUTHENTICATED, get_user(phone, name))
    await get_user(laptop, name)
    everywhere = await laptop.identity.RevokeAllSessions(pb.RevokeAllSessionsRequest(parent=name))
    assert everywhere.revoked_count == 1
    await fails(Code.UNAUTHENTICATED, laptop.identity.ListSessions(pb.ListSessionsRequest(parent=name)))
    fresh, _ = await log_in(connect, email)
    [only] = (await fresh.identity.ListSessions(pb.ListSessionsRequest(parent=name))).sessions
    assert only.current  # a new sign-in is a new session, not refused
    actions = [a for _, a in await audit(database_url, name)]
    assert actions[-3:] == ["revoke_session", "revoke_all_sessions", "revoke_all_sessions"]


async def test_sessions_are_the_owners_alone(connect):
    _, alice = await sign_up(connect)
    mallory, _ = await sign_up(connect)
    session = (await connect().login(alice.user.email, PASSWORD)).tokens
    client, _ = await log_in(connect, alice.user.email)
    [first, *_] = (await client.identity.ListSessions(pb.ListSessionsRequest(parent=alice.user.name))).sessions

    await fails(Code.PERMISSION_DENIED, mallory.identity.ListSessions(pb.ListSessionsRequest(parent=alice.user.name)))
    await fails(Code.PERMISSION_DENIED, mallory.identity.RevokeSession(pb.RevokeSessionRequest(name=first.name)))
    await fails(
        Code.PERMISSION_DENIED,
        mallory.identity.RevokeAllSessions(pb.RevokeAllSessionsRequest(parent=alice.user.name)),
    )
    await fails(Code.UNAUTHENTICATED, connect().identity.ListSessions(pb.ListSessionsRequest(parent=alice.user.name)))
    await refresh(connect(), session.refresh_token)  # nothing was revoked


# --- TOTP second factor -----------------------------------------------------------------------


def code_for(secret: str, at: float | None = None) -> str:
    return pyotp.TOTP(secret).at(at if at is not None else time.time())


async def enrolled(client, name: str) -> tuple[str, list[str]]:
    """Turn TOTP on for `name`; (secret, recovery codes)."""
    started = await client.identity.EnrollTotp(pb.EnrollTotpRequest(name=name))
    confirmed = await client.identity.ConfirmTotp(pb.ConfirmTotpRequest(name=name, code=code_for(started.secret)))
    return started.secret, list(confirmed.recovery_codes)


async def test_totp_enrolment_needs_a_confirming_code(connect, database_url):
    client, response = await sign_up(connect)
    name = response.user.name

    started = await client.identity.EnrollTotp(pb.EnrollTotpRequest(name=name))

    assert started.provisioning_uri.startswith("otpauth://totp/iWORKZ:") and started.secret in started.provisioning_uri
    # Not on until confirmed: login still gives tokens.
    assert (await connect().login(response.user.email, PASSWORD)).HasField("tokens")
    wrong = str((int(code_for(started.secret)) + 1) % 1_000_000).zfill(6)
    error = await fails(
        Code.INVALID_ARGUMENT, client.identity.ConfirmTotp(pb.ConfirmTotpRequest(name=name, code=wrong))
    )
    assert [v.field for v in error_details(error)[error_details_pb2.BadRequest].field_violations] == ["code"]
    confirmed = await client.identity.ConfirmTotp(pb.ConfirmTotpRequest(name=name, code=code_for(started.secret)))

    codes = list(confirmed.recovery_codes)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert (await get_user(client, name)).user.totp_enabled
    # The secret is stored encrypted, the recovery codes hashed.
    [row] = await query(database_url, "SELECT totp_secret FROM users WHERE id = %s", resource_id(name))
    assert started.secret.encode() not in bytes(row["totp_secret"])
    stored = await query(database_url, "SELECT code_hash FROM recovery_codes WHERE user_id = %s", resource_id(name))
    assert len(stored) == 10 and all(c.encode() not in bytes(r["code_hash"]) for r in stored for c in codes)
    await fails(Code.FAILED_PRECONDITION, client.identity.EnrollTotp(pb.EnrollTotpRequest(name=name)))
    assert [a for _, a in await audit(database_url, name)][-2:] == ["totp_enrolment_started", "totp_enabled"]


async def test_login_with_totp_is_a_challenge_then_a_code_never_replayed(connect, database_url):
    client, response = await sign_up(connect)
    name, email = response.user.name, response.user.email
    secret, _ = await enrolled(client, name)

    step_one = await connect().login(email, PASSWORD)

    assert not step_one.HasField("tokens") and step_one.second_factor.challenge
    assert not step_one.HasField("user")  # nothing about the account before the second factor
    wrong = str((int(code_for(secret)) + 500_000) % 1_000_000).zfill(6)
    await fails(Code.UNAUTHENTICATED, connect().verify_second_factor(step_one.second_factor.challenge, wrong))
    # A code from three minutes ago is no good either.
    await fails(
        Code.UNAUTHENTICATED,
        connect().verify_second_factor(step_one.second_factor.challenge, code_for(secret, time.time() - 180)),
    )
    # The enrolment's code was used: wait for the next 30-second step (a fresh code).
    code = code_for(secret)
    rows = await query(database_url, "SELECT totp_last_step FROM users WHERE id = %s", resource_id(name))
    while int(time.time() // 30) <= rows[0]["totp_last_step"]:
        time.sleep(0.5)
        code = code_for(secret)
    user = connect()
    done = await user.verify_second_factor(step_one.second_factor.challenge, code)
    assert done.tokens.access_token and done.tokens.refresh_token
    assert (await get_user(user, name)).user.name == name  # the tokens work

    # The challenge was used up; the same code cannot open a new challenge.
    await fails(Code.UNAUTHENTICATED, connect().verify_second_factor(step_one.second_factor.challenge, code))
    again = await connect().login(email, PASSWORD)
    await fails(Code.UNAUTHENTICATED, connect().verify_second_factor(again.second_factor.challenge, code))
    actions = [a for _, a in await audit(database_url, name)]
    assert actions.count("second_factor_failed") == 3 and "login_second_factor" in actions


async def test_a_challenge_ends_after_five_wrong_codes(connect):
    client, response = await sign_up(connect)
    secret, _ = await enrolled(client, response.user.name)
    challenge = (await connect().login(response.user.email, PASSWORD)).second_factor.challenge
    wrong = str((int(code_for(secret)) + 500_000) % 1_000_000).zfill(6)
    for _ in range(5):
        await fails(Code.UNAUTHENTICATED, connect().verify_second_factor(challenge, wrong))
    error = await fails(Code.UNAUTHENTICATED, connect().verify_second_factor(challenge, "aaaa-bbbb-cccc-dddd"))
    assert "log in again" in error.details()


async def test_recovery_codes_work_once_each_and_disable_totp(connect, database_url):
    client, response = await sign_up(connect)
    name, email = response.user.name, response.user.email
    _, codes = await enrolled(client, name)

    challenge = (await connect().login(email, PASSWORD)).second_factor.challenge
    done = await connect().verify_second_factor(challenge, codes[0].upper().replace("-", ""))
    assert done.recovery_codes_left == 9
    challenge = (await connect().login(email, PASSWORD)).second_factor.challenge
    await fails(Code.UNAUTHENTICATED, connect().verify_second_factor(challenge, codes[0]))

    await fails(Code.INVALID_ARGUMENT, client.identity.DisableTotp(pb.DisableTotpRequest(name=name, code=codes[0])))
    await client.identity.DisableTotp(pb.DisableTotpRequest(name=name, code=codes[1]))

    assert (await connect().login(email, PASSWORD)).HasField("tokens")
    assert not (await get_user(client, name)).user.totp_enabled
    assert await query(database_url, "SELECT 1 FROM recovery_codes WHERE user_id = %s", resource_id(name)) == []
    actions = [a for _, a in await audit(database_url, name)]
    assert "recovery_code_used" in actions and actions[-1] == "totp_disabled"


async def test_others_cannot_touch_a_second_factor_and_a_code_is_needed_to_remove_it(connect, admin, database_url):
    client, response = await sign_up(connect)
    name = response.user.name
    stranger, _ = await sign_up(connect)
    await fails(Code.PERMISSION_DENIED, stranger.identity.EnrollTotp(pb.EnrollTotpRequest(name=name)))
    await fails(Code.PERMISSION_DENIED, stranger.identity.DisableTotp(pb.DisableTotpRequest(name=name, code="123456")))
    await fails(Code.FAILED_PRECONDITION, client.identity.ConfirmTotp(pb.ConfirmTotpRequest(name=name, code="123456")))
    await fails(Code.FAILED_PRECONDITION, client.identity.DisableTotp(pb.DisableTotpRequest(name=name, code="123456")))
    secret, codes = await enrolled(client, name)

    # An admin passes the access rule (as everywhere) but, like the owner, needs a code to remove it.
    await fails(
        Code.INVALID_ARGUMENT,
        admin.identity.DisableTotp(
            pb.DisableTotpRequest(name=name, code="000000" if code_for(secret) != "000000" else "111111")
        ),
    )
    await admin.identity.DisableTotp(pb.DisableTotpRequest(name=name, code=codes[0]))

    assert not (await get_user(client, name)).user.totp_enabled
    [(actor, _)] = [e for e in await audit(database_url, name) if e[1] == "totp_disabled"]
    assert actor != name and actor.startswith("users/")  # the admin is on record
