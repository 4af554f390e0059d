"""Account safety through the real edge over REST/JSON, as the web and mobile apps call it.

Emails are read from the SMTP sink that notifications sends to: the links a
person would click carry the tokens.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from urllib.parse import parse_qs, urlparse

import pyotp
from edge_testing import PASSWORD, assert_error_shape, sign_up

NEW_PASSWORD = "a different long phrase 2026"
WAIT_SECONDS = (
    240.0  # late in a full run the email queue holds every earlier test's mail: generous, nothing asserts on speed
)


async def link_in_mail(smtp_sink, address: str, path: str, seen: int = 0) -> str:
    """The token of the link to `path` in the (`seen`+1)-th such email to `address`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        links = []
        for mail in smtp_sink.messages():
            if mail.to == address:
                links += [u for u in re.findall(r"https?://\S+", mail.text) if urlparse(u).path == path]
        if len(links) > seen:
            return parse_qs(urlparse(links[seen]).query)["token"][0]
        assert time.monotonic() < deadline, f"no email to {address} with a {path} link"
        await asyncio.sleep(0.1)


def bearer(tokens: dict) -> dict:
    return {"authorization": f"Bearer {tokens['accessToken']}"}


async def test_the_verification_email_link_verifies_the_address(rest, smtp_sink):
    worker = await sign_up(rest)
    assert worker["user"]["emailVerified"] is False

    token = await link_in_mail(smtp_sink, worker["email"], "/verify-email")
    verified = await rest.post("/v1/auth:verifyEmail", json={"token": token})

    assert verified.status_code == 200, verified.text
    assert verified.json()["user"]["emailVerified"] is True
    again = await rest.post("/v1/auth:verifyEmail", json={"token": token})
    assert_error_shape(again, 401, 16)
    resend = await rest.post(f"/v1/users/{worker['id']}:resendVerificationEmail", json={}, headers=worker["auth"])
    assert_error_shape(resend, 400, 9)  # FAILED_PRECONDITION: already verified


async def test_password_reset_by_email_link_signs_out_everywhere(rest, smtp_sink):
    worker = await sign_up(rest)
    email = worker["email"]

    known = await rest.post("/v1/auth:requestPasswordReset", json={"email": email})
    unknown = await rest.post("/v1/auth:requestPasswordReset", json={"email": f"ghost-{uuid.uuid4().hex}@example.com"})

    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json() == {}
    token = await link_in_mail(smtp_sink, email, "/reset-password")
    common = await rest.post("/v1/auth:resetPassword", json={"token": token, "newPassword": "Password123456"})
    body = assert_error_shape(common, 400, 3)
    assert [v["field"] for v in body["details"][0]["fieldViolations"]] == ["new_password"]

    reset = await rest.post("/v1/auth:resetPassword", json={"token": token, "newPassword": NEW_PASSWORD})

    assert reset.status_code == 200, reset.text
    refreshed = await rest.post("/v1/auth:refresh", json={"refreshToken": worker["tokens"]["refreshToken"]})
    assert_error_shape(refreshed, 401, 16)
    old = await rest.post("/v1/auth:login", json={"email": email, "password": PASSWORD})
    assert_error_shape(old, 401, 16)
    new = await rest.post("/v1/auth:login", json={"email": email, "password": NEW_PASSWORD})
    assert new.status_code == 200 and new.json()["user"]["emailVerified"] is True
    reused = await rest.post("/v1/auth:resetPassword", json={"token": token, "newPassword": "yet another phrase 99"})
    assert_error_shape(reused, 401, 16)


async def test_sessions_list_and_sign_out_everywhere(rest):
    worker = await sign_up(rest)
    login = await rest.post(
        "/v1/auth:login",
        json={"email": worker["email"], "password": PASSWORD},
        headers={"user-agent": "iWORKZ-test-phone/1.0"},
    )
    phone = bearer(login.json()["tokens"])

    listed = await rest.get(f"/v1/users/{worker['id']}/sessions", headers=phone)

    assert listed.status_code == 200, listed.text
    sessions = listed.json()["sessions"]
    assert len(sessions) == 2
    [current] = [s for s in sessions if s["current"]]
    assert current["userAgent"] == "iWORKZ-test-phone/1.0"
    other = await sign_up(rest)
    forbidden = await rest.get(f"/v1/users/{worker['id']}/sessions", headers=other["auth"])
    assert_error_shape(forbidden, 403, 7)

    everywhere = await rest.post(f"/v1/users/{worker['id']}/sessions:revokeAll", json={}, headers=phone)

    assert everywhere.status_code == 200 and everywhere.json()["revokedCount"] == 2
    for refresh_token in (worker["tokens"]["refreshToken"], login.json()["tokens"]["refreshToken"]):
        assert_error_shape(await rest.post("/v1/auth:refresh", json={"refreshToken": refresh_token}), 401, 16)


async def test_totp_second_factor_over_rest(rest):
    worker = await sign_up(rest)
    base = f"/v1/users/{worker['id']}"
    enrolled = await rest.post(f"{base}:enrollTotp", json={}, headers=worker["auth"])
    assert enrolled.status_code == 200, enrolled.text
    totp = pyotp.TOTP(enrolled.json()["secret"])
    confirmed = await rest.post(f"{base}:confirmTotp", json={"code": totp.now()}, headers=worker["auth"])
    assert confirmed.status_code == 200, confirmed.text
    recovery = confirmed.json()["recoveryCodes"]
    assert len(recovery) == 10

    step_one = await rest.post("/v1/auth:login", json={"email": worker["email"], "password": PASSWORD})

    assert step_one.status_code == 200, step_one.text
    challenge = step_one.json()["secondFactor"]["challenge"]
    assert step_one.json().get("tokens") is None
    done = await rest.post("/v1/auth:verifySecondFactor", json={"challenge": challenge, "code": recovery[0]})
    assert done.status_code == 200, done.text
    assert done.json()["recoveryCodesLeft"] == 9
    me = await rest.get(f"/v1/users/{worker['id']}", headers=bearer(done.json()["tokens"]))
    assert me.json()["user"]["totpEnabled"] is True
