"""What a verified credential proves, as the keys matching compares with skills and licences.

Credentials' events carry, for each credential, its platform type and the
facts matching may rely on (`CredentialSummary.evidence`). A key is either a
taxonomy id (`licence:forklift`, `jlpt:N3`, `ssw-test:MANUFACTURING`) or a
lower-cased label (`forklift licence`, `tig welder`): a worker's skill or
licence whose taxonomy id or label is among a verified credential's keys
counts as verified (`services.eligibility.contracts.worker_facts`).

Only credentials from an issuer accredited for the type count, and only
while they are active (not suspended or revoked) and valid (`counts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import Enum

JLPT_LEVELS = ("N1", "N2", "N3", "N4", "N5")  # N1 is the highest
PASSED = "pass"


class State(Enum):
    """A credential's state as its events left it. REVOKED is final."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"


def _label(text: str) -> str:
    return " ".join(text.strip().lower().split())


def keys(credential_type: str, evidence: Mapping[str, str]) -> tuple[str, ...]:
    """The skill and licence keys a credential of `credential_type` with `evidence` proves (sorted)."""
    found: set[str] = set()
    if credential_type == "JlptResultCredential":
        level = evidence.get("level", "")
        if level in JLPT_LEVELS:
            # A level proves every level below it: N3 also proves N4 and N5.
            found.update(f"jlpt:{lower}" for lower in JLPT_LEVELS[JLPT_LEVELS.index(level) :])
    elif credential_type == "SswSkillsTestCredential":
        field = evidence.get("field", "").strip().upper()
        if evidence.get("result") == PASSED and field:
            found.add(f"ssw-test:{field}")
            if evidence.get("test"):
                found.add(_label(evidence["test"]))
    elif credential_type == "CareWorkerTestCredential":
        if evidence.get("result") == PASSED and evidence.get("test"):
            found.update({"care-worker-test", _label(evidence["test"])})
    elif credential_type == "LicenceCredential":
        kind = _label(evidence.get("licenceType", ""))
        if kind:
            found.update({f"licence:{kind}", f"{kind} licence", f"{kind} license"})
            klass = _label(evidence.get("licenceClass", ""))
            if klass:
                found.add(f"licence:{kind}:{klass}")
    elif credential_type == "EmploymentReferenceCredential":
        if evidence.get("role"):
            found.add(_label(evidence["role"]))
    elif credential_type == "TrainingCompletionCredential":
        if evidence.get("course"):
            found.add(_label(evidence["course"]))
    return tuple(sorted(k for k in found if k))


def counts(state: State, accredited: bool, valid_until: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a credential counts as verified evidence at `now`."""
    return state is State.ACTIVE and accredited and (valid_until is None or valid_until > now)


def apply(current: tuple[State, dt.datetime] | None, event: State, at: dt.datetime) -> State | None:
    """The state after an event that occurred `at`, or None to ignore the event.

    Events may be handled out of order (replicas, retries): an event older
    than the stored state's is ignored, and a revoked credential stays
    revoked whatever arrives later.
    """
    if current is None:
        return event
    state, since = current
    if state is State.REVOKED:
        return None
    if event is State.REVOKED:
        return event
    return None if at < since else event
