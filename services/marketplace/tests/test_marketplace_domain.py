"""Unit tests for the marketplace domain rules. No network, no database."""

from __future__ import annotations

import pytest
from google.type import money_pb2

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types
from services.marketplace.domain import applications, eligibility, jobs
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


# --- eligibility ---------------------------------------------------------------

LEVELS_LOW_TO_HIGH = [
    types.JAPANESE_LEVEL_NONE,
    types.JAPANESE_LEVEL_N5,
    types.JAPANESE_LEVEL_N4,
    types.JAPANESE_LEVEL_N3,
    types.JAPANESE_LEVEL_N2,
    types.JAPANESE_LEVEL_N1,
    types.JAPANESE_LEVEL_NATIVE,
]


def _worker(visa=types.VISA_STATUS_ENGINEER_SPECIALIST, ssw=types.SSW_FIELD_UNSPECIFIED, ja=None, **kw):
    languages = [mp.LanguageSkill(language="en", proficiency=mp.PROFICIENCY_BUSINESS)]
    if ja is not None:
        languages.append(mp.LanguageSkill(language="ja", jlpt_level=ja))
    return mp.WorkerProfile(visa_status=visa, ssw_field=ssw, languages=languages, **kw)


def _job(**kw):
    kw.setdefault("employment_type", types.EMPLOYMENT_TYPE_FULL_TIME)
    return mp.Job(**kw)


def test_japanese_level_rank_is_strictly_increasing():
    ranks = [eligibility.japanese_level_rank(level) for level in LEVELS_LOW_TO_HIGH]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert eligibility.japanese_level_rank(types.JAPANESE_LEVEL_UNSPECIFIED) == eligibility.japanese_level_rank(
        types.JAPANESE_LEVEL_NONE
    )


def test_japanese_level_rank_rejects_unknown_values():
    with pytest.raises(ValueError):
        eligibility.japanese_level_rank(99)


@pytest.mark.parametrize("required", LEVELS_LOW_TO_HIGH, ids=types.JapaneseLevel.Name)
@pytest.mark.parametrize("held", LEVELS_LOW_TO_HIGH, ids=types.JapaneseLevel.Name)
def test_japanese_level_ordering(held, required):
    verdict = eligibility.check_eligibility(_worker(ja=held), _job(min_japanese_level=required))
    expected = LEVELS_LOW_TO_HIGH.index(held) >= LEVELS_LOW_TO_HIGH.index(required)
    assert verdict.eligible == expected
    assert verdict.reasons


def test_unspecified_requirement_means_none():
    verdict = eligibility.check_eligibility(_worker(), _job())
    assert verdict.eligible
    assert "No Japanese level is required." in verdict.reasons


def test_japanese_shortfall_reason_names_both_levels():
    verdict = eligibility.check_eligibility(
        _worker(ja=types.JAPANESE_LEVEL_N4), _job(min_japanese_level=types.JAPANESE_LEVEL_N2)
    )
    assert verdict == eligibility.Eligibility(
        eligible=False, reasons=["The job requires Japanese N2 or above; the worker has N4."]
    )


def test_worker_level_is_the_best_japanese_entry():
    worker = mp.WorkerProfile(
        languages=[
            mp.LanguageSkill(language="ja", jlpt_level=types.JAPANESE_LEVEL_N4),
            mp.LanguageSkill(language="ja-JP", jlpt_level=types.JAPANESE_LEVEL_N2),
            mp.LanguageSkill(language="jv", jlpt_level=types.JAPANESE_LEVEL_N1),  # Javanese, not Japanese
        ]
    )
    assert eligibility.worker_japanese_level(worker) == types.JAPANESE_LEVEL_N2


def test_worker_without_japanese_has_none():
    assert eligibility.worker_japanese_level(_worker()) == types.JAPANESE_LEVEL_NONE


def test_native_proficiency_without_jlpt_counts_as_native():
    worker = mp.WorkerProfile(languages=[mp.LanguageSkill(language="ja", proficiency=mp.PROFICIENCY_NATIVE)])
    assert eligibility.worker_japanese_level(worker) == types.JAPANESE_LEVEL_NATIVE


@pytest.mark.parametrize("held", [*LEVELS_LOW_TO_HIGH, types.JAPANESE_LEVEL_UNSPECIFIED], ids=types.JapaneseLevel.Name)
def test_levels_satisfied_by_matches_the_ordering(held):
    held_rank = LEVELS_LOW_TO_HIGH.index(held) if held != types.JAPANESE_LEVEL_UNSPECIFIED else 0
    expected = {types.JAPANESE_LEVEL_UNSPECIFIED} | set(LEVELS_LOW_TO_HIGH[: held_rank + 1])
    assert eligibility.levels_satisfied_by(held) == expected


@pytest.mark.parametrize(
    "status",
    [
        types.VISA_STATUS_JAPANESE_NATIONAL,
        types.VISA_STATUS_PERMANENT_RESIDENT,
        types.VISA_STATUS_SPOUSE_OR_CHILD,
        types.VISA_STATUS_LONG_TERM_RESIDENT,
    ],
    ids=types.VisaStatus.Name,
)
def test_unrestricted_statuses_pass_any_visa_list(status):
    job = _job(
        eligible_visa_statuses=[types.VISA_STATUS_SSW_1],
        eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE],
        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
    )
    verdict = eligibility.check_eligibility(_worker(visa=status), job)
    assert verdict.eligible
    assert any("any kind of work" in reason for reason in verdict.reasons)


def test_status_must_be_in_the_jobs_list():
    job = _job(eligible_visa_statuses=[types.VISA_STATUS_SSW_1, types.VISA_STATUS_SSW_2])
    verdict = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_TECHNICAL_INTERN), job)
    assert not verdict.eligible
    assert "technical intern trainees" in verdict.reasons[0]


def test_empty_visa_list_accepts_restricted_statuses():
    verdict = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_ENGINEER_SPECIALIST), _job())
    assert verdict.eligible
    assert "The job does not limit statuses of residence." in verdict.reasons


def test_unstated_status_is_not_eligible():
    verdict = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_UNSPECIFIED), _job())
    assert not verdict.eligible
    assert verdict.reasons == ["The worker has not stated a status of residence."]


def test_ssw_field_must_match():
    job = _job(
        eligible_visa_statuses=[types.VISA_STATUS_SSW_1],
        eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE, types.SSW_FIELD_FOOD_SERVICE],
    )
    match = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_SSW_1, ssw=types.SSW_FIELD_NURSING_CARE), job)
    assert match.eligible
    assert "The worker's SSW field (nursing care) is accepted." in match.reasons

    mismatch = eligibility.check_eligibility(
        _worker(visa=types.VISA_STATUS_SSW_1, ssw=types.SSW_FIELD_CONSTRUCTION), job
    )
    assert not mismatch.eligible
    assert mismatch.reasons == [
        "The worker's SSW field is construction; the job needs one of: nursing care, food service."
    ]


def test_ssw_without_field_fails_when_fields_are_listed():
    job = _job(eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE])
    verdict = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_SSW_2), job)
    assert not verdict.eligible


def test_ssw_field_list_empty_accepts_any_field():
    verdict = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_SSW_2, ssw=types.SSW_FIELD_AVIATION), _job())
    assert verdict.eligible


def test_ssw_field_list_does_not_limit_other_statuses():
    job = _job(eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE])
    assert eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_ENGINEER_SPECIALIST), job).eligible


def test_ssw_status_and_field_fail_together():
    job = _job(
        eligible_visa_statuses=[types.VISA_STATUS_SSW_2],
        eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE],
    )
    verdict = eligibility.check_eligibility(
        _worker(visa=types.VISA_STATUS_SSW_1, ssw=types.SSW_FIELD_CONSTRUCTION), job
    )
    assert not verdict.eligible
    assert len(verdict.reasons) == 2  # every failure is reported, not just the first


STUDENT_OK = {types.EMPLOYMENT_TYPE_PART_TIME, types.EMPLOYMENT_TYPE_INTERNSHIP}


@pytest.mark.parametrize(
    "employment",
    [e for e in types.EmploymentType.values() if e != types.EMPLOYMENT_TYPE_UNSPECIFIED],
    ids=types.EmploymentType.Name,
)
def test_students_only_part_time_or_internship(employment):
    verdict = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_STUDENT), _job(employment_type=employment))
    assert verdict.eligible == (employment in STUDENT_OK)
    if not verdict.eligible:
        assert "Students may only take part-time work or internships" in verdict.reasons[0]


@pytest.mark.parametrize("sponsors", [True, False])
def test_sponsorship_needed(sponsors):
    verdict = eligibility.check_eligibility(
        _worker(visa=types.VISA_STATUS_NEEDS_SPONSORSHIP), _job(offers_visa_sponsorship=sponsors)
    )
    assert verdict.eligible == sponsors
    if sponsors:
        assert "The employer sponsors a status of residence." in verdict.reasons
    else:
        assert verdict.reasons == ["The worker needs visa sponsorship and the employer does not offer it."]


def test_sponsorship_still_needs_status_in_list():
    job = _job(offers_visa_sponsorship=True, eligible_visa_statuses=[types.VISA_STATUS_SSW_1])
    verdict = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_NEEDS_SPONSORSHIP), job)
    assert not verdict.eligible


def test_visa_and_japanese_failures_are_both_reported():
    job = _job(offers_visa_sponsorship=False, min_japanese_level=types.JAPANESE_LEVEL_N3)
    verdict = eligibility.check_eligibility(_worker(visa=types.VISA_STATUS_NEEDS_SPONSORSHIP), job)
    assert not verdict.eligible
    assert len(verdict.reasons) == 2


def test_pass_reasons_cover_every_check():
    job = _job(
        eligible_visa_statuses=[types.VISA_STATUS_SSW_1],
        eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE],
        min_japanese_level=types.JAPANESE_LEVEL_N4,
    )
    verdict = eligibility.check_eligibility(
        _worker(
            visa=types.VISA_STATUS_SSW_1,
            ssw=types.SSW_FIELD_NURSING_CARE,
            ja=types.JAPANESE_LEVEL_N3,
        ),
        job,
    )
    assert verdict == eligibility.Eligibility(
        eligible=True,
        reasons=[
            "The job accepts Specified Skilled Worker (i) holders.",
            "The worker's SSW field (nursing care) is accepted.",
            "Japanese N3 meets the required N4.",
        ],
    )


def test_assess_eligibility_without_a_profile():
    verdict = eligibility.assess_eligibility(
        _job(employment_type=types.EMPLOYMENT_TYPE_PART_TIME),
        visa_status=types.VISA_STATUS_STUDENT,
        ssw_field=types.SSW_FIELD_UNSPECIFIED,
        japanese_level=types.JAPANESE_LEVEL_UNSPECIFIED,
    )
    assert verdict.eligible
