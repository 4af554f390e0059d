"""The job lifecycle: DRAFT → OPEN → CLOSED (or DRAFT → CLOSED).

A draft may be incomplete; publishing requires everything a worker needs to
decide, and an open job must stay that complete. Closed jobs never change.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from iworkz.marketplace.v1 import marketplace_pb2
from iworkz.type.v1 import profile_types_pb2
from services.runtime.errors import FailedPrecondition, InvalidArgument

DRAFT: int = marketplace_pb2.JOB_STATE_DRAFT
OPEN: int = marketplace_pb2.JOB_STATE_OPEN
CLOSED: int = marketplace_pb2.JOB_STATE_CLOSED

# Status of a new job.
INITIAL_STATE = DRAFT

# current state -> states it may move to. The single source of the lifecycle.
TRANSITIONS: Mapping[int, frozenset[int]] = MappingProxyType(
    {
        DRAFT: frozenset({OPEN, CLOSED}),
        OPEN: frozenset({CLOSED}),
        CLOSED: frozenset(),
    }
)

_CURRENCY = "JPY"


def state_name(state: int) -> str:
    """Short upper-case name of a job state, e.g. `OPEN`, for messages."""
    try:
        return str(marketplace_pb2.JobState.Name(state)).removeprefix("JOB_STATE_")
    except ValueError:
        return str(state)


def missing_publish_fields(job: marketplace_pb2.Job) -> list[str]:
    """Names of the fields a job still needs before it can be published (empty if none)."""
    checks = [
        ("title", bool(job.title.strip())),
        ("description", bool(job.description.strip())),
        ("location.prefecture", bool(job.location.prefecture)),
        ("wage_min", job.HasField("wage_min")),
        ("wage_max", job.HasField("wage_max")),
        ("wage_period", job.wage_period != profile_types_pb2.WAGE_PERIOD_UNSPECIFIED),
        ("employment_type", job.employment_type != profile_types_pb2.EMPLOYMENT_TYPE_UNSPECIFIED),
        ("headcount", job.headcount >= 1),
    ]
    return [name for name, present in checks if not present]


def publish(job: marketplace_pb2.Job) -> int:
    """Return OPEN if `job` (in its current `state`) may be published.

    Raises FailedPrecondition if the job is not a DRAFT or lacks required
    fields (all of them named), and InvalidArgument if its wages are invalid.
    """
    _check_move(job.state, OPEN, "publish")
    missing = missing_publish_fields(job)
    if missing:
        raise FailedPrecondition(f"cannot publish the job; fill in {', '.join(missing)}")
    check_wage_range(job)
    return OPEN


def close(state: int) -> int:
    """Return CLOSED if a job in `state` may be closed (DRAFT or OPEN), else FailedPrecondition."""
    _check_move(state, CLOSED, "close")
    return CLOSED


def check_editable(state: int) -> None:
    """Raise FailedPrecondition if a job in `state` can no longer be changed (CLOSED)."""
    if not TRANSITIONS.get(state):
        raise FailedPrecondition(f"the job is {state_name(state)} and can no longer be changed")


def check_update(current_state: int, updated: marketplace_pb2.Job) -> None:
    """Check a job after an update was applied to it, before it is saved.

    A CLOSED job cannot change; an OPEN job must stay publishable (an update
    cannot blank a field workers rely on); wages must stay a valid range.
    """
    check_editable(current_state)
    if current_state == OPEN:
        missing = missing_publish_fields(updated)
        if missing:
            raise FailedPrecondition(f"an open job must keep {', '.join(missing)}; close it or fill them in")
    check_wage_range(updated)


def check_accepting_applications(state: int) -> None:
    """Raise FailedPrecondition unless a job in `state` accepts applications (OPEN only)."""
    if state != OPEN:
        raise FailedPrecondition(f"the job is {state_name(state)}; only OPEN jobs accept applications")


def check_wage_range(job: marketplace_pb2.Job) -> None:
    """Raise InvalidArgument unless the wages set are whole, non-negative JPY with max >= min.

    Either wage may be unset (drafts are incomplete); `publish` requires both.
    """
    for name in ("wage_min", "wage_max"):
        if not job.HasField(name):
            continue
        money = getattr(job, name)
        if money.currency_code != _CURRENCY:
            raise InvalidArgument.field(f"{name}.currency_code", f"must be {_CURRENCY}")
        if money.units < 0 or money.nanos != 0:
            raise InvalidArgument.field(name, "must be whole yen, not negative")
    has_both = job.HasField("wage_min") and job.HasField("wage_max")
    if has_both and job.wage_max.units < job.wage_min.units:
        raise InvalidArgument.field(
            "wage_max",
            f"must be at least wage_min ({job.wage_min.units} JPY), got {job.wage_max.units} JPY",
        )


def _check_move(current: int, target: int, verb: str) -> None:
    if target in TRANSITIONS.get(current, frozenset()):
        return
    if current == target:
        raise FailedPrecondition(f"cannot {verb} the job: it is already {state_name(current)}")
    if current in TRANSITIONS and not TRANSITIONS[current]:
        raise FailedPrecondition(f"cannot {verb} the job: it is {state_name(current)} and can no longer change")
    raise FailedPrecondition(f"cannot {verb} the job: it is {state_name(current)}")
