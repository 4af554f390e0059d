"""Per-field encryption of personal data (AES-256-GCM, envelope encryption).

Each value is encrypted under a data key; data keys are stored wrapped by a
master key that comes from the environment (`IWORKZ_MASTER_KEYS`, or a KMS in
production). Rotation: a new data key makes new writes use it while old
values still decrypt; a new master key (listed first) lets `rewrap` re-wrap
every data key without touching the data. Each ciphertext is bound to where
it is stored (associated data), so it cannot be copied to another row.

Plain Python: the store that keeps data keys is in `datakeys.py`.
"""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.runtime.errors import DataLoss

_VERSION = b"\x01"


class CryptoError(RuntimeError):
    pass


class UnreadableValue(CryptoError, DataLoss):
    """A stored value that does not decrypt: tampered, truncated, or under a key that is gone.

    A DataLoss, so callers see DATA_LOSS with a message naming no value, not INTERNAL."""

    def __init__(self, message: str) -> None:
        DataLoss.__init__(self, message)


@dataclass(frozen=True)
class MasterKey:
    id: str
    key: bytes


def parse_master_keys(value: str) -> list[MasterKey]:
    """Parse `id:base64key[,id:base64key...]`; the first is current. Keys are 32 bytes."""
    keys = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        kid, sep, b64 = item.partition(":")
        if not sep or not kid:
            raise CryptoError("IWORKZ_MASTER_KEYS entries look like id:base64key")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            raise CryptoError(f"master key {kid!r} is not valid base64") from None
        if len(key) != 32:
            raise CryptoError(f"master key {kid!r} must be 32 bytes (AES-256), got {len(key)}")
        keys.append(MasterKey(kid, key))
    if not keys:
        raise CryptoError("IWORKZ_MASTER_KEYS holds no key")
    if len({k.id for k in keys}) != len(keys):
        raise CryptoError("IWORKZ_MASTER_KEYS repeats a key id")
    return keys


def new_master_key_spec(kid: str) -> str:
    """A fresh `id:base64key` entry, for operators and tests."""
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


def wrap(master: MasterKey, data_key_id: uuid.UUID, data_key: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(master.key).encrypt(nonce, data_key, data_key_id.bytes)


def unwrap(master: MasterKey, data_key_id: uuid.UUID, wrapped: bytes) -> bytes:
    try:
        return AESGCM(master.key).decrypt(wrapped[:12], wrapped[12:], data_key_id.bytes)
    except InvalidTag:
        raise CryptoError(f"data key {data_key_id} does not unwrap with master key {master.id}") from None


class FieldCipher:
    """Encrypts and decrypts field values with a set of unwrapped data keys."""

    def __init__(self, data_keys: dict[uuid.UUID, bytes], current: uuid.UUID) -> None:
        if current not in data_keys:
            raise CryptoError("the current data key is not loaded")
        self._keys = dict(data_keys)
        self.current = current

    def replace(self, data_keys: dict[uuid.UUID, bytes], current: uuid.UUID) -> None:
        """Swap in a reloaded key set (new keys added by a rotation elsewhere)."""
        if current not in data_keys:
            raise CryptoError("the current data key is not loaded")
        self._keys = dict(data_keys)
        self.current = current

    def encrypt(self, plaintext: str, where: str) -> bytes:
        """Encrypt `plaintext`, bound to `where` (e.g. `worker_profiles.phone:<id>`)."""
        nonce = os.urandom(12)
        sealed = AESGCM(self._keys[self.current]).encrypt(nonce, plaintext.encode(), where.encode())
        return _VERSION + self.current.bytes + nonce + sealed

    def decrypt(self, blob: bytes, where: str) -> str:
        if not blob or blob[:1] != _VERSION or len(blob) < 1 + 16 + 12 + 16:
            raise UnreadableValue("a stored value is not an encrypted field value")
        key_id = uuid.UUID(bytes=bytes(blob[1:17]))
        key = self._keys.get(key_id)
        if key is None:
            raise UnreadableValue(f"a stored encrypted value names an unknown data key {key_id}")
        try:
            return AESGCM(key).decrypt(bytes(blob[17:29]), bytes(blob[29:]), where.encode()).decode()
        except InvalidTag:
            raise UnreadableValue("a stored encrypted value failed authentication (tampered or corrupted)") from None

    @staticmethod
    def key_id_of(blob: bytes) -> uuid.UUID:
        return uuid.UUID(bytes=bytes(blob[1:17]))

    def encrypt_optional(self, plaintext: str, where: str) -> bytes | None:
        """None for an empty value, so absence is not encrypted."""
        return self.encrypt(plaintext, where) if plaintext else None

    def decrypt_optional(self, blob: bytes | None, where: str) -> str:
        return self.decrypt(blob, where) if blob else ""
