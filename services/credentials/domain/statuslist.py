"""W3C Bitstring Status Lists: one bit per credential, per purpose.

A list has at least 131,072 entries (16 KiB), the spec's minimum for herd
privacy. `encodedList` is the multibase base64url (`u`, no padding) of the
GZIP-compressed bitstring; index 0 is the most significant bit of the first
byte. Indexes are handed out in a scattered order (an odd multiplier modulo
the power-of-two size is a permutation), so neighbouring credentials do not
sit on neighbouring bits.
"""

from __future__ import annotations

import base64
import gzip
from typing import Any

from services.credentials.domain.contexts import VC_V2

LIST_SIZE = 131_072  # 2**17 bits
_SCATTER = 40_503  # odd: i -> i * _SCATTER mod 2**17 is a permutation
PURPOSES = ("revocation", "suspension")


class StatusListError(ValueError):
    """A status list or entry that cannot be used."""


def index_for(sequence: int) -> int:
    """The bit for the `sequence`-th credential of a list (a permutation of 0..LIST_SIZE-1)."""
    if not 0 <= sequence < LIST_SIZE:
        raise StatusListError("the status list is full")
    return (sequence * _SCATTER) % LIST_SIZE


def empty() -> bytearray:
    return bytearray(LIST_SIZE // 8)


def set_bit(bits: bytearray, index: int, value: bool) -> None:
    byte, offset = divmod(index, 8)
    mask = 0x80 >> offset
    bits[byte] = bits[byte] | mask if value else bits[byte] & ~mask


def get_bit(bits: bytes, index: int) -> bool:
    byte, offset = divmod(index, 8)
    if byte >= len(bits):
        raise StatusListError(f"index {index} is outside the list ({len(bits) * 8} entries)")
    return bool(bits[byte] & (0x80 >> offset))


def encode(bits: bytes) -> str:
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode(encoded: str) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url (starting with 'u')")
    body = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError):
        raise StatusListError("encodedList is not a GZIP-compressed bitstring") from None


def entry(list_url: str, purpose: str, index: int) -> dict[str, Any]:
    """A `BitstringStatusListEntry` for a credential's `credentialStatus`."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(list_url: str, issuer: str, purpose: str, bits: bytes, valid_from: str) -> dict[str, Any]:
    """The unsigned `BitstringStatusListCredential` for a list."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(bits),
        },
    }


def parse_entry(value: Any) -> tuple[str, str, int]:
    """(list URL, purpose, index) of a `BitstringStatusListEntry`."""
    if not isinstance(value, dict) or value.get("type") != "BitstringStatusListEntry":
        raise StatusListError("credentialStatus is not a BitstringStatusListEntry")
    url, purpose, index = value.get("statusListCredential"), value.get("statusPurpose"), value.get("statusListIndex")
    if not isinstance(url, str) or not url:
        raise StatusListError("statusListCredential is missing")
    if not isinstance(purpose, str) or not purpose:
        raise StatusListError("statusPurpose is missing")
    if not isinstance(index, str) or not index.isdigit() or len(index) > 9:
        raise StatusListError("statusListIndex must be a decimal string")
    return url, purpose, int(index)


def status_of(list_credential_json: dict[str, Any], purpose: str, index: int) -> bool:
    """The bit at `index` of a (verified) status list credential of `purpose`."""
    subject = list_credential_json.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("not a BitstringStatusListCredential")
    if subject.get("statusPurpose") != purpose:
        raise StatusListError(f"the list is for {subject.get('statusPurpose')!r}, not {purpose!r}")
    return get_bit(decode(subject.get("encodedList", "")), index)
