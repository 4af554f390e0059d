"""Unit tests for the marketplace domain rules. No network, no database."""

from __future__ import annotations

import pytest
from google.type import money_pb2

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types
from services.marketplace.domain import applications, jobs
from services.runtime.errors import FailedPrecondition, InvalidArgument

# --- applications --------------------------------------------------------------

ALL_STATUSES = list(mp.ApplicationStatus.values())

# Written out by hand from the product rules, independently of applications.TRANSITIONS.
EMPLOYER_MOVES = {
    (mp.APPLICATION_STATUS_APPLIED, mp.APPLICATION_STATUS_SHORTLISTED),
    (mp.APPLICATION_STATUS_APPLIED, mp.APPLICATION_STATUS_INTERVIEW),
    (mp.APPLICATION_STATUS_APPLIED, mp.APPLICATION_STATUS_REJECTED),
    (mp.APPLICATION_STATUS_SHORTLISTED, mp.APPLICATION_STATUS_INTERVIEW),
    (mp.APPLICATION_STATUS_SHORTLISTED, mp.APPLICATION_STATUS_REJECTED),
    (mp.APPLICATION_STATUS_INTERVIEW, mp.APPLICATION_STATUS_OFFER),
    (mp.APPLICATION_STATUS_INTERVIEW, mp.APPLICATION_STATUS_REJECTED),
    (mp.APPLICATION_STATUS_OFFER, mp.APPLICATION_STATUS_HIRED),
    (mp.APPLICATION_STATUS_OFFER, mp.APPLICATION_STATUS_REJECTED),
}
# Targets the UpdateApplicationStatus contract lets an employer ask for at all.
EMPLOYER_TARGETS = {
    mp.APPLICATION_STATUS_SHORTLISTED,
    mp.APPLICATION_STATUS_INTERVIEW,
    mp.APPLICATION_STATUS_OFFER,
    mp.APPLICATION_STATUS_HIRED,
    mp.APPLICATION_STATUS_REJECTED,
}
WITHDRAWABLE = {
    mp.APPLICATION_STATUS_APPLIED,
    mp.APPLICATION_STATUS_SHORTLISTED,
    mp.APPLICATION_STATUS_INTERVIEW,
    mp.APPLICATION_STATUS_OFFER,
}
FINAL = {
    mp.APPLICATION_STATUS_HIRED,
    mp.APPLICATION_STATUS_REJECTED,
    mp.APPLICATION_STATUS_WITHDRAWN,
}


def _name(status: int) -> str:
    return mp.ApplicationStatus.Name(status)


@pytest.mark.parametrize("target", ALL_STATUSES, ids=_name)
@pytest.mark.parametrize("current", ALL_STATUSES, ids=_name)
def test_employer_transition_grid(current, target):
    if (current, target) in EMPLOYER_MOVES:
        assert applications.employer_transition(current, target) == target
    elif target in EMPLOYER_TARGETS:
        with pytest.raises(FailedPrecondition):
            applications.employer_transition(current, target)
    else:
        with pytest.raises(InvalidArgument) as caught:
            applications.employer_transition(current, target)
        assert caught.value.violations[0].field == "status"


@pytest.mark.parametrize("current", ALL_STATUSES, ids=_name)
def test_worker_withdraw_grid(current):
    if current in WITHDRAWABLE:
        assert applications.worker_withdraw(current) == mp.APPLICATION_STATUS_WITHDRAWN
    else:
        with pytest.raises(FailedPrecondition):
            applications.worker_withdraw(current)


@pytest.mark.parametrize("status", ALL_STATUSES, ids=_name)
def test_is_final(status):
    assert applications.is_final(status) == (status in FINAL)


@pytest.mark.parametrize("current", ALL_STATUSES, ids=_name)
def test_next_statuses_agree_with_the_transition_functions(current):
    employer = {t for (c, t) in EMPLOYER_MOVES if c == current}
    worker = {mp.APPLICATION_STATUS_WITHDRAWN} if current in WITHDRAWABLE else set()
    assert applications.next_statuses(current, applications.Actor.EMPLOYER) == employer
    assert applications.next_statuses(current, applications.Actor.WORKER) == worker


def test_illegal_move_message_names_both_statuses():
    with pytest.raises(FailedPrecondition) as caught:
        applications.employer_transition(mp.APPLICATION_STATUS_OFFER, mp.APPLICATION_STATUS_SHORTLISTED)
    assert caught.value.message.startswith("cannot move an application from OFFER to SHORTLISTED")
    assert "HIRED" in caught.value.message  # tells the employer what is possible


def test_move_out_of_final_status_says_final():
    with pytest.raises(FailedPrecondition) as caught:
        applications.worker_withdraw(mp.APPLICATION_STATUS_HIRED)
    assert caught.value.message == "cannot move an application from HIRED to WITHDRAWN: HIRED is final"


def test_new_applications_start_applied():
    assert applications.INITIAL_STATUS == mp.APPLICATION_STATUS_APPLIED


def test_transition_table_covers_every_real_status():
    assert set(applications.TRANSITIONS) == set(ALL_STATUSES) - {mp.APPLICATION_STATUS_UNSPECIFIED}


# --- jobs --------------------------------------------------------------------


def _yen(units: int, currency: str = "JPY") -> money_pb2.Money:
    return money_pb2.Money(currency_code=currency, units=units)


def _complete_job(**overrides) -> mp.Job:
    job = mp.Job(
        title="Care worker",
        description="Day shifts at a care home.",
        location=types.Location(prefecture="JP-27", city="Osaka"),
        wage_min=_yen(1200),
        wage_max=_yen(1500),
        wage_period=types.WAGE_PERIOD_HOURLY,
        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
        headcount=2,
        state=mp.JOB_STATE_DRAFT,
    )
    for key, value in overrides.items():
        if value is None:
            job.ClearField(key)
        elif isinstance(value, money_pb2.Money | types.Location):
            getattr(job, key).CopyFrom(value)
        else:
            setattr(job, key, value)
    return job


def test_publish_complete_draft():
    assert jobs.publish(_complete_job()) == mp.JOB_STATE_OPEN


def test_publish_names_every_missing_field():
    job = mp.Job(title="  ", state=mp.JOB_STATE_DRAFT)
    with pytest.raises(FailedPrecondition) as caught:
        jobs.publish(job)
    message = caught.value.message
    for name in (
        "title",
        "description",
        "location.prefecture",
        "wage_min",
        "wage_max",
        "wage_period",
        "employment_type",
        "headcount",
    ):
        assert name in message


@pytest.mark.parametrize(
    ("override", "missing"),
    [
        ({"title": ""}, "title"),
        ({"description": ""}, "description"),
        ({"location": types.Location(city="Osaka")}, "location.prefecture"),
        ({"location": None}, "location.prefecture"),
        ({"wage_min": None}, "wage_min"),
        ({"wage_max": None}, "wage_max"),
        ({"wage_period": types.WAGE_PERIOD_UNSPECIFIED}, "wage_period"),
        ({"employment_type": types.EMPLOYMENT_TYPE_UNSPECIFIED}, "employment_type"),
        ({"headcount": 0}, "headcount"),
    ],
)
def test_publish_requires_each_field(override, missing):
    job = _complete_job(**override)
    assert jobs.missing_publish_fields(job) == [missing]
    with pytest.raises(FailedPrecondition, match=missing):
        jobs.publish(job)


def test_publish_checks_wages():
    with pytest.raises(InvalidArgument):
        jobs.publish(_complete_job(wage_min=_yen(2000), wage_max=_yen(1000)))


@pytest.mark.parametrize("state", [mp.JOB_STATE_OPEN, mp.JOB_STATE_CLOSED, mp.JOB_STATE_UNSPECIFIED])
def test_only_drafts_can_be_published(state):
    with pytest.raises(FailedPrecondition):
        jobs.publish(_complete_job(state=state))


def test_publishing_an_open_job_says_already_open():
    with pytest.raises(FailedPrecondition, match="already OPEN"):
        jobs.publish(_complete_job(state=mp.JOB_STATE_OPEN))


@pytest.mark.parametrize("state", [mp.JOB_STATE_DRAFT, mp.JOB_STATE_OPEN])
def test_close_draft_or_open(state):
    assert jobs.close(state) == mp.JOB_STATE_CLOSED


@pytest.mark.parametrize("state", [mp.JOB_STATE_CLOSED, mp.JOB_STATE_UNSPECIFIED])
def test_close_rejects_closed_and_unknown(state):
    with pytest.raises(FailedPrecondition):
        jobs.close(state)


def test_closed_jobs_are_immutable():
    with pytest.raises(FailedPrecondition, match="CLOSED"):
        jobs.check_editable(mp.JOB_STATE_CLOSED)
    with pytest.raises(FailedPrecondition):
        jobs.check_update(mp.JOB_STATE_CLOSED, _complete_job())
    jobs.check_editable(mp.JOB_STATE_DRAFT)
    jobs.check_editable(mp.JOB_STATE_OPEN)


def test_updates_to_drafts_may_leave_them_incomplete():
    jobs.check_update(mp.JOB_STATE_DRAFT, mp.Job(title="Only a title"))


def test_updates_to_open_jobs_must_keep_them_publishable():
    with pytest.raises(FailedPrecondition, match="description"):
        jobs.check_update(mp.JOB_STATE_OPEN, _complete_job(description=""))
    jobs.check_update(mp.JOB_STATE_OPEN, _complete_job(title="Senior care worker"))


def test_updates_check_wages():
    with pytest.raises(InvalidArgument):
        jobs.check_update(mp.JOB_STATE_DRAFT, _complete_job(wage_max=_yen(100)))


def test_only_open_jobs_accept_applications():
    jobs.check_accepting_applications(mp.JOB_STATE_OPEN)
    for state in (mp.JOB_STATE_DRAFT, mp.JOB_STATE_CLOSED):
        with pytest.raises(FailedPrecondition):
            jobs.check_accepting_applications(state)


@pytest.mark.parametrize(
    ("wage_min", "wage_max"),
    [(1000, 1000), (1000, 1500), (0, 0), (None, 1500), (1000, None), (None, None)],
)
def test_valid_wage_ranges(wage_min, wage_max):
    jobs.check_wage_range(
        _complete_job(
            wage_min=None if wage_min is None else _yen(wage_min),
            wage_max=None if wage_max is None else _yen(wage_max),
        )
    )


@pytest.mark.parametrize(
    ("wage_min", "wage_max", "field"),
    [
        (_yen(1500), _yen(1000), "wage_max"),
        (_yen(1000, "USD"), _yen(1500), "wage_min.currency_code"),
        (_yen(1000), _yen(1500, ""), "wage_max.currency_code"),
        (_yen(-1), _yen(1500), "wage_min"),
        (money_pb2.Money(currency_code="JPY", units=1000, nanos=500), _yen(1500), "wage_min"),
    ],
)
def test_invalid_wage_ranges(wage_min, wage_max, field):
    with pytest.raises(InvalidArgument) as caught:
        jobs.check_wage_range(_complete_job(wage_min=wage_min, wage_max=wage_max))
    assert caught.value.violations[0].field == field
