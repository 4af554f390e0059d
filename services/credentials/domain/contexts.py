"""Offline JSON-LD document loading: only contexts shipped with the project.

pyld's `FrozenDocumentLoader` bundles the VC v1/v2, DID v1 and security
contexts; the Data Integrity v2, Multikey v1 and VC "undefined terms" v2
contexts ship as JSON files beside this module. Any other URL is an error:
nothing is ever fetched from the network.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping
from functools import cache
from typing import Any

from pyld import BUNDLED_CONTEXTS, FrozenDocumentLoader

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
UNDEFINED_TERMS_V2 = "https://www.w3.org/ns/credentials/undefined-terms/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

_HERE = pathlib.Path(__file__).parent / "contexts"
SHIPPED: Mapping[str, pathlib.Path] = {
    UNDEFINED_TERMS_V2: _HERE / "credentials-undefined-terms-v2.jsonld",
    DATA_INTEGRITY_V2: _HERE / "data-integrity-v2.jsonld",
    MULTIKEY_V1: _HERE / "multikey-v1.jsonld",
}


class UnknownContext(ValueError):
    """A context URL that the project does not ship."""

    def __init__(self, url: str) -> None:
        super().__init__(f"context {url} is not shipped with this verifier (no network loading)")
        self.url = url


def known_urls() -> frozenset[str]:
    return frozenset(BUNDLED_CONTEXTS) | frozenset(SHIPPED)


@cache
def context_document(url: str) -> dict[str, Any]:
    """The parsed context document for `url`; UnknownContext if not shipped."""
    path = SHIPPED.get(url) or BUNDLED_CONTEXTS.get(url)
    if path is None:
        raise UnknownContext(url)
    value = path if isinstance(path, dict) else json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    return dict(value)


class OfflineLoader:
    """pyld document loader over the shipped contexts; unknown URLs raise UnknownContext."""

    def __init__(self) -> None:
        self._frozen = FrozenDocumentLoader({url: context_document(url) for url in known_urls()})

    def __call__(self, url: str, options: dict[str, Any]) -> dict[str, Any]:
        if url not in self._frozen.documents:
            raise UnknownContext(url)
        result: dict[str, Any] = self._frozen(url, options)
        return result


def context_urls(document: Mapping[str, Any]) -> list[str]:
    """The remote context URLs a document names (embedded context objects are skipped)."""
    value = document.get("@context")
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def check_contexts(document: Mapping[str, Any]) -> None:
    """Raise UnknownContext for the first context URL not shipped with the project."""
    known = known_urls()
    for url in context_urls(document):
        if url not in known:
            raise UnknownContext(url)
