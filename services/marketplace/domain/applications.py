"""The application status machine.

applied → shortlisted → interview → offer → hired, with rejection by the
employer from any open status and withdrawal by the worker from any open
status. HIRED, REJECTED and WITHDRAWN are final. `TRANSITIONS` is the single
source of these rules; every function here reads it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from iworkz.marketplace.v1 import marketplace_pb2
from services.runtime.errors import FailedPrecondition, InvalidArgument

APPLIED = marketplace_pb2.APPLICATION_STATUS_APPLIED
SHORTLISTED = marketplace_pb2.APPLICATION_STATUS_SHORTLISTED
INTERVIEW = marketplace_pb2.APPLICATION_STATUS_INTERVIEW
OFFER = marketplace_pb2.APPLICATION_STATUS_OFFER
HIRED = marketplace_pb2.APPLICATION_STATUS_HIRED
REJECTED = marketplace_pb2.APPLICATION_STATUS_REJECTED
WITHDRAWN = marketplace_pb2.APPLICATION_STATUS_WITHDRAWN

# Status of a new application.
INITIAL_STATUS = APPLIED


class Actor(enum.Enum):
    """Who makes a move."""

    EMPLOYER = "employer"
    WORKER = "worker"


_E, _W = Actor.EMPLOYER, Actor.WORKER

# current status -> {next status: who may make that move}. An empty map is a final status.
TRANSITIONS: Mapping[int, Mapping[int, Actor]] = MappingProxyType(
    {
        APPLIED: MappingProxyType({SHORTLISTED: _E, INTERVIEW: _E, REJECTED: _E, WITHDRAWN: _W}),
        SHORTLISTED: MappingProxyType({INTERVIEW: _E, REJECTED: _E, WITHDRAWN: _W}),
        INTERVIEW: MappingProxyType({OFFER: _E, REJECTED: _E, WITHDRAWN: _W}),
        OFFER: MappingProxyType({HIRED: _E, REJECTED: _E, WITHDRAWN: _W}),
        HIRED: MappingProxyType({}),
        REJECTED: MappingProxyType({}),
        WITHDRAWN: MappingProxyType({}),
    }
)

FINAL_STATUSES = frozenset(status for status, moves in TRANSITIONS.items() if not moves)

# Statuses each actor can ever set; asking for anything else is a bad request,
# not a bad moment.
_SETTABLE_BY = {
    actor: frozenset(nxt for moves in TRANSITIONS.values() for nxt, who in moves.items() if who is actor)
    for actor in Actor
}


def is_final(status: int) -> bool:
    """True for HIRED, REJECTED and WITHDRAWN: no further moves."""
    return status in FINAL_STATUSES


def next_statuses(current: int, actor: Actor) -> frozenset[int]:
    """The statuses `actor` may move an application in `current` to (e.g. for UI buttons)."""
    moves = TRANSITIONS.get(current, {})
    return frozenset(nxt for nxt, who in moves.items() if who is actor)


def employer_transition(current: int, target: int) -> int:
    """Return `target` if the employer may move an application from `current` to it.

    Raises InvalidArgument on `status` if `target` is never set by an employer
    (APPLIED, WITHDRAWN, UNSPECIFIED), and FailedPrecondition if the move is not
    allowed from `current` (e.g. OFFER → SHORTLISTED, or any move out of a
    final status).
    """
    if target not in _SETTABLE_BY[Actor.EMPLOYER]:
        settable = ", ".join(status_name(s) for s in sorted(_SETTABLE_BY[Actor.EMPLOYER]))
        raise InvalidArgument.field("status", f"an employer cannot set {status_name(target)}; use one of {settable}")
    return _move(current, target, Actor.EMPLOYER)


def worker_withdraw(current: int) -> int:
    """Return WITHDRAWN if the worker may withdraw an application in `current`.

    Raises FailedPrecondition once the application is final (hired, rejected
    or already withdrawn).
    """
    return _move(current, WITHDRAWN, Actor.WORKER)


def status_name(status: int) -> str:
    """Short upper-case name of a status, e.g. `OFFER`, for messages."""
    try:
        return str(marketplace_pb2.ApplicationStatus.Name(status)).removeprefix("APPLICATION_STATUS_")
    except ValueError:
        return str(status)


def _move(current: int, target: int, actor: Actor) -> int:
    if TRANSITIONS.get(current, {}).get(target) is actor:
        return target
    message = f"cannot move an application from {status_name(current)} to {status_name(target)}"
    if is_final(current):
        message += f": {status_name(current)} is final"
    else:
        allowed = sorted(next_statuses(current, actor))
        if allowed:
            message += f"; from {status_name(current)} the {actor.value} may move it to "
            message += ", ".join(status_name(s) for s in allowed)
    raise FailedPrecondition(message)
