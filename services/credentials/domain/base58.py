"""Multibase base58btc (`z…`), as the Data Integrity and Multikey specifications use it.

Written here because py-multibase 2.0 drops leading zero bytes: base58btc writes each
leading 0x00 byte as a `1`, and without them a signature whose first byte is zero (one in
256) encodes as 63 bytes, which no verifier accepts (ours included).
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    """Base58btc (Bitcoin alphabet), each leading zero byte as `1`."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(ALPHABET[rest])
    return "1" * zeros + "".join(reversed(digits))


def decode(text: str) -> bytes:
    """The bytes of a base58btc string; ValueError on a character outside the alphabet."""
    number = 0
    for char in text:
        value = _VALUE.get(char)
        if value is None:
            raise ValueError(f"{char!r} is not a base58btc character")
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """`z` + base58btc."""
    return "z" + encode(data)


def multibase_decode(value: str) -> bytes:
    """The bytes of a multibase base58btc value; ValueError unless it is one."""
    if not value.startswith("z"):
        raise ValueError("multibase base58btc starts with 'z'")
    return decode(value[1:])
