"""Identity's domain rules, without a network or a database."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from argon2 import PasswordHasher

from services.identity.domain import apikeys, passwords, sessions, signing
from services.identity.domain.sessions import RefreshDecision, StoredRefreshToken
from services.identity.domain.throttle import ThrottlePolicy, client_address
from services.runtime.errors import InvalidArgument

# --- passwords ---------------------------------------------------------------


def test_password_hash_is_argon2id_and_verifies():
    stored = passwords.hash_password("correct horse battery staple")

    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert passwords.verify_password(stored, "correct horse battery staple")
    assert not passwords.verify_password(stored, "correct horse battery stapler")
    assert not passwords.needs_rehash(stored)


def test_same_password_hashes_differently_each_time():
    assert passwords.hash_password("same password!") != passwords.hash_password("same password!")


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$v=19$broken"])
def test_missing_or_malformed_hash_never_verifies(stored):
    assert not passwords.verify_password(stored, "iworkz-no-such-account")


def test_weaker_hash_needs_rehash():
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("pw")

    assert passwords.needs_rehash(weak)
    assert passwords.verify_password(weak, "pw")


# --- signing keys and access tokens ------------------------------------------------


def rfc7638_thumbprint(jwk: dict) -> str:
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


def test_key_id_is_the_rfc7638_thumbprint_of_the_public_key():
    key = signing.SigningKey.generate()

    jwk = key.public_jwk()

    assert key.kid == rfc7638_thumbprint(jwk)
    assert {k: jwk[k] for k in ("kty", "crv", "alg", "use", "kid")} == {
        "kty": "EC",
        "crv": "P-256",
        "alg": "ES256",
        "use": "sig",
        "kid": key.kid,
    }
    assert "d" not in jwk  # public part only
    assert signing.SigningKey.generate().kid != key.kid


def decode(key: signing.SigningKey, token: str) -> dict:
    return jwt.decode(
        token, jwt.PyJWK(key.public_jwk()), algorithms=["ES256"], audience=signing.AUDIENCE, issuer=signing.ISSUER
    )


def test_access_token_carries_the_callers_claims():
    key = signing.SigningKey.generate()

    token = signing.issue_access_token(key, "u-1", ["worker", "employer"], "org-9")

    claims = decode(key, token)
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": key.kid, "typ": "JWT"}
    assert claims["sub"] == "u-1"
    assert claims["roles"] == ["employer", "worker"]
    assert claims["org"] == "org-9"
    assert claims["typ"] == "user"
    assert claims["exp"] - claims["iat"] == signing.ACCESS_TOKEN_SECONDS == 900
    assert claims["nbf"] == claims["iat"]
    assert claims["jti"] != decode(key, signing.issue_access_token(key, "u-1", []))["jti"]


def test_access_token_without_organization_has_no_org_claim():
    key = signing.SigningKey.generate()

    claims = decode(key, signing.issue_access_token(key, "k-1", ["partner"], kind="api_key"))

    assert "org" not in claims
    assert claims["typ"] == "api_key"


def test_access_token_expires_after_its_ttl():
    key = signing.SigningKey.generate()
    token = signing.issue_access_token(key, "u-1", [], now=1_000_000, ttl=60)

    with pytest.raises(jwt.ExpiredSignatureError):
        decode(key, token)
    assert jwt.decode(token, options={"verify_signature": False})["exp"] == 1_000_060


def test_access_token_does_not_verify_with_another_key():
    token = signing.issue_access_token(signing.SigningKey.generate(), "u-1", [])

    with pytest.raises(jwt.InvalidSignatureError):
        decode(signing.SigningKey.generate(), token)


# --- refresh-token decisions ---------------------------------------------------------

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
EARLIER = NOW - timedelta(minutes=1)


def stored(expires_at=LATER, used_at=None, revoked_at=None) -> StoredRefreshToken:
    return StoredRefreshToken("family", "user", expires_at, used_at, revoked_at)


@pytest.mark.parametrize(
    "token, decision",
    [
        (None, RefreshDecision.UNKNOWN),
        (stored(), RefreshDecision.ROTATE),
        (stored(used_at=EARLIER), RefreshDecision.REUSE),
        (stored(revoked_at=EARLIER), RefreshDecision.REVOKED),
        (stored(used_at=EARLIER, revoked_at=EARLIER), RefreshDecision.REUSE),
        (stored(expires_at=EARLIER), RefreshDecision.EXPIRED),
        (stored(expires_at=NOW), RefreshDecision.EXPIRED),
        (stored(expires_at=EARLIER, used_at=EARLIER), RefreshDecision.REUSE),
        (stored(expires_at=EARLIER, revoked_at=EARLIER), RefreshDecision.REVOKED),
    ],
    ids=[
        "unknown",
        "valid",
        "used",
        "revoked",
        "used-and-revoked",
        "expired",
        "expires-now",
        "used-and-expired",
        "revoked-and-expired",
    ],
)
def test_refresh_decision(token, decision):
    assert sessions.decide(token, now=NOW) is decision


def test_refresh_tokens_are_random_and_stored_as_sha256():
    first, second = sessions.new_refresh_token(), sessions.new_refresh_token()

    assert first != second and first.startswith("rt_") and len(first) > 40
    assert sessions.token_hash(first) == hashlib.sha256(first.encode()).digest()
    assert sessions.token_hash(first) != sessions.token_hash(second)


# --- login throttling --------------------------------------------------------------


@pytest.mark.parametrize(
    "peer, address",
    [
        ("ipv4:203.0.113.7:51234", "203.0.113.7"),
        ("ipv6:[::1]:51234", "::1"),
        ("ipv6:[2001:db8::7]:443", "2001:db8::7"),
        ("198.51.100.4", "198.51.100.4"),
        ("198.51.100.4, 10.0.0.1, 10.0.0.2", "198.51.100.4"),
        ("", "unknown"),
    ],
)
def test_client_address(peer, address):
    assert client_address(peer) == address


@pytest.mark.parametrize(
    "per_account, per_address, blocked",
    [
        (0, 0, False),
        (4, 19, False),
        (5, 0, True),
        (0, 20, True),
    ],
)
def test_throttle_policy(per_account, per_address, blocked):
    assert ThrottlePolicy().blocked(per_account, per_address) is blocked


# --- API keys ----------------------------------------------------------------------


def test_api_key_secret_starts_with_its_prefix():
    secret, prefix = apikeys.new_secret()
    other, other_prefix = apikeys.new_secret()

    assert secret.startswith(f"iwk_{prefix}_")
    assert len(prefix) == 8 and len(secret) > 40
    assert (other, other_prefix) != (secret, prefix)


@pytest.mark.parametrize("org_type, roles", [("employer", {"employer"}), ("issuer", {"issuer"})])
def test_organizations_key_their_own_role(org_type, roles):
    apikeys.check_roles(org_type, roles)


@pytest.mark.parametrize(
    "org_type, roles",
    [
        ("employer", {"issuer"}),
        ("employer", {"employer", "admin"}),
        ("issuer", {"employer"}),
        ("school", {"issuer"}),
    ],
)
def test_keys_may_not_carry_other_roles(org_type, roles):
    with pytest.raises(InvalidArgument) as caught:
        apikeys.check_roles(org_type, roles)

    assert [v.field for v in caught.value.violations] == ["api_key.roles"]


# --- account safety ------------------------------------------------------------------


def test_common_passwords_and_their_dressed_up_forms_are_refused():
    from services.identity.domain.common_passwords import common_passwords, is_common

    assert len(common_passwords()) > 25_000  # zxcvbn's list, as installed
    for password in ("password", "Password1234!", "qwertyqwerty", "iloveyouiloveyou", "123456789012", "!!dragon2024"):
        assert is_common(password), password
    for password in ("correct horse battery staple", "Sakura-Tokyo-2026!", "my-secret-passphrase-9"):
        assert not is_common(password), password


def test_account_tokens_work_once_for_their_purpose_until_they_expire():
    from datetime import UTC, datetime, timedelta

    from services.identity.domain.account_tokens import (
        LIFETIME,
        Purpose,
        StoredToken,
        TokenState,
        check,
        new_token,
    )

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert LIFETIME[Purpose.RESET_PASSWORD] == timedelta(minutes=30)
    assert new_token(Purpose.RESET_PASSWORD) != new_token(Purpose.RESET_PASSWORD)
    fresh = StoredToken("u", Purpose.RESET_PASSWORD, now + timedelta(minutes=30), None)
    assert check(fresh, Purpose.RESET_PASSWORD, now) is TokenState.VALID
    assert check(fresh, Purpose.VERIFY_EMAIL, now) is TokenState.UNKNOWN  # a reset token verifies nothing
    assert check(fresh, Purpose.RESET_PASSWORD, now + timedelta(minutes=30)) is TokenState.EXPIRED
    used = StoredToken("u", Purpose.RESET_PASSWORD, now + timedelta(minutes=30), now)
    assert check(used, Purpose.RESET_PASSWORD, now) is TokenState.USED
    assert check(None, Purpose.RESET_PASSWORD, now) is TokenState.UNKNOWN


def test_totp_codes_match_around_now_and_never_twice():
    import pyotp

    from services.identity.domain import second_factor

    secret = second_factor.new_secret()
    now = 1_800_000_000.0
    step = int(now // 30)
    code = pyotp.TOTP(secret).at(now)
    assert second_factor.match_totp(secret, code, 0, now).step == step
    assert second_factor.match_totp(secret, code, step, now) is None  # already used
    assert second_factor.match_totp(secret, pyotp.TOTP(secret).at(now - 30), 0, now).step == step - 1  # drift
    assert second_factor.match_totp(secret, pyotp.TOTP(secret).at(now - 90), 0, now) is None
    assert second_factor.match_totp(secret, "12345", 0, now) is None


def test_recovery_codes_are_random_and_typed_loosely():
    from services.identity.domain import second_factor

    codes = second_factor.new_recovery_codes()
    assert len(set(codes)) == 10 and all(len(c) == 19 and c.count("-") == 3 for c in codes)
    code = codes[0]
    assert second_factor.recovery_code_hash(code.upper().replace("-", " ")) == second_factor.recovery_code_hash(code)
    assert second_factor.recovery_code_hash(codes[1]) != second_factor.recovery_code_hash(code)
