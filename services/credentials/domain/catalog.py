"""The credential types the platform issues, each with a JSON Schema (shipped
as data in `schemas/`), the facts it lends matching as verified evidence,
and claims the engine derives (JLPT "at least" claims for selective disclosure).
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

_SCHEMAS = pathlib.Path(__file__).parent / "schemas"
JLPT_LEVELS = ("N1", "N2", "N3", "N4", "N5")  # N1 is the highest


class CatalogError(ValueError):
    """A credential that is not of a platform type, or breaks its schema."""


@dataclass(frozen=True)
class CredentialType:
    type: str
    slug: str
    evidence: tuple[str, ...]

    @property
    def schema(self) -> dict[str, Any]:
        return _schema(self.slug)

    @property
    def description(self) -> str:
        return str(self.schema.get("description", ""))


@cache
def _schema(slug: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((_SCHEMAS / f"{slug}.json").read_text(encoding="utf-8"))
    return value


@cache
def _validator(slug: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(slug))


TYPES: dict[str, CredentialType] = {
    t.type: t
    for t in (
        CredentialType("JlptResultCredential", "jlpt-result", ("level",)),
        CredentialType("SswSkillsTestCredential", "ssw-skills-test", ("field", "test", "result")),
        CredentialType("CareWorkerTestCredential", "care-worker-test", ("test", "result")),
        CredentialType("LicenceCredential", "licence", ("licenceType", "licenceClass")),
        CredentialType("EmploymentReferenceCredential", "employment-reference", ("employer", "role")),
        CredentialType("TrainingCompletionCredential", "training-completion", ("course",)),
    )
}
BY_SLUG = {t.slug: t for t in TYPES.values()}


def type_of(types: Any) -> CredentialType:
    """The one platform type among a credential's `type` values."""
    values = types if isinstance(types, list) else [types]
    found = [TYPES[v] for v in values if isinstance(v, str) and v in TYPES]
    if len(found) != 1:
        raise CatalogError("type must name exactly one of: " + ", ".join(sorted(TYPES)))
    return found[0]


def validate(credential_type: CredentialType, credential: dict[str, Any]) -> list[str]:
    """Schema violations of a credential (empty when valid), as `path: message`."""
    errors = []
    for error in sorted(_validator(credential_type.slug).iter_errors(credential), key=lambda e: list(e.path)):
        path = ".".join(str(p) for p in error.absolute_path) or "credential"
        errors.append(f"{path}: {error.message}")
    return errors


def derived_claims(credential_type: CredentialType, subject: dict[str, Any]) -> dict[str, Any]:
    """Claims the engine adds: for JLPT, `jlptAtLeastN5`..`jlptAtLeastN1`, so a holder
    can disclose "N4 or better" without the exact level."""
    if credential_type.type != "JlptResultCredential" or subject.get("level") not in JLPT_LEVELS:
        return {}
    rank = JLPT_LEVELS.index(subject["level"])
    return {f"jlptAtLeast{level}": rank <= i for i, level in enumerate(JLPT_LEVELS)}


def evidence(credential_type: CredentialType, subject: dict[str, Any]) -> dict[str, str]:
    """The facts matching may rely on (no names, birth dates or numbers)."""
    return {k: str(subject[k]) for k in credential_type.evidence if k in subject}


def validate_partial(credential_type: CredentialType, subject: dict[str, Any]) -> list[str]:
    """Violations among the claims present (selective disclosure leaves some out)."""
    properties = credential_type.schema["properties"]["credentialSubject"]["properties"]
    validator = Draft202012Validator({"type": "object", "properties": properties, "additionalProperties": False})
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or 'claims'}: {e.message}" for e in validator.iter_errors(subject)
    ]
