"""DID documents and resolution: `did:key` (Multikey) and `did:web`.

Resolution happens in-house. `did:key` documents are derived from the key
itself; `did:web` documents come from an injected fetcher (a function from
the document's https URL to its JSON), so the service can answer its own
issuers from its database and tests can serve documents without a network.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from services.credentials.domain.contexts import DID_V1, MULTIKEY_V1
from services.credentials.domain.keys import InvalidKey, PublicKey, public_key_from_multibase

RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")


class DidError(ValueError):
    """A DID that cannot be resolved, or a key it does not authorise."""


def did_key(key: PublicKey) -> str:
    return f"did:key:{key.multibase}"


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of a `did:key` (one Multikey verification method)."""
    if not did.startswith("did:key:"):
        raise DidError(f"{did} is not a did:key")
    multibase_value = did.removeprefix("did:key:").split("#", 1)[0]
    try:
        public_key_from_multibase(multibase_value)
    except InvalidKey as error:
        raise DidError(f"{did}: {error}") from None
    vm_id = f"did:key:{multibase_value}#{multibase_value}"
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": f"did:key:{multibase_value}",
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": f"did:key:{multibase_value}",
                "publicKeyMultibase": multibase_value,
            }
        ],
        **{relationship: [vm_id] for relationship in RELATIONSHIPS},
    }


def did_web(host: str, *path: str) -> str:
    """`did:web:{host}:{path...}`; a port in `host` is percent-encoded (`localhost%3A8443`)."""
    return ":".join(["did:web", urllib.parse.quote(host, safe=""), *path])


def did_web_url(did: str) -> str:
    """The https URL of a `did:web` document (did:web method spec, section 3.2)."""
    if not did.startswith("did:web:"):
        raise DidError(f"{did} is not a did:web")
    parts = did.removeprefix("did:web:").split("#", 1)[0].split(":")
    if not parts[0] or any(not p for p in parts):
        raise DidError(f"{did} is not a valid did:web")
    host = urllib.parse.unquote(parts[0])
    if "/" in host or "@" in host:
        raise DidError(f"{did} has an invalid host")
    path = "/".join(parts[1:]) if len(parts) > 1 else ".well-known"
    return f"https://{host}/{path}/did.json"


@dataclass(frozen=True)
class MethodKey:
    """A verification method of a DID document: its id and key."""

    id: str
    key: PublicKey


def web_document(did: str, keys: Iterable[MethodKey], signing: Iterable[str] | None = None) -> dict[str, Any]:
    """An issuer's `did:web` document: every key (old ones keep verifying) as a Multikey
    in `assertionMethod`; `signing` limits `assertionMethod` if given."""
    keys = list(keys)
    allowed = set(signing) if signing is not None else {k.id for k in keys}
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [
            {"id": k.id, "type": "Multikey", "controller": did, "publicKeyMultibase": k.key.multibase} for k in keys
        ],
        "assertionMethod": [k.id for k in keys if k.id in allowed],
        "authentication": [k.id for k in keys if k.id in allowed],
    }


Fetcher = Callable[[str], Awaitable[dict[str, Any]]]


async def _no_fetch(url: str) -> dict[str, Any]:
    raise DidError(f"no fetcher for {url}")


class Resolver:
    """Resolves DIDs: did:key locally, did:web through the injected `fetch(url)`."""

    def __init__(self, fetch: Fetcher = _no_fetch) -> None:
        self.fetch = fetch

    async def resolve(self, did: str) -> dict[str, Any]:
        did = did.split("#", 1)[0]
        if did.startswith("did:key:"):
            return did_key_document(did)
        if did.startswith("did:web:"):
            url = did_web_url(did)
            try:
                document = await self.fetch(url)
            except DidError:
                raise
            except Exception as error:
                raise DidError(f"could not fetch {url}: {error}") from None
            if not isinstance(document, dict) or document.get("id") != did:
                raise DidError(f"the document at {url} is not the DID document of {did}")
            return document
        raise DidError(f"unsupported DID method: {did.split(':')[:2]}")

    async def method_key(self, method_id: str, relationship: str, controller: str | None = None) -> MethodKey:
        """The key of verification method `method_id`, checked to be authorised for
        `relationship` by its DID (and, if given, that DID is `controller`)."""
        did = method_id.split("#", 1)[0]
        if controller is not None and did != controller:
            raise DidError(f"verification method {method_id} does not belong to {controller}")
        document = await self.resolve(did)
        return find_method(document, method_id, relationship)


def _absolute(did: str, ref: str) -> str:
    return did + ref if ref.startswith("#") else ref


def find_method(document: dict[str, Any], method_id: str, relationship: str) -> MethodKey:
    """Find `method_id` in a DID document and check `relationship` lists it."""
    did = str(document.get("id", ""))
    listed = {
        _absolute(did, r if isinstance(r, str) else str(r.get("id", ""))) for r in document.get(relationship, []) or []
    }
    if method_id not in listed:
        raise DidError(f"{method_id} is not an {relationship} key of {did}")
    methods = [m for m in document.get("verificationMethod", []) or [] if isinstance(m, dict)]
    methods += [r for r in document.get(relationship, []) or [] if isinstance(r, dict)]
    for method in methods:
        if _absolute(did, str(method.get("id", ""))) != method_id:
            continue
        if method.get("controller") not in (None, did):
            raise DidError(f"{method_id} is controlled by {method.get('controller')}, not {did}")
        value = method.get("publicKeyMultibase")
        if not isinstance(value, str):
            raise DidError(f"{method_id} has no publicKeyMultibase")
        try:
            return MethodKey(method_id, public_key_from_multibase(value))
        except InvalidKey as error:
            raise DidError(f"{method_id}: {error}") from None
    raise DidError(f"{did} has no verification method {method_id}")
