"""Whole files sealed with AES-256-GCM in chunks (backups).

A sealed file is a header — magic, version, key id, a random 8-byte file
nonce prefix — then chunks of at most `CHUNK` plaintext bytes, each stored as
its 4-byte length and its ciphertext with tag. Chunk `i` uses the nonce
`prefix || i` (96 bits) and the associated data `header || i || last`, so a
chunk cannot be reordered, dropped, or moved to another file, and a file cut
after any chunk fails (the last chunk is marked). Memory use is one chunk.

The key is a `fieldcrypt.MasterKey` (`id:base64-32-bytes`), from the
environment like the master keys.
"""

from __future__ import annotations

import hashlib
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.runtime.fieldcrypt import CryptoError, MasterKey

MAGIC = b"IWKZSEAL"
VERSION = 1
CHUNK = 1 << 20


def _header(key: MasterKey, prefix: bytes) -> bytes:
    kid = key.id.encode()
    return MAGIC + bytes([VERSION, len(kid)]) + kid + prefix


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def seal(source: BinaryIO, target: BinaryIO, key: MasterKey) -> str:
    """Encrypt `source` into `target`; return the SHA-256 (hex) of the plaintext."""
    prefix = os.urandom(8)
    header = _header(key, prefix)
    target.write(header)
    aead = AESGCM(key.key)
    digest = hashlib.sha256()
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if chunk else b""
        last = not following
        digest.update(chunk)
        sealed = aead.encrypt(_nonce(prefix, index), chunk, header + struct.pack(">I?", index, last))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return digest.hexdigest()
        chunk, index = following, index + 1


def key_id(source: BinaryIO) -> str:
    """The id of the key a sealed file needs (reads the header; leaves `source` after it)."""
    if source.read(len(MAGIC)) != MAGIC:
        raise CryptoError("not a sealed file")
    version, length = source.read(2)
    if version != VERSION:
        raise CryptoError(f"sealed file version {version} is not supported")
    return source.read(length).decode()


def open_sealed(source: BinaryIO, target: BinaryIO, keys: list[MasterKey]) -> str:
    """Decrypt a sealed file into `target` with the key it names; return the plaintext's SHA-256 (hex).

    Raises CryptoError if the key is missing, or any chunk was changed, moved or cut off.
    """
    kid = key_id(source)
    key = next((k for k in keys if k.id == kid), None)
    if key is None:
        raise CryptoError(f"the backup is sealed with key {kid!r}, which the environment does not hold")
    prefix = source.read(8)
    header = _header(key, prefix)
    aead = AESGCM(key.key)
    digest = hashlib.sha256()
    index = 0
    while True:
        length_bytes = source.read(4)
        if len(length_bytes) < 4:
            raise CryptoError("the sealed file is cut short")
        sealed = source.read(struct.unpack(">I", length_bytes)[0])
        for last in (False, True):
            try:
                chunk = aead.decrypt(_nonce(prefix, index), sealed, header + struct.pack(">I?", index, last))
                break
            except InvalidTag:
                continue
        else:
            raise CryptoError(f"chunk {index} of the sealed file failed authentication (changed or wrong key)")
        digest.update(chunk)
        target.write(chunk)
        if last:
            if source.read(1):
                raise CryptoError("the sealed file has data after its last chunk")
            return digest.hexdigest()
        index += 1
