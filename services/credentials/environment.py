"""What the service's verifier consults: this platform's DIDs, trust registry,
status lists, anchors and the chain (the `verification.Environment`).

Only the platform's own `did:web` documents and status lists are served (from
the database); no document is fetched from the network, so credentials of
outside `did:web` issuers fail the issuer check with that reason, while
`did:key` issuers resolve anywhere. Short caches keep verification fast:
DID documents and accreditation answers for a few seconds, status lists by
their ETag, anchored roots for good (a recorded root never changes).
"""

from __future__ import annotations

import re
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Any

from services.credentials import store
from services.credentials.chain.client import AnchorChain, ChainUnavailable
from services.credentials.config import CredentialsConfig
from services.credentials.domain import catalog, dids
from services.credentials.domain.canonical import Canonicalizer
from services.credentials.domain.catalog import CredentialType
from services.credentials.domain.dids import DidError, Resolver
from services.credentials.domain.verification import AnchorLookup
from services.credentials.issuers import Issuers
from services.runtime.db import Database

_DID_PATH = re.compile(r"^/issuers/([0-9a-f-]{36})/did\.json$")
_LIST_PATH = re.compile(r"^/v1/issuers/([0-9a-f-]{36})/statusLists/(revocation|suspension)-([0-9]{1,9})$")
_CACHE_SECONDS = 2.0


class ServiceEnvironment:
    def __init__(
        self,
        db: Database,
        issuers: Issuers,
        config: CredentialsConfig,
        canonicalize: Canonicalizer,
        chain: AnchorChain | None,
    ) -> None:
        self.db, self.issuers, self.config, self.canonicalize, self.chain = db, issuers, config, canonicalize, chain
        self.resolver = Resolver(self._fetch)
        self._accredited: dict[tuple[str, str, int], tuple[float, bool | None]] = {}
        self._lists: dict[str, tuple[float, dict[str, Any]]] = {}
        self._roots: set[tuple[bytes, str]] = set()
        self._schemas = {issuers.schema_url(t.slug): t for t in catalog.TYPES.values()}

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def _own(self, url: str, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The match of `pattern` on the path of `url` if this platform serves it: under its
        public URL, or under the host an issuer of ours was registered with (a public URL
        that changed later still names our own issuers)."""
        parts = urllib.parse.urlsplit(url)
        match = pattern.match(parts.path)
        if match is None or parts.scheme not in ("https", urllib.parse.urlsplit(self.config.public_url).scheme):
            return None
        if parts.netloc == self.config.public_host:
            return match
        async with self.db.connection() as conn:
            issuer = await store.issuer(conn, match.group(1))
        return (
            match
            if issuer is not None and issuer["did"] == dids.did_web(parts.netloc, "issuers", match.group(1))
            else None
        )

    async def _fetch(self, url: str) -> dict[str, Any]:
        match = await self._own(url, _DID_PATH)
        if match is None:
            raise DidError(f"{url} is not served by this platform, and DID documents are not fetched from elsewhere")
        return await self.issuers.cached_did_document(match.group(1), url)

    async def accredited(self, issuer_did: str, credential_type: str, at: datetime) -> bool | None:
        key = (issuer_did, credential_type, int(at.timestamp()))
        cached = self._accredited.get(key)
        if cached is not None and time.monotonic() - cached[0] < _CACHE_SECONDS:
            return cached[1]
        async with self.db.connection() as conn:
            answer = await store.accredited(conn, issuer_did, credential_type, at)
        if len(self._accredited) > 10_000:
            self._accredited.clear()
        self._accredited[key] = (time.monotonic(), answer)
        return answer

    def forget_accreditations(self) -> None:
        self._accredited.clear()

    async def status_list(self, url: str) -> dict[str, Any] | None:
        cached = self._lists.get(url)
        if cached is not None and time.monotonic() - cached[0] < _CACHE_SECONDS:
            return cached[1]
        match = await self._own(url, _LIST_PATH)
        if match is None:
            return None
        async with self.db.connection() as conn:
            row = await store.status_list(conn, match.group(1), match.group(2), int(match.group(3)))
        if row is None or row["signed"] is None:
            return None
        self._lists[url] = (time.monotonic(), row["signed"])
        return dict(row["signed"])

    def forget_status_list(self, url: str) -> None:
        self._lists.pop(url, None)

    async def anchor(self, digest: bytes) -> AnchorLookup:
        async with self.db.connection() as conn:
            row = await store.anchor_of(conn, digest)
        if row is None:
            return AnchorLookup("unknown")
        if row["state"] != "anchored":
            return AnchorLookup("pending")
        return AnchorLookup(
            "anchored",
            bytes(row["root"]),
            row["leaf_index"],
            row["leaf_count"],
            [bytes(p) for p in row["proof"] or []],
            row["tx_hash"],
            row["block_number"] or 0,
            row["contract"],
        )

    async def root_anchored(self, root: bytes, contract: str) -> bool | None:
        if (root, contract) in self._roots:
            return True
        if self.chain is None or not contract:
            return None
        try:
            found = await self.chain.at(contract).find(root)
        except ChainUnavailable:
            return None
        if found is not None:
            self._roots.add((root, contract))
        return found is not None

    def schema_type(self, schema_id: str) -> CredentialType | None:
        return self._schemas.get(schema_id)
