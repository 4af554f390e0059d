"""The hard rules, status by status, with reasons and fixes in both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from services.eligibility.facts import EmploymentType, Job, Relocation, SkillClaim, Status, Worker
from services.eligibility.geo import Place
from services.eligibility.rules import HardRule, check, next_jlpt_date

TODAY = dt.date(2026, 12, 3)
OSAKA = Place("JP-27", "Osaka")


def job(**kw: object) -> Job:
    base: dict[str, object] = dict(
        name="employers/e/jobs/j",
        employer="employers/e",
        place=OSAKA,
        employment_type=EmploymentType.FULL_TIME,
        hours_per_week=40,
    )
    base.update(kw)
    return Job(**base)  # type: ignore[arg-type]


def worker(**kw: object) -> Worker:
    base: dict[str, object] = dict(name="workers/w", place=OSAKA, japanese_level=3)
    base.update(kw)
    return Worker(**base)  # type: ignore[arg-type]


def failed(w: Worker, j: Job) -> set[HardRule]:
    return {v.rule for v in check(w, j, TODAY).failures}


@pytest.mark.parametrize(
    "status",
    [Status.JAPANESE_NATIONAL, Status.PERMANENT_RESIDENT, Status.SPOUSE_OR_CHILD, Status.LONG_TERM_RESIDENT],
)
def test_unrestricted_statuses_may_do_any_work(status: Status) -> None:
    manual_part_time_no_field = job(manual_work=True, employment_type=EmploymentType.PART_TIME, hours_per_week=40)
    assert check(worker(status=status), manual_part_time_no_field, TODAY).eligible


def test_the_jobs_status_list_narrows_restricted_statuses_only() -> None:
    only_ssw = job(eligible_statuses=(Status.SSW_1,), fields=("MANUFACTURING",))
    assert check(worker(status=Status.PERMANENT_RESIDENT), only_ssw, TODAY).eligible
    assert failed(worker(status=Status.SSW_2, designated_field="MANUFACTURING"), only_ssw) == {
        HardRule.STATUS_OF_RESIDENCE
    }


@pytest.mark.parametrize("status", [Status.SSW_1, Status.SSW_2, Status.SKILL_DEVELOPMENT])
def test_field_bound_statuses_need_the_jobs_declared_field(status: Status) -> None:
    w = worker(status=status, designated_field="MANUFACTURING")
    assert check(w, job(fields=("MANUFACTURING",)), TODAY).eligible
    assert failed(w, job(fields=("CONSTRUCTION",))) == {HardRule.SSW_FIELD}
    # A job that declares no field is not open to field-bound statuses.
    verdict = check(w, job(), TODAY)
    assert not verdict.eligible and verdict.failures[0].rule is HardRule.SSW_FIELD
    assert "declares no field" in verdict.failures[0].reason.en
    assert failed(worker(status=status), job(fields=("MANUFACTURING",))) == {HardRule.SSW_FIELD}


def test_nursing_care_status_only_in_nursing_care() -> None:
    w = worker(status=Status.NURSING_CARE)
    assert check(w, job(fields=("NURSING_CARE",)), TODAY).eligible
    assert failed(w, job(fields=("FOOD_SERVICE",))) == {HardRule.SSW_FIELD}


@pytest.mark.parametrize("status", [Status.STUDENT, Status.DEPENDENT])
def test_students_and_dependents_part_time_up_to_28_hours_with_permission(status: Status) -> None:
    permitted = worker(status=status, work_permission=True)
    part_time = job(employment_type=EmploymentType.PART_TIME, hours_per_week=28)
    assert check(permitted, part_time, TODAY).eligible
    assert failed(permitted, job(employment_type=EmploymentType.PART_TIME, hours_per_week=29)) == {HardRule.HOURS}
    assert failed(permitted, job(employment_type=EmploymentType.PART_TIME, hours_per_week=0)) == {HardRule.HOURS}
    assert failed(permitted, job(employment_type=EmploymentType.FULL_TIME, hours_per_week=20)) == {HardRule.HOURS}
    # The permission limits the hours, not the contract's form: a 20-hour contract or dispatch job is open.
    for form in (EmploymentType.CONTRACT, EmploymentType.TEMPORARY, EmploymentType.UNSPECIFIED):
        assert check(permitted, job(employment_type=form, hours_per_week=20), TODAY).eligible, form
        assert failed(permitted, job(employment_type=form, hours_per_week=40)) == {HardRule.HOURS}
    no_permission = check(worker(status=status), part_time, TODAY)
    assert {v.rule for v in no_permission.failures} == {HardRule.HOURS}
    assert "資格外活動許可" in no_permission.failures[0].fix.ja  # type: ignore[union-attr]


@pytest.mark.parametrize("status", [Status.ENGINEER_SPECIALIST, Status.HIGHLY_SKILLED_PROFESSIONAL])
def test_professional_statuses_not_in_manual_labour(status: Status) -> None:
    assert check(worker(status=status), job(), TODAY).eligible
    assert failed(worker(status=status), job(manual_work=True)) == {HardRule.KIND_OF_WORK}


def test_technical_intern_trainees_cannot_change_employer() -> None:
    trainee = worker(status=Status.TECHNICAL_INTERN, current_employer="employers/e")
    assert check(trainee, job(), TODAY).eligible
    assert failed(trainee, job(employer="employers/other")) == {HardRule.EMPLOYER_CHANGE}
    assert failed(worker(status=Status.TECHNICAL_INTERN), job()) == {HardRule.EMPLOYER_CHANGE}


def test_designated_activities_only_where_the_job_accepts_it_explicitly() -> None:
    w = worker(status=Status.DESIGNATED_ACTIVITIES)
    assert failed(w, job()) == {HardRule.STATUS_OF_RESIDENCE}
    assert check(w, job(eligible_statuses=(Status.DESIGNATED_ACTIVITIES,)), TODAY).eligible


def test_sponsorship_only_where_the_employer_sponsors() -> None:
    w = worker(status=Status.NEEDS_SPONSORSHIP, place=Place())
    assert failed(w, job()) == {HardRule.SPONSORSHIP}
    assert check(w, job(offers_sponsorship=True), TODAY).eligible


def test_unstated_status_is_not_eligible() -> None:
    assert failed(worker(), job()) == {HardRule.STATUS_OF_RESIDENCE}


def test_japanese_level_fix_names_the_next_test() -> None:
    verdict = check(worker(status=Status.PERMANENT_RESIDENT, japanese_level=2), job(min_japanese_level=3), TODAY)
    [fail] = verdict.failures
    assert fail.rule is HardRule.JAPANESE_LEVEL
    assert fail.reason.en == "JLPT N3 is needed; you have JLPT N4."
    # The 6 December 2026 session closed for entries in September.
    assert fail.fix is not None and "4 July 2027" in fail.fix.en and "2027年7月4日" in fail.fix.ja
    assert next_jlpt_date(dt.date(2026, 3, 1)) == dt.date(2026, 7, 5)
    assert next_jlpt_date(dt.date(2026, 4, 10)) == dt.date(2026, 12, 6)


def test_employment_type_the_worker_accepts() -> None:
    w = worker(status=Status.PERMANENT_RESIDENT, employment_types=(EmploymentType.FULL_TIME,))
    assert check(w, job(), TODAY).eligible
    assert failed(w, job(employment_type=EmploymentType.TEMPORARY)) == {HardRule.EMPLOYMENT_TYPE}


def test_location_commute_region_and_anywhere() -> None:
    pr = dict(status=Status.PERMANENT_RESIDENT)
    kobe = job(place=Place("JP-28", "Kobe"))  # ~30 km from Osaka: commutable
    tokyo = job(place=Place("JP-13", "Tokyo"))
    kyushu = job(place=Place("JP-40", "Fukuoka"))
    nara_far = job(place=Place("JP-30", "Wakayama"))
    assert check(worker(**pr), kobe, TODAY).eligible
    assert failed(worker(**pr), tokyo) == {HardRule.LOCATION}
    assert check(worker(**pr, relocation=Relocation.REGION), nara_far, TODAY).eligible
    assert failed(worker(**pr, relocation=Relocation.REGION), kyushu) == {HardRule.LOCATION}
    assert check(worker(**pr, relocation=Relocation.ANYWHERE), kyushu, TODAY).eligible
    assert check(worker(**pr, place=Place()), kyushu, TODAY).eligible


def test_availability_date() -> None:
    w = worker(status=Status.PERMANENT_RESIDENT, available_from=dt.date(2027, 4, 1))
    assert check(w, job(start_date=dt.date(2027, 4, 1)), TODAY).eligible
    assert failed(w, job(start_date=dt.date(2027, 3, 1))) == {HardRule.AVAILABILITY}
    assert check(w, job(), TODAY).eligible


def test_licences_verified_or_self_declared_where_accepted() -> None:
    forklift = ("licence:forklift",)
    declared = worker(status=Status.PERMANENT_RESIDENT, licences=(SkillClaim("licence:forklift"),))
    verified = worker(status=Status.PERMANENT_RESIDENT, licences=(SkillClaim("licence:forklift", verified=True),))
    strict = job(licences_required=forklift)
    lenient = job(licences_required=forklift, accepts_self_declared_licences=True)
    assert check(verified, strict, TODAY).eligible
    assert check(declared, lenient, TODAY).eligible
    verdict = check(declared, strict, TODAY)
    assert {v.rule for v in verdict.failures} == {HardRule.LICENCES}
    assert "verified credential" in verdict.failures[0].reason.en
    assert failed(worker(status=Status.PERMANENT_RESIDENT), lenient) == {HardRule.LICENCES}


def test_failures_come_first_and_every_rule_has_both_languages() -> None:
    verdict = check(
        worker(status=Status.SSW_1, designated_field="CONSTRUCTION", japanese_level=1),
        job(fields=("MANUFACTURING",), min_japanese_level=3, place=Place("JP-01")),
        TODAY,
    )
    rules = [v.rule for v in verdict.failures]
    assert rules == [HardRule.SSW_FIELD, HardRule.JAPANESE_LEVEL, HardRule.LOCATION]
    assert [v.passed for v in verdict.verdicts] == sorted(v.passed for v in verdict.verdicts)
    for v in verdict.verdicts:
        assert v.reason.en and v.reason.ja and v.reason.en != v.reason.ja
        if not v.passed:
            assert v.fix is not None and v.fix.en and v.fix.ja
