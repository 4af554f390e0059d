"""Domain errors: what went wrong, in terms a caller can act on.

Plain Python with no gRPC in it. Domain logic and stores raise these; the
runtime's error interceptor maps each to a gRPC status (and the edge to an
HTTP status), so no servicer hand-writes status codes and no internal detail
leaks to a caller.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field: its dotted path (`profile.languages[0].language`) and why."""

    field: str
    description: str
    rule_id: str = ""


class DomainError(Exception):
    """Base of all errors meant for the caller. `code` names a gRPC status."""

    code = "UNKNOWN"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    code = "INVALID_ARGUMENT"

    def __init__(self, message: str, violations: list[FieldViolation] | None = None) -> None:
        super().__init__(message)
        self.violations = list(violations or [])

    @classmethod
    def field(cls, field: str, description: str, rule_id: str = "") -> InvalidArgument:
        """An error about a single field."""
        return cls(f"{field}: {description}", [FieldViolation(field, description, rule_id)])


class NotFound(DomainError):
    code = "NOT_FOUND"


class AlreadyExists(DomainError):
    code = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    code = "FAILED_PRECONDITION"


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class ResourceExhausted(DomainError):
    code = "RESOURCE_EXHAUSTED"

    def __init__(self, message: str, retry_after_seconds: int = 0) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(DomainError):
    code = "UNAVAILABLE"


class DataLoss(DomainError):
    """Stored data is unreadable: an encrypted value failed authentication (tampered or corrupted)."""

    code = "DATA_LOSS"
