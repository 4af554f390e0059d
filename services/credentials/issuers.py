"""Issuers' DIDs, signing keys and status lists, over the store.

Private keys are encrypted at rest with the service's data keys (the
runtime's `FieldCipher`, AES-256-GCM under keys wrapped by the master key),
each bound to its row. Decrypted keys are cached in memory by key id (a key
never changes once made). Rotation adds a key and retires the old ones from
signing; every key stays in the DID document so what it signed still verifies.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.credentials import store
from services.credentials.config import CredentialsConfig
from services.credentials.domain import dataintegrity, dids, statuslist
from services.credentials.domain.canonical import Canonicalizer
from services.credentials.domain.issuance import canonical_json
from services.credentials.domain.keys import KeyPair, public_key_from_multibase
from services.runtime.db import Database
from services.runtime.errors import FailedPrecondition, NotFound
from services.runtime.fieldcrypt import FieldCipher

METHODS = {"web", "key"}
_DOC_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class Signer:
    """An issuer's current signing key."""

    issuer_id: uuid.UUID
    did: str
    display_name: str
    method_id: str
    key: KeyPair


def _key_where(key_id: uuid.UUID) -> str:
    return f"issuer_keys.private_key:{key_id}"


def list_name(purpose: str, number: int) -> str:
    return f"{purpose}-{number}"


class Issuers:
    def __init__(
        self, db: Database, cipher: FieldCipher, config: CredentialsConfig, canonicalize: Canonicalizer
    ) -> None:
        self.db, self.cipher, self.config, self.canonicalize = db, cipher, config, canonicalize
        self._keys: dict[uuid.UUID, KeyPair] = {}
        self._documents: dict[str, tuple[float, dict[str, Any]]] = {}
        self._signers: dict[uuid.UUID, tuple[float, Signer]] = {}

    # --- names -------------------------------------------------------------------------

    def web_did(self, issuer_id: str) -> str:
        return dids.did_web(self.config.public_host, "issuers", issuer_id)

    def status_list_url(self, issuer_id: str, purpose: str, number: int) -> str:
        return f"{self.config.public_url}/v1/issuers/{issuer_id}/statusLists/{list_name(purpose, number)}"

    def schema_url(self, slug: str) -> str:
        return f"{self.config.public_url}/v1/credentialSchemas/{slug}"

    # --- keys ----------------------------------------------------------------------------

    def private_key(self, key_id: uuid.UUID, suite: str, encrypted: bytes) -> KeyPair:
        if key_id not in self._keys:
            raw = bytes.fromhex(self.cipher.decrypt(bytes(encrypted), _key_where(key_id)))
            self._keys[key_id] = KeyPair.from_private_bytes(suite, raw)
        return self._keys[key_id]

    async def _add_key(self, conn, issuer_id: uuid.UUID, did: str, method: str, suite: str, number: int) -> KeyPair:
        key = KeyPair.generate(suite)
        key_id = uuid.uuid4()
        method_id = f"{did}#{key.public.multibase}" if method == "key" else f"{did}#key-{number}"
        encrypted = self.cipher.encrypt(key.private_bytes().hex(), _key_where(key_id))
        await store.insert_key(conn, key_id, issuer_id, method_id, suite, key.public.multibase, encrypted)
        self._keys[key_id] = key
        return key

    async def signer(self, conn, issuer_id: uuid.UUID) -> Signer:
        """The current signing key, cached a few seconds (a rotation on another replica
        takes effect here within that time; the old key still verifies meanwhile)."""
        found = self._signers.get(issuer_id)
        if found is not None and time.monotonic() - found[0] < _DOC_TTL_SECONDS:
            return found[1]
        row = await store.signing_key(conn, issuer_id)
        if row is None:
            raise FailedPrecondition("the organisation is not a registered issuer: call RegisterIssuer first")
        key = self.private_key(row["key_id"], row["suite"], row["private_key_enc"])
        signer = Signer(row["issuer_id"], row["did"], row["display_name"], row["method_id"], key)
        self._signers[issuer_id] = (time.monotonic(), signer)
        return signer

    # --- registration and rotation -------------------------------------------------------

    async def register(self, issuer_id: str, display_name: str, method: str, suite: str) -> tuple[dict, bool]:
        """Register (idempotent): DID, first key, empty status lists. Returns (issuer row, created)."""
        async with self.db.transaction() as conn:
            existing = await store.issuer(conn, issuer_id)
            if existing is not None:
                return existing, False
            key = KeyPair.generate(suite)
            did = dids.did_key(key.public) if method == "key" else self.web_did(issuer_id)
            row = await store.insert_issuer(conn, issuer_id, display_name, did, method)
            if row is None:  # registered concurrently
                found = await store.issuer(conn, issuer_id)
                assert found is not None
                return found, False
            key_id = uuid.uuid4()
            method_id = f"{did}#{key.public.multibase}" if method == "key" else f"{did}#key-1"
            encrypted = self.cipher.encrypt(key.private_bytes().hex(), _key_where(key_id))
            await store.insert_key(conn, key_id, row["id"], method_id, suite, key.public.multibase, encrypted)
            self._keys[key_id] = key
            signer = Signer(row["id"], did, display_name, method_id, key)
            for purpose in statuslist.PURPOSES:
                await self.new_status_list(conn, signer, purpose, 0)
        return row, True

    async def rotate(self, issuer_id: str, suite: str | None) -> None:
        async with self.db.transaction() as conn:
            row = await store.issuer(conn, issuer_id)
            if row is None:
                raise NotFound("no such issuer")
            if row["did_method"] == "key":
                raise FailedPrecondition(
                    "a did:key issuer cannot rotate: its DID is its key (register a did:web issuer)"
                )
            existing = await store.keys(conn, row["id"])
            key = await self._add_key(
                conn, row["id"], row["did"], "web", suite or existing[0]["suite"], len(existing) + 1
            )
            newest = (await store.keys(conn, row["id"]))[0]
            assert newest["public_multibase"] == key.public.multibase
            await store.retire_keys(conn, row["id"], newest["id"])
        self._documents.clear()
        self._signers.pop(row["id"], None)

    # --- DID documents -----------------------------------------------------------------

    async def did_document(self, issuer_id: str) -> dict[str, Any]:
        async with self.db.connection() as conn:
            row = await store.issuer(conn, issuer_id)
            if row is None or row["did_method"] != "web":
                raise NotFound("no did:web issuer with this id")
            rows = await store.keys(conn, row["id"])
        methods = [dids.MethodKey(k["method_id"], public_key_from_multibase(k["public_multibase"])) for k in rows]
        return dids.web_document(row["did"], methods)

    async def cached_did_document(self, issuer_id: str, key: str) -> dict[str, Any]:
        """The DID document, cached a few seconds under `key` (a rotation here drops the cache at
        once; other replicas see a new key within seconds, and old keys never leave)."""
        found = self._documents.get(key)
        if found is not None and time.monotonic() - found[0] < _DOC_TTL_SECONDS:
            return found[1]
        document = await self.did_document(issuer_id)
        if len(self._documents) > 10_000:
            self._documents.clear()
        self._documents[key] = (time.monotonic(), document)
        return document

    # --- status lists ------------------------------------------------------------------

    def sign_status_list(self, signer: Signer, purpose: str, number: int, bits: bytes) -> tuple[dict[str, Any], str]:
        url = self.status_list_url(str(signer.issuer_id), purpose, number)
        unsigned = statuslist.list_credential(
            url, signer.did, purpose, bits, dataintegrity.timestamp(datetime.now(UTC))
        )
        signed = dataintegrity.sign(unsigned, signer.key, signer.method_id, self.canonicalize)
        etag = '"' + hashlib.sha256(canonical_json(signed)).hexdigest()[:32] + '"'
        return signed, etag

    async def new_status_list(self, conn, signer: Signer, purpose: str, number: int) -> None:
        bits = statuslist.empty()
        signed, etag = self.sign_status_list(signer, purpose, number, bytes(bits))
        await store.insert_status_list(conn, signer.issuer_id, purpose, number, bytes(bits), signed, etag)

    async def allocate_status(self, signer: Signer) -> tuple[int, int]:
        """(list number, bit index) for a new credential, in both the revocation and suspension lists."""
        for _ in range(3):
            async with self.db.connection() as conn:
                row = await store.allocate_status(conn, signer.issuer_id)
            if row is None:
                raise FailedPrecondition("the issuer has no status list")
            if row["sequence"] < statuslist.LIST_SIZE:
                return row["number"], statuslist.index_for(row["sequence"])
            async with self.db.transaction() as conn:  # the list is full: start the next pair
                for purpose in statuslist.PURPOSES:
                    await self.new_status_list(conn, signer, purpose, row["number"] + 1)
        raise FailedPrecondition("could not allocate a status list entry")

    async def set_status(self, conn, signer: Signer, purpose: str, number: int, index: int, value: bool) -> None:
        """Flip one bit and re-sign the list, in the caller's transaction."""
        row = await store.status_list(conn, str(signer.issuer_id), purpose, number, for_update=True)
        if row is None:
            raise NotFound("no such status list")
        bits = bytearray(row["bits"])
        statuslist.set_bit(bits, index, value)
        signed, etag = self.sign_status_list(signer, purpose, number, bytes(bits))
        await store.save_status_list(conn, signer.issuer_id, purpose, number, bytes(bits), signed, etag)
