"""Rejects passwords that are common, or a common password dressed up.

The list is the 30,000 most common passwords that the `zxcvbn` package ships
as data (`zxcvbn.frequency_lists`, from leaked-password corpora); nothing is
copied into this repository. Sign-up already demands 12 characters, which
few listed passwords have, so a password is also refused when it is a listed
one (4 characters or more) padded with digits and symbols
(`Password1234!`), or one short or listed unit repeated (`abcabcabcabc`, `iloveyouiloveyou`).
"""

from __future__ import annotations

import functools
import re

from zxcvbn.frequency_lists import FREQUENCY_LISTS

_PADDING = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$")
_MIN_CORE = 4


@functools.cache
def common_passwords() -> frozenset[str]:
    """The listed passwords, lower-cased."""
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def _repeats_a_short_unit(text: str) -> bool:
    """`text` is one unit over and over: a short one (`abcabc...`) or a listed one (`iloveyouiloveyou`)."""
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        if len(text) % size == 0 and text == unit * (len(text) // size):
            if size <= 6 or unit in common_passwords():
                return True
    return False


def is_common(password: str) -> bool:
    """True when `password` is common: listed, listed with padding, or a repeated unit."""
    lowered = password.strip().lower()
    listed = common_passwords()
    if lowered in listed or _repeats_a_short_unit(lowered):
        return True
    match = _PADDING.match(lowered)
    core = match.group(1) if match else lowered
    if len(core) >= _MIN_CORE and (core in listed or _repeats_a_short_unit(core)):
        return True
    # Only digits and symbols: a listed number sequence padded out (`123456789012`).
    return not core and any(lowered.startswith(p) for p in listed if len(p) >= 6 and not p.isalpha())


REASON = "is a commonly used password; choose a longer phrase of unrelated words"
