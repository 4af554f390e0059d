"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, offline.

Two implementations give identical N-Quads: pyld (the reference) and
pyoxigraph (faster; its JSON-LD parser has no document loader, so the
shipped contexts are inlined). Both refuse a document with a term its
contexts do not define: such a term would be silently dropped from the
canonical form, and so from what the signature covers (a tampered or
injected claim would still "verify"). Detection: a sentinel `@vocab` is put
first in the context list; any property or type that expands into it was
undefined.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import pyoxigraph as ox
from pyld import jsonld

from services.credentials.domain.contexts import OfflineLoader, UnknownContext, context_document

_SENTINEL = "urn:iworkz:undefined-term#"
_SENTINEL_CONTEXT = {"@vocab": _SENTINEL}


class CanonicalizationError(ValueError):
    """The document is not valid JSON-LD for the shipped contexts."""


class UndefinedTerm(CanonicalizationError):
    """A property or type no context defines."""


class Canonicalizer(Protocol):
    def __call__(self, document: dict[str, Any]) -> str: ...


def _with_sentinel(document: dict[str, Any]) -> dict[str, Any]:
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context] if context is not None else []
    return {**document, "@context": [_SENTINEL_CONTEXT, *contexts]}


def _check_no_sentinel(nquads: str) -> str:
    if _SENTINEL in nquads:
        terms = sorted(
            {part.split(_SENTINEL, 1)[1].split(">", 1)[0] for part in nquads.splitlines() if _SENTINEL in part}
        )
        raise UndefinedTerm("terms not defined by any @context: " + ", ".join(terms))
    return nquads


def _unknown_context(error: BaseException) -> UnknownContext | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UnknownContext):
            return current
        details = getattr(current, "details", None)
        cause = details.get("cause") if isinstance(details, dict) else None
        current = cause if isinstance(cause, BaseException) else current.__cause__ or current.__context__
    return None


class PyldCanonicalizer:
    """RDFC-1.0 with pyld and the offline loader (the reference implementation)."""

    def __init__(self) -> None:
        self.loader = OfflineLoader()

    def __call__(self, document: dict[str, Any]) -> str:
        try:
            result: str = jsonld.normalize(
                _with_sentinel(document),
                {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": self.loader},
            )
        except UnknownContext:
            raise
        except Exception as error:
            unknown = _unknown_context(error)
            if unknown is not None:
                raise UnknownContext(unknown.url) from None
            raise CanonicalizationError(f"not valid JSON-LD: {error}") from None
        return _check_no_sentinel(result)


def _has_nested_context(value: Any, top: bool = True) -> bool:
    if isinstance(value, dict):
        return any((key == "@context" and not top) or _has_nested_context(item, False) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nested_context(item, False) for item in value)
    return False


class OxigraphCanonicalizer:
    """RDFC-1.0 with pyoxigraph, the contexts inlined; documents with nested
    `@context` objects go to pyld. Proof configurations (small, and repeating:
    one per key and second) are remembered: canonicalization is a pure
    function of the JSON."""

    SMALL = 1024
    MEMO_SIZE = 4096

    def __init__(self) -> None:
        self.reference = PyldCanonicalizer()
        self._memo: dict[str, str] = {}

    def __call__(self, document: dict[str, Any]) -> str:
        if "proofPurpose" not in document:  # documents are canonicalized afresh; proof configs repeat
            return self._canonicalize(document)
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        if len(text) <= self.SMALL:
            found = self._memo.get(text)
            if found is None:
                found = self._canonicalize(document)
                if len(self._memo) >= self.MEMO_SIZE:
                    self._memo.clear()
                self._memo[text] = found
            return found
        return self._canonicalize(document)

    def _canonicalize(self, document: dict[str, Any]) -> str:
        if _has_nested_context(document):
            return self.reference(document)
        context = document.get("@context")
        contexts = context if isinstance(context, list) else [context] if context is not None else []
        inlined: list[Any] = [_SENTINEL_CONTEXT]
        for item in contexts:
            inlined.append(context_document(item)["@context"] if isinstance(item, str) else item)
        try:
            dataset = ox.Dataset(ox.parse(json.dumps({**document, "@context": inlined}), format=ox.RdfFormat.JSON_LD))
        except (SyntaxError, ValueError) as error:
            raise CanonicalizationError(f"not valid JSON-LD: {error}") from None
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return _check_no_sentinel("".join(sorted(f"{quad} .\n" for quad in dataset)))


def default() -> Canonicalizer:
    """The canonicalizer the service uses (pyoxigraph; pyld stays the reference in tests)."""
    return OxigraphCanonicalizer()
