"""Turning an issuer's unsigned credential (VC-API shape) into what is signed.

`prepare` fills in what the engine owns (id, issuer, validity, schema,
status entries, derived claims), checks the credential against its type's
JSON Schema and returns the unsigned VC. `sd_jwt_claims` maps that VC onto
SD-JWT VC claims. `digest` names a credential for anchoring.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.credentials.domain import catalog
from services.credentials.domain.catalog import CredentialType
from services.credentials.domain.contexts import (
    DATA_INTEGRITY_V2,
    UNDEFINED_TERMS_V2,
    VC_V1,
    VC_V2,
    UnknownContext,
    check_contexts,
)
from services.credentials.domain.dataintegrity import ProofError, parse_time, timestamp

_ENGINE_OWNED_SUBJECT = ("jlptAtLeastN1", "jlptAtLeastN2", "jlptAtLeastN3", "jlptAtLeastN4", "jlptAtLeastN5")


class IssuanceError(ValueError):
    """The credential to issue is not acceptable; `field` names where (VC-API JSON path)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Prepared:
    """An unsigned credential and what the engine needs to know about it."""

    credential: dict[str, Any]
    credential_type: CredentialType
    id: str
    valid_from: datetime
    valid_until: datetime | None


def _contexts(vc: dict[str, Any]) -> bool:
    """Normalise `@context` (VC 2.0, or 1.1 with Data Integrity); True for VC 1.1."""
    contexts = vc.get("@context") or [VC_V2]
    if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
        raise IssuanceError("credential.@context", "must be a list of context URLs")
    if contexts[0] not in (VC_V2, VC_V1):
        raise IssuanceError("credential.@context", f"must start with {VC_V2} (or {VC_V1})")
    v1: bool = contexts[0] == VC_V1
    needed = [VC_V1, DATA_INTEGRITY_V2] if v1 else [VC_V2]
    contexts = needed + [c for c in contexts if c not in needed]
    if UNDEFINED_TERMS_V2 not in contexts:
        contexts.append(UNDEFINED_TERMS_V2)
    vc["@context"] = contexts
    try:
        check_contexts(vc)
    except UnknownContext as error:
        raise IssuanceError("credential.@context", str(error)) from None
    return v1


def _type(vc: dict[str, Any]) -> CredentialType:
    types = vc.get("type") or []
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list):
        raise IssuanceError("credential.type", "must be a list of types")
    try:
        credential_type = catalog.type_of(types)
    except catalog.CatalogError as error:
        raise IssuanceError("credential.type", str(error)) from None
    vc["type"] = ["VerifiableCredential", credential_type.type]
    return credential_type


def _validity(vc: dict[str, Any], v1: bool, now: datetime) -> tuple[datetime, datetime | None]:
    start_key, end_key = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    try:
        valid_from = parse_time(vc[start_key], f"credential.{start_key}") if vc.get(start_key) else now
        valid_until = parse_time(vc[end_key], f"credential.{end_key}") if vc.get(end_key) else None
    except ProofError as error:
        raise IssuanceError(f"credential.{start_key}", str(error)) from None
    if valid_until is not None and valid_until <= valid_from:
        raise IssuanceError(f"credential.{end_key}", f"must be after {start_key}")
    vc[start_key] = timestamp(valid_from)
    if valid_until is not None:
        vc[end_key] = timestamp(valid_until)
    return valid_from, valid_until


def prepare(
    credential: dict[str, Any],
    *,
    issuer_did: str,
    issuer_name: str,
    subject_did: str | None,
    credential_id: str,
    schema_url: str,
    status_entries: list[dict[str, Any]],
    now: datetime,
) -> Prepared:
    """The unsigned VC: VC 2.0 (or 1.1 when `@context` starts with the v1 context)."""
    vc = copy.deepcopy(credential)
    v1 = _contexts(vc)
    credential_type = _type(vc)
    given_issuer = vc.get("issuer")
    given_issuer_id = given_issuer.get("id") if isinstance(given_issuer, dict) else given_issuer
    if given_issuer_id not in (None, "", issuer_did):
        raise IssuanceError("credential.issuer", f"must be this issuer's DID, {issuer_did}")
    vc["issuer"] = {"id": issuer_did, "name": issuer_name}
    vc_id = vc.get("id") or credential_id or f"urn:uuid:{uuid.uuid4()}"
    if not isinstance(vc_id, str) or ":" not in vc_id or len(vc_id) > 200:
        raise IssuanceError("credential.id", "must be a URI")
    vc["id"] = vc_id
    valid_from, valid_until = _validity(vc, v1, now)
    subject = vc.get("credentialSubject")
    if not isinstance(subject, dict):
        raise IssuanceError("credential.credentialSubject", "must be one JSON object")
    if subject_did is not None:
        if subject.get("id") not in (None, "", subject_did):
            raise IssuanceError("credential.credentialSubject.id", "must be the worker's wallet DID")
        subject["id"] = subject_did
    for name in _ENGINE_OWNED_SUBJECT:
        subject.pop(name, None)
    subject.update(catalog.derived_claims(credential_type, subject))
    vc["credentialSchema"] = {"id": schema_url, "type": "JsonSchema"}
    vc.pop("proof", None)
    vc.pop("credentialStatus", None)
    if status_entries:
        vc["credentialStatus"] = status_entries
    errors = catalog.validate(credential_type, vc)
    if errors:
        path, _, message = errors[0].partition(": ")
        raise IssuanceError(f"credential.{path}" if path != "credential" else "credential", message)
    return Prepared(vc, credential_type, vc_id, valid_from, valid_until)


def sd_jwt_claims(prepared: Prepared) -> tuple[dict[str, Any], dict[str, Any]]:
    """(always-visible claims, selectively disclosable claims) of the SD-JWT VC form."""
    vc = prepared.credential
    visible: dict[str, Any] = {
        "iss": vc["issuer"]["id"],
        "vct": prepared.credential_type.type,
        "jti": prepared.id,
        "iat": int(prepared.valid_from.timestamp()),
        "nbf": int(prepared.valid_from.timestamp()),
    }
    if prepared.valid_until is not None:
        visible["exp"] = int(prepared.valid_until.timestamp())
    if vc.get("credentialStatus"):
        visible["credentialStatus"] = vc["credentialStatus"]
    disclosable = {k: v for k, v in vc["credentialSubject"].items() if k != "id"}
    return visible, disclosable


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(credential: dict[str, Any] | str) -> bytes:
    """SHA-256 naming a credential: of its canonical JSON (Data Integrity), or of the
    issuer-signed JWT (SD-JWT; the same for every presentation of it)."""
    if isinstance(credential, str):
        return hashlib.sha256(credential.split("~", 1)[0].encode()).digest()
    return hashlib.sha256(canonical_json(credential)).digest()
