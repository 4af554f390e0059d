"""Facts from marketplace's messages: levels, statuses, fields, places, licences."""

from __future__ import annotations

import pytest
from google.type import date_pb2, money_pb2

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types
from services.eligibility import contracts
from services.eligibility.facts import EmploymentType, Relocation, Status
from services.eligibility.wages import WagePeriod

LEVELS_LOW_TO_HIGH = [
    types.JAPANESE_LEVEL_NONE,
    types.JAPANESE_LEVEL_N5,
    types.JAPANESE_LEVEL_N4,
    types.JAPANESE_LEVEL_N3,
    types.JAPANESE_LEVEL_N2,
    types.JAPANESE_LEVEL_N1,
    types.JAPANESE_LEVEL_NATIVE,
]


def test_japanese_level_ranks_and_levels_satisfied() -> None:
    assert [contracts.japanese_level_rank(level) for level in LEVELS_LOW_TO_HIGH] == list(range(7))
    assert contracts.japanese_level_rank(types.JAPANESE_LEVEL_UNSPECIFIED) == 0
    with pytest.raises(ValueError):
        contracts.japanese_level_rank(99)
    assert contracts.levels_satisfied_by(types.JAPANESE_LEVEL_N3) == {
        types.JAPANESE_LEVEL_UNSPECIFIED,
        types.JAPANESE_LEVEL_NONE,
        types.JAPANESE_LEVEL_N5,
        types.JAPANESE_LEVEL_N4,
        types.JAPANESE_LEVEL_N3,
    }


def test_worker_level_is_the_best_japanese_entry_and_native_counts() -> None:
    profile = mp.WorkerProfile(
        languages=[
            mp.LanguageSkill(language="ja", jlpt_level=types.JAPANESE_LEVEL_N4),
            mp.LanguageSkill(language="ja-JP", jlpt_level=types.JAPANESE_LEVEL_N2),
            mp.LanguageSkill(language="en", jlpt_level=types.JAPANESE_LEVEL_N1),
        ]
    )
    assert contracts.worker_japanese_level(profile) == types.JAPANESE_LEVEL_N2
    native = mp.WorkerProfile(languages=[mp.LanguageSkill(language="ja", proficiency=mp.PROFICIENCY_NATIVE)])
    assert contracts.worker_japanese_level(native) == types.JAPANESE_LEVEL_NATIVE
    assert contracts.worker_japanese_level(mp.WorkerProfile()) == types.JAPANESE_LEVEL_NONE


def test_every_contract_status_has_a_rule_status() -> None:
    for value in types.VisaStatus.values():
        assert contracts.status_value(contracts.status(value)) == value
    assert {s.value for s in Status} == {n.removeprefix("VISA_STATUS_") for n in types.VisaStatus.keys()}


def test_worker_and_job_facts() -> None:
    profile = mp.WorkerProfile(
        name="workers/00000000-0000-4000-8000-000000000001",
        visa_status=types.VISA_STATUS_SKILL_DEVELOPMENT,
        ssw_field=types.SSW_FIELD_CONSTRUCTION,
        relocation=types.RELOCATION_REGION,
        discoverable=True,
        skills=[mp.Skill(taxonomy_id="esco:welding", label="welding", years=4)],
        licences=[mp.Licence(taxonomy_id="licence:forklift", label="forklift")],
        location=types.Location(prefecture="JP-27", city="Osaka"),
        availability=mp.Availability(
            available_from=date_pb2.Date(year=2027, month=4, day=1),
            employment_types=[types.EMPLOYMENT_TYPE_FULL_TIME],
        ),
        desired_wage=money_pb2.Money(currency_code="JPY", units=250000),
        desired_wage_period=types.WAGE_PERIOD_MONTHLY,
    )
    w = contracts.worker_facts(profile, verified=["licence:forklift", "esco:crane"])
    assert w.status is Status.SKILL_DEVELOPMENT and w.designated_field == "CONSTRUCTION"
    assert w.relocation is Relocation.REGION and w.discoverable
    assert w.licences[0].verified and not w.skills[0].verified
    assert [c.taxonomy_id for c in w.skills if c.verified and not c.self_declared] == ["esco:crane"]
    assert w.place.prefecture == "JP-27" and str(w.available_from) == "2027-04-01"
    # Labels count too (free-text skills have no taxonomy id); a proven licence the profile does
    # not mention is held, verified, as a licence.
    profile.skills.append(mp.Skill(label="Forklift  Licence", years=2))
    w = contracts.worker_facts(profile, verified=["forklift licence", "licence:crane", "tig welder"])
    assert [c.verified for c in w.skills[:2]] == [False, True]
    assert [(c.taxonomy_id, c.verified, c.self_declared) for c in w.licences] == [
        ("licence:forklift", False, True),
        ("licence:crane", True, False),
    ]
    assert ("", "tig welder") in [(c.taxonomy_id, c.label) for c in w.skills if not c.self_declared]
    assert w.employment_types == (EmploymentType.FULL_TIME,) and w.desired_wage_period is WagePeriod.MONTHLY
    job = mp.Job(
        name="employers/00000000-0000-4000-8000-00000000000a/jobs/00000000-0000-4000-8000-00000000000b",
        hours_per_week=20,
        licences_required=["licence:forklift"],
        manual_work=True,
        eligible_ssw_fields=[types.SSW_FIELD_CONSTRUCTION],
        min_japanese_level=types.JAPANESE_LEVEL_N3,
    )
    j = contracts.job_facts(job)
    assert j.employer == "employers/00000000-0000-4000-8000-00000000000a"
    assert j.hours_per_week == 20 and j.manual_work and j.licences_required == ("licence:forklift",)
    assert j.fields == ("CONSTRUCTION",) and j.min_japanese_level == 3
