"""Jobs over real gRPC: lifecycle, visibility, ownership, partner keys, listing and search.

Search tests put a word no other test uses in their job titles and pass it as
`query`, so jobs made by other tests in the shared database never interfere.
"""

from __future__ import annotations

import itertools
import random
from datetime import date

import grpc
from google.protobuf import field_mask_pb2

from iworkz.marketplace.v1 import events_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types
from services.eligibility import contracts, rules
from services.eligibility.facts import Worker

Code = grpc.StatusCode
HOURS_PER_MONTH, DAYS_PER_MONTH = 160, 20  # the product's normalisation of wages to a month


def _mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


def _monthly(amount: int, period: int) -> int:
    return {
        types.WAGE_PERIOD_HOURLY: amount * HOURS_PER_MONTH,
        types.WAGE_PERIOD_DAILY: amount * DAYS_PER_MONTH,
        types.WAGE_PERIOD_MONTHLY: amount,
        types.WAGE_PERIOD_ANNUAL: amount // 12,
    }[period]


async def _search_all(client, **filters) -> list[mp.Job]:
    """Every page of a search, asserting total_size and that no job repeats."""
    jobs, token = [], ""
    while True:
        page = await client.marketplace.SearchJobs(mp.SearchJobsRequest(page_size=100, page_token=token, **filters))
        jobs.extend(page.jobs)
        token = page.next_page_token
        if not token:
            break
    names = [j.name for j in jobs]
    assert len(names) == len(set(names)) == page.total_size
    return jobs


# --- lifecycle -----------------------------------------------------------------------


async def test_job_lifecycle_draft_open_closed(market):
    employer = await market.employer()
    word = market.unique_word()
    draft = await market.job(employer, word, publish=False)
    assert draft.state == mp.JOB_STATE_DRAFT and not draft.HasField("publish_time")
    assert draft.name.startswith(f"{employer.employer}/jobs/")

    updated = (
        await employer.api.UpdateJob(
            mp.UpdateJobRequest(
                job=market.job_message(word, name=draft.name, headcount=5, title="ignored"),
                update_mask=_mask("headcount"),
            )
        )
    ).job
    assert (updated.headcount, updated.title, updated.state) == (5, draft.title, mp.JOB_STATE_DRAFT)

    opened = (await employer.api.PublishJob(mp.PublishJobRequest(name=draft.name))).job
    assert opened.state == mp.JOB_STATE_OPEN and opened.HasField("publish_time")
    await market.fails(Code.FAILED_PRECONDITION, employer.api.PublishJob(mp.PublishJobRequest(name=draft.name)))
    # An open job may still change while it stays complete.
    retitled = (
        await employer.api.UpdateJob(
            mp.UpdateJobRequest(
                job=market.job_message(name=draft.name, title=f"MIG welder {word}"), update_mask=_mask("title")
            )
        )
    ).job
    assert retitled.title == f"MIG welder {word}" and retitled.state == mp.JOB_STATE_OPEN

    closed = (await employer.api.CloseJob(mp.CloseJobRequest(name=draft.name))).job
    assert closed.state == mp.JOB_STATE_CLOSED
    assert closed.publish_time == opened.publish_time
    for call in (
        employer.api.CloseJob(mp.CloseJobRequest(name=draft.name)),
        employer.api.PublishJob(mp.PublishJobRequest(name=draft.name)),
        employer.api.UpdateJob(
            mp.UpdateJobRequest(job=market.job_message(word, name=draft.name), update_mask=_mask("headcount"))
        ),
    ):
        await market.fails(Code.FAILED_PRECONDITION, call)

    [(envelope, published)] = await market.events(events_pb2.JobPublished, draft.name.rsplit("/", 1)[1])
    assert envelope.source == "marketplace" and envelope.aggregate_type == "job"
    assert published.job.name == draft.name and published.job.state == mp.JOB_STATE_OPEN
    [(_, closed_event)] = await market.events(events_pb2.JobClosed, draft.name.rsplit("/", 1)[1])
    assert closed_event.job == draft.name


async def test_a_draft_can_be_closed_without_publishing(market):
    employer = await market.employer()
    draft = await market.job(employer, publish=False)
    closed = (await employer.api.CloseJob(mp.CloseJobRequest(name=draft.name))).job
    assert closed.state == mp.JOB_STATE_CLOSED and not closed.HasField("publish_time")


async def test_publishing_an_incomplete_job_fails(market):
    employer = await market.employer()
    # Validation lets whitespace through; publishing needs real text.
    draft = await market.job(employer, publish=False, description="   ")
    error = await market.fails(Code.FAILED_PRECONDITION, employer.api.PublishJob(mp.PublishJobRequest(name=draft.name)))
    assert "description" in error.details()
    got = (await employer.api.GetJob(mp.GetJobRequest(name=draft.name))).job
    assert got.state == mp.JOB_STATE_DRAFT
    # And an open job cannot be blanked by an update.
    job = await market.job(employer)
    await market.fails(
        Code.FAILED_PRECONDITION,
        employer.api.UpdateJob(
            mp.UpdateJobRequest(job=market.job_message(name=job.name, title="  "), update_mask=_mask("title"))
        ),
    )


async def test_wage_max_below_wage_min_is_invalid(market):
    employer = await market.employer()
    error = await market.fails(
        Code.INVALID_ARGUMENT,
        employer.api.CreateJob(
            mp.CreateJobRequest(
                parent=employer.employer, job=market.job_message(wage_min=market.yen(2000), wage_max=market.yen(1999))
            )
        ),
    )
    assert ("job", "job.wage_range") in market.bad_fields(error)

    # A request consistent on its own that would leave the stored job inverted.
    job = await market.job(employer, publish=False)
    error = await market.fails(
        Code.INVALID_ARGUMENT,
        employer.api.UpdateJob(
            mp.UpdateJobRequest(
                job=market.job_message(name=job.name, wage_min=market.yen(100), wage_max=market.yen(500)),
                update_mask=_mask("wage_max"),
            )
        ),
    )
    assert [f for f, _ in market.bad_fields(error)] == ["wage_max"]


# --- visibility and ownership -----------------------------------------------------------


async def test_a_draft_is_visible_only_to_its_employer(market):
    employer, other, worker = await market.employer(), await market.employer("Kobe Steel"), await market.worker()
    draft = await market.job(employer, publish=False)
    anonymous = market.anonymous()
    for client in (anonymous, other.client, worker.client):
        await market.fails(Code.NOT_FOUND, client.marketplace.GetJob(mp.GetJobRequest(name=draft.name)))
    assert (await employer.api.GetJob(mp.GetJobRequest(name=draft.name))).job == draft
    admin = await market.admin()
    assert (await admin.api.GetJob(mp.GetJobRequest(name=draft.name))).job.name == draft.name

    await employer.api.PublishJob(mp.PublishJobRequest(name=draft.name))
    public = (await anonymous.marketplace.GetJob(mp.GetJobRequest(name=draft.name))).job
    assert public.state == mp.JOB_STATE_OPEN
    await employer.api.CloseJob(mp.CloseJobRequest(name=draft.name))
    assert (await anonymous.marketplace.GetJob(mp.GetJobRequest(name=draft.name))).job.state == mp.JOB_STATE_CLOSED
    # A job under the wrong employer does not exist.
    wrong = draft.name.replace(employer.org_id, other.org_id)
    await market.fails(Code.NOT_FOUND, other.api.GetJob(mp.GetJobRequest(name=wrong)))


async def test_job_writes_need_an_employer_of_that_organisation(market):
    employer_a, employer_b, worker = await market.employer(), await market.employer("B"), await market.worker()
    job_b = await market.job(employer_b, publish=False)
    await market.fails(
        Code.PERMISSION_DENIED,
        employer_a.api.CreateJob(mp.CreateJobRequest(parent=employer_b.employer, job=market.job_message())),
    )
    await market.fails(
        Code.PERMISSION_DENIED,
        worker.api.CreateJob(mp.CreateJobRequest(parent=employer_a.employer, job=market.job_message())),
    )
    for call in (
        employer_a.api.UpdateJob(
            mp.UpdateJobRequest(job=market.job_message(name=job_b.name), update_mask=_mask("headcount"))
        ),
        employer_a.api.PublishJob(mp.PublishJobRequest(name=job_b.name)),
        employer_a.api.CloseJob(mp.CloseJobRequest(name=job_b.name)),
        employer_a.api.ListJobs(mp.ListJobsRequest(parent=employer_b.employer)),
        worker.api.PublishJob(mp.PublishJobRequest(name=job_b.name)),
    ):
        await market.fails(Code.PERMISSION_DENIED, call)
    assert (await employer_b.api.GetJob(mp.GetJobRequest(name=job_b.name))).job.state == mp.JOB_STATE_DRAFT


async def test_partner_key_manages_jobs_of_its_organisation_only(market):
    employer, other = await market.employer(), await market.employer("Kobe Steel")
    partner = await market.partner(employer)
    job = (await partner.api.CreateJob(mp.CreateJobRequest(parent=employer.employer, job=market.job_message()))).job
    assert job.name.startswith(f"{employer.employer}/jobs/")
    assert (await partner.api.PublishJob(mp.PublishJobRequest(name=job.name))).job.state == mp.JOB_STATE_OPEN
    listed = await partner.api.ListJobs(mp.ListJobsRequest(parent=employer.employer))
    assert job.name in [j.name for j in listed.jobs]
    await market.fails(
        Code.PERMISSION_DENIED,
        partner.api.CreateJob(mp.CreateJobRequest(parent=other.employer, job=market.job_message())),
    )
    # The key's token is not a worker's.
    await market.fails(
        Code.PERMISSION_DENIED, partner.api.CreateApplication(mp.CreateApplicationRequest(parent=job.name))
    )


# --- listing -------------------------------------------------------------------------------


async def test_list_jobs_pages_through_every_job_once_with_a_state_filter(market):
    employer = await market.employer()
    made = [await market.job(employer, publish=i % 2 == 0) for i in range(5)]
    closed = made[0]
    await employer.api.CloseJob(mp.CloseJobRequest(name=closed.name))

    seen, token = [], ""
    while True:
        page = await employer.api.ListJobs(mp.ListJobsRequest(parent=employer.employer, page_size=1, page_token=token))
        assert len(page.jobs) <= 1
        seen.extend(j.name for j in page.jobs)
        token = page.next_page_token
        if not token:
            break
    assert seen == [j.name for j in reversed(made)]  # newest first, each once

    def names(response):
        return {j.name for j in response.jobs}

    by_state = {
        state: names(await employer.api.ListJobs(mp.ListJobsRequest(parent=employer.employer, state=state)))
        for state in (mp.JOB_STATE_DRAFT, mp.JOB_STATE_OPEN, mp.JOB_STATE_CLOSED)
    }
    assert by_state == {
        mp.JOB_STATE_DRAFT: {made[1].name, made[3].name},
        mp.JOB_STATE_OPEN: {made[2].name, made[4].name},
        mp.JOB_STATE_CLOSED: {closed.name},
    }

    first = await employer.api.ListJobs(mp.ListJobsRequest(parent=employer.employer, page_size=2))
    await market.fails(
        Code.INVALID_ARGUMENT,
        employer.api.ListJobs(
            mp.ListJobsRequest(
                parent=employer.employer, page_size=2, page_token=first.next_page_token, state=mp.JOB_STATE_OPEN
            )
        ),
    )


# --- search ----------------------------------------------------------------------------------


async def test_search_filters(market):
    employer, sponsor = await market.employer(), await market.employer("Sponsoring Co")
    word = market.unique_word()

    async def job(**fields):
        return (await market.job(employer, word, **fields)).name

    osaka = await job()
    tokyo = await job(location=types.Location(prefecture="JP-13", city="Minato"))
    part_time = await job(employment_type=types.EMPLOYMENT_TYPE_PART_TIME, hours_per_week=20)
    internship = await job(employment_type=types.EMPLOYMENT_TYPE_INTERNSHIP, hours_per_week=28)
    nursing = await job(
        eligible_visa_statuses=[types.VISA_STATUS_SSW_1, types.VISA_STATUS_SSW_2],
        eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE],
    )
    engineers = await job(eligible_visa_statuses=[types.VISA_STATUS_ENGINEER_SPECIALIST])
    sponsored = (await market.job(sponsor, word, offers_visa_sponsorship=True)).name
    n2 = await job(min_japanese_level=types.JAPANESE_LEVEL_N2)
    native = await job(min_japanese_level=types.JAPANESE_LEVEL_NATIVE)
    draft = (await market.job(employer, word, publish=False)).name
    everything = {osaka, tokyo, part_time, internship, nursing, engineers, sponsored, n2, native}

    client = market.anonymous()  # search is public

    async def found(**filters) -> set[str]:
        return {j.name for j in await _search_all(client, query=word, **filters)}

    assert await found() == everything and draft not in await found()
    other_word = market.unique_word()
    await market.job(employer, other_word)
    assert await found() == everything  # the query isolates
    # Words of the description and of skills are searched too.
    skill_word, description_word = market.unique_word("skill"), market.unique_word("about")
    skilled = await job(required_skills=[mp.Skill(label=skill_word)], description=f"We weld {description_word}.")
    everything.add(skilled)
    assert await found() == everything
    for other in (skill_word, description_word):
        assert [j.name for j in await _search_all(client, query=other)] == [skilled]

    assert await found(prefecture="JP-13") == {tokyo}
    assert await found(employment_type=types.EMPLOYMENT_TYPE_INTERNSHIP) == {internship}
    unrestricted = everything - {nursing, engineers}
    assert await found(visa_status=types.VISA_STATUS_PERMANENT_RESIDENT) == everything
    # SSW holders only where the job declares their field.
    assert await found(visa_status=types.VISA_STATUS_SSW_1, ssw_field=types.SSW_FIELD_NURSING_CARE) == {nursing}
    assert await found(visa_status=types.VISA_STATUS_SSW_2, ssw_field=types.SSW_FIELD_CONSTRUCTION) == set()
    assert await found(visa_status=types.VISA_STATUS_ENGINEER_SPECIALIST) == unrestricted | {engineers}
    assert await found(visa_status=types.VISA_STATUS_STUDENT) == {part_time, internship}
    assert await found(visa_status=types.VISA_STATUS_NEEDS_SPONSORSHIP) == {sponsored}
    assert await found(japanese_level=types.JAPANESE_LEVEL_N3) == everything - {n2, native}
    assert await found(japanese_level=types.JAPANESE_LEVEL_N1) == everything - {native}
    assert await found(japanese_level=types.JAPANESE_LEVEL_NATIVE) == everything
    assert await found(
        prefecture="JP-27",
        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
        japanese_level=types.JAPANESE_LEVEL_N3,
        visa_status=types.VISA_STATUS_PERMANENT_RESIDENT,
    ) == {osaka, nursing, engineers, sponsored, skilled}

    # Closing a job removes it from search.
    await employer.api.CloseJob(mp.CloseJobRequest(name=osaka))
    assert osaka not in await found()


async def test_search_wage_at_least_compares_per_month(market):
    employer = await market.employer()
    word = market.unique_word()

    async def job(low, high, period):
        return (
            await market.job(employer, word, wage_min=market.yen(low), wage_max=market.yen(high), wage_period=period)
        ).name

    hourly = await job(1200, 1500, types.WAGE_PERIOD_HOURLY)  # 240,000 a month
    daily = await job(10000, 12000, types.WAGE_PERIOD_DAILY)  # 240,000
    monthly = await job(200000, 240000, types.WAGE_PERIOD_MONTHLY)
    annual = await job(2500000, 2880000, types.WAGE_PERIOD_ANNUAL)  # 240,000
    just_below = await job(200000, 239999, types.WAGE_PERIOD_MONTHLY)
    client = market.anonymous()

    async def found(units, period) -> set[str]:
        return {
            j.name for j in await _search_all(client, query=word, wage_at_least=market.yen(units), wage_period=period)
        }

    at_240k = {hourly, daily, monthly, annual}
    assert await found(1500, types.WAGE_PERIOD_HOURLY) == at_240k
    assert await found(240000, types.WAGE_PERIOD_MONTHLY) == at_240k
    assert await found(12000, types.WAGE_PERIOD_DAILY) == at_240k
    assert await found(2880000, types.WAGE_PERIOD_ANNUAL) == at_240k
    assert await found(1501, types.WAGE_PERIOD_HOURLY) == set()
    assert await found(1499, types.WAGE_PERIOD_HOURLY) == at_240k | {just_below}
    assert await found(0, types.WAGE_PERIOD_MONTHLY) == at_240k | {just_below}


async def test_search_orderings(market):
    employer = await market.employer()
    word = market.unique_word()
    specs = [
        (1000, 1500, types.WAGE_PERIOD_HOURLY),
        (180000, 200000, types.WAGE_PERIOD_MONTHLY),
        (9000, 15000, types.WAGE_PERIOD_DAILY),
        (3000000, 4200000, types.WAGE_PERIOD_ANNUAL),
        (150000, 260000, types.WAGE_PERIOD_MONTHLY),
    ]
    made = []  # in publish order
    for low, high, period in specs:
        job = await market.job(employer, word, wage_min=market.yen(low), wage_max=market.yen(high), wage_period=period)
        made.append(job)
    client = market.anonymous()

    def key(job, bound):
        return _monthly(getattr(job, bound).units, job.wage_period)

    newest_first = [j.name for j in reversed(made)]
    for order_by in ("", "publish_time desc"):
        assert [j.name for j in await _search_all(client, query=word, order_by=order_by)] == newest_first
    by_wage_desc = await _search_all(client, query=word, order_by="wage desc")
    assert [key(j, "wage_max") for j in by_wage_desc] == sorted((key(j, "wage_max") for j in made), reverse=True)
    by_wage_asc = await _search_all(client, query=word, order_by="wage asc")
    assert [key(j, "wage_min") for j in by_wage_asc] == sorted(key(j, "wage_min") for j in made)
    # Same monthly wage sorts stably by id, and paging keeps the order.
    for order_by in ("", "wage desc", "wage asc"):
        whole = [j.name for j in await _search_all(client, query=word, order_by=order_by)]
        paged, token = [], ""
        while True:
            page = await client.marketplace.SearchJobs(
                mp.SearchJobsRequest(query=word, order_by=order_by, page_size=2, page_token=token)
            )
            paged.extend(j.name for j in page.jobs)
            token = page.next_page_token
            if not token:
                break
        assert paged == whole, order_by


async def test_search_pagination_and_page_tokens(market):
    employer = await market.employer()
    word = market.unique_word()
    made = {(await market.job(employer, word)).name for _ in range(5)}
    client = market.anonymous()

    pages, token = [], ""
    while True:
        page = await client.marketplace.SearchJobs(mp.SearchJobsRequest(query=word, page_size=2, page_token=token))
        assert page.total_size == 5
        pages.append([j.name for j in page.jobs])
        token = page.next_page_token
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert set(itertools.chain(*pages)) == made

    first = await client.marketplace.SearchJobs(mp.SearchJobsRequest(query=word, page_size=2))
    # The page size may change between pages; the filters may not.
    rest = await client.marketplace.SearchJobs(
        mp.SearchJobsRequest(query=word, page_size=3, page_token=first.next_page_token)
    )
    assert {j.name for j in [*first.jobs, *rest.jobs]} == made and not rest.next_page_token
    for changed in (
        {"query": word, "prefecture": "JP-27"},
        {"query": word, "order_by": "wage asc"},
        {"query": market.unique_word()},
        {"query": word, "visa_status": types.VISA_STATUS_STUDENT},
    ):
        error = await market.fails(
            Code.INVALID_ARGUMENT,
            client.marketplace.SearchJobs(
                mp.SearchJobsRequest(page_size=2, page_token=first.next_page_token, **changed)
            ),
        )
        assert [f for f, _ in market.bad_fields(error)] == ["page_token"]
    token = first.next_page_token
    middle = len(token) // 2
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    for garbage in ("garbage", "AAAAAAAAAAAAAAAAAAAAAAAA", token[:-2], altered, token + "!"):
        error = await market.fails(
            Code.INVALID_ARGUMENT,
            client.marketplace.SearchJobs(mp.SearchJobsRequest(query=word, page_size=2, page_token=garbage)),
        )
        assert [f for f, _ in market.bad_fields(error)] == ["page_token"]
    # A token from another list is not a search token.
    listed = await employer.api.ListJobs(mp.ListJobsRequest(parent=employer.employer, page_size=1))
    await market.fails(
        Code.INVALID_ARGUMENT,
        client.marketplace.SearchJobs(mp.SearchJobsRequest(query=word, page_token=listed.next_page_token)),
    )


# --- search agrees with the eligibility rules ------------------------------------------------

_VISA_CHOICES = [
    [],
    [types.VISA_STATUS_DEPENDENT, types.VISA_STATUS_DESIGNATED_ACTIVITIES],
    [types.VISA_STATUS_SKILL_DEVELOPMENT, types.VISA_STATUS_NURSING_CARE],
    [types.VISA_STATUS_SSW_1],
    [types.VISA_STATUS_SSW_1, types.VISA_STATUS_SSW_2],
    [types.VISA_STATUS_STUDENT, types.VISA_STATUS_TECHNICAL_INTERN],
    [types.VISA_STATUS_ENGINEER_SPECIALIST],
    [types.VISA_STATUS_NEEDS_SPONSORSHIP, types.VISA_STATUS_ENGINEER_SPECIALIST],
]
_SSW_CHOICES = [[], [types.SSW_FIELD_NURSING_CARE], [types.SSW_FIELD_MANUFACTURING, types.SSW_FIELD_CONSTRUCTION]]
_EMPLOYMENT_CHOICES = [
    types.EMPLOYMENT_TYPE_FULL_TIME,
    types.EMPLOYMENT_TYPE_PART_TIME,
    types.EMPLOYMENT_TYPE_INTERNSHIP,
    types.EMPLOYMENT_TYPE_CONTRACT,
]
_JAPANESE_CHOICES = [
    types.JAPANESE_LEVEL_UNSPECIFIED,
    types.JAPANESE_LEVEL_NONE,
    types.JAPANESE_LEVEL_N4,
    types.JAPANESE_LEVEL_N2,
    types.JAPANESE_LEVEL_NATIVE,
]


def _worker_grid():
    """(visa_status, ssw_field, japanese_level) for the search filters; 0 means the filter is unset."""
    japanese = [
        0,
        types.JAPANESE_LEVEL_NONE,
        types.JAPANESE_LEVEL_N5,
        types.JAPANESE_LEVEL_N3,
        types.JAPANESE_LEVEL_N1,
        types.JAPANESE_LEVEL_NATIVE,
    ]
    for status in types.VisaStatus.values():
        fields = (
            [0, types.SSW_FIELD_NURSING_CARE, types.SSW_FIELD_MANUFACTURING, types.SSW_FIELD_AGRICULTURE]
            if contracts.status(status) in rules.FIELD_BOUND
            else [0]
        )
        for ssw_field, level in itertools.product(fields, japanese):
            yield status, ssw_field, level


def _eligible(job: mp.Job, status: int, ssw_field: int, level: int) -> bool:
    # An unset search filter does not restrict: judge it as the least restricted worker.
    # A search knows no permission to work (assumed held) and no training employer.
    worker = Worker(
        name="workers/search",
        status=contracts.status(status or types.VISA_STATUS_JAPANESE_NATIONAL),
        designated_field=contracts.field(ssw_field),
        japanese_level=contracts.japanese_level_rank(level or types.JAPANESE_LEVEL_NATIVE),
        work_permission=True,
    )
    return rules.check(worker, contracts.job_facts(job), date.today()).eligible


async def test_search_filters_agree_with_the_eligibility_rules(market):
    employer = await market.employer()
    word = market.unique_word()
    rng = random.Random(20240401)
    combos = list(itertools.product(_VISA_CHOICES, _SSW_CHOICES, _EMPLOYMENT_CHOICES, [False, True], _JAPANESE_CHOICES))
    jobs = []
    for visas, fields, employment, sponsors, japanese in rng.sample(combos, 48):
        jobs.append(
            await market.job(
                employer,
                word,
                eligible_visa_statuses=visas,
                eligible_ssw_fields=fields,
                employment_type=employment,
                offers_visa_sponsorship=sponsors,
                min_japanese_level=japanese,
                hours_per_week=rng.choice([0, 20, 28, 29, 40]),
                manual_work=rng.random() < 0.5,
            )
        )
    client = market.anonymous()
    results = []
    for status, ssw_field, level in _worker_grid():
        found = {
            j.name
            for j in await _search_all(
                client, query=word, visa_status=status, ssw_field=ssw_field, japanese_level=level
            )
        }
        expected = {j.name for j in jobs if _eligible(j, status, ssw_field, level)}
        assert found == expected, (
            types.VisaStatus.Name(status),
            types.SswField.Name(ssw_field),
            types.JapaneseLevel.Name(level),
        )
        results.append(frozenset(found))
    # The spread of jobs makes the grid discriminating: many different answers, none of them trivial.
    assert len(results) > 80 and len(set(results)) > 25
    assert sum(0 < len(r) < len(jobs) for r in results) > len(results) // 2


async def test_update_job_sends_only_the_changed_field(market):
    """A partial update carries just the masked field: drafts may be incomplete,
    completeness is checked when publishing (and kept while open)."""
    employer = await market.employer()
    draft = await market.job(employer, market.unique_word(), publish=False)
    updated = (
        await employer.api.UpdateJob(
            mp.UpdateJobRequest(job=mp.Job(name=draft.name, headcount=7), update_mask=_mask("headcount"))
        )
    ).job
    assert updated.headcount == 7 and updated.title == draft.title and updated.location == draft.location

    # Clearing a required field of a draft is allowed, but then it cannot be published.
    cleared = (
        await employer.api.UpdateJob(mp.UpdateJobRequest(job=mp.Job(name=draft.name), update_mask=_mask("location")))
    ).job
    assert not cleared.HasField("location")
    error = await market.fails(Code.FAILED_PRECONDITION, employer.api.PublishJob(mp.PublishJobRequest(name=draft.name)))
    assert "location.prefecture" in error.details()

    # An open job must stay publishable.
    opened = await market.job(employer, market.unique_word())
    await market.fails(
        Code.FAILED_PRECONDITION,
        employer.api.UpdateJob(mp.UpdateJobRequest(job=mp.Job(name=opened.name), update_mask=_mask("wage_period"))),
    )
