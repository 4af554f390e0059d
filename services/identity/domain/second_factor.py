"""TOTP second factor (RFC 6238 via pyotp) and single-use recovery codes.

- The secret is 160 random bits (base32), shown once at enrolment; identity
  stores it encrypted with its field cipher. The factor is on only after a
  code from the authenticator confirms the enrolment.
- A code is accepted for the current 30-second step and one step either
  side (clock drift), and never for a step at or before the last accepted
  one, so a code seen over someone's shoulder cannot be replayed.
- Ten recovery codes of 80 random bits each (`xxxx-xxxx-xxxx-xxxx`, base32
  lower-case), stored as SHA-256 hashes (80 bits are beyond brute force),
  each usable once. Typing them with or without dashes or in capitals works.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from dataclasses import dataclass

import pyotp

ISSUER_NAME = "iWORKZ"
RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30
DRIFT_STEPS = 1
_TOTP_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER_NAME)


def looks_like_totp(code: str) -> bool:
    return bool(_TOTP_CODE.match(code.strip()))


@dataclass(frozen=True)
class TotpMatch:
    step: int  # the 30-second step the code belongs to; store it as the last used one


def match_totp(secret: str, code: str, last_step: int, now: float | None = None) -> TotpMatch | None:
    """The step `code` is valid for (around now, after `last_step`), or None."""
    code = code.strip()
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > last_step and secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return TotpMatch(step)
    return None


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 16 characters
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def normalize_recovery_code(code: str) -> str:
    compact = re.sub(r"[\s-]", "", code).lower()
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def recovery_code_hash(code: str) -> bytes:
    return hashlib.sha256(normalize_recovery_code(code).encode()).digest()
