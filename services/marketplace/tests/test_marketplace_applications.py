"""Applications over real gRPC: applying, the status machine, who sees what, history and events."""

from __future__ import annotations

import uuid

import grpc

from iworkz.marketplace.v1 import events_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types

Code = grpc.StatusCode
APPLIED, SHORTLISTED, INTERVIEW, OFFER, HIRED, REJECTED, WITHDRAWN = (
    mp.APPLICATION_STATUS_APPLIED,
    mp.APPLICATION_STATUS_SHORTLISTED,
    mp.APPLICATION_STATUS_INTERVIEW,
    mp.APPLICATION_STATUS_OFFER,
    mp.APPLICATION_STATUS_HIRED,
    mp.APPLICATION_STATUS_REJECTED,
    mp.APPLICATION_STATUS_WITHDRAWN,
)
# The employer's moves, written out from the product rules (not read from the domain module).
EMPLOYER_MOVES = {
    APPLIED: {SHORTLISTED, INTERVIEW, REJECTED},
    SHORTLISTED: {INTERVIEW, REJECTED},
    INTERVIEW: {OFFER, REJECTED},
    OFFER: {HIRED, REJECTED},
    HIRED: set(),
    REJECTED: set(),
    WITHDRAWN: set(),
}
# Statuses UpdateApplicationStatus accepts at all; others are INVALID_ARGUMENT.
EMPLOYER_TARGETS = (SHORTLISTED, INTERVIEW, OFFER, HIRED, REJECTED)
# The shortest path from APPLIED to each status.
PATHS = {
    APPLIED: [],
    SHORTLISTED: [SHORTLISTED],
    INTERVIEW: [INTERVIEW],
    OFFER: [INTERVIEW, OFFER],
    HIRED: [INTERVIEW, OFFER, HIRED],
    REJECTED: [REJECTED],
    WITHDRAWN: [],
}


def _app_id(application: mp.Application) -> str:
    return application.name.rsplit("/", 1)[1]


async def _move(employer, name: str, status: int, note: str = "") -> mp.Application:
    return (
        await employer.api.UpdateApplicationStatus(
            mp.UpdateApplicationStatusRequest(name=name, status=status, note=note)
        )
    ).application


async def _apply(worker, job: mp.Job, cover_letter: str = "") -> mp.Application:
    return (
        await worker.api.CreateApplication(mp.CreateApplicationRequest(parent=job.name, cover_letter=cover_letter))
    ).application


async def _status(employer, name: str) -> int:
    return (await employer.api.GetApplication(mp.GetApplicationRequest(name=name))).application.status


async def test_apply_move_and_hire_with_history_and_events(market):
    employer, worker = await market.employer(), await market.worker()
    await market.profile(worker, display_name="Tran Thi Mai")
    job = await market.job(employer, market.unique_word())

    applied = await _apply(worker, job, "Five years of TIG welding.")
    assert applied.name.startswith(f"{job.name}/applications/")
    assert (
        applied.status,
        applied.worker,
        applied.job,
        applied.job_title,
        applied.worker_display_name,
        applied.cover_letter,
    ) == (APPLIED, worker.worker, job.name, job.title, "Tran Thi Mai", "Five years of TIG welding.")
    assert [(e.from_status, e.to_status, e.actor) for e in applied.history] == [
        (mp.APPLICATION_STATUS_UNSPECIFIED, APPLIED, f"users/{worker.user_id}")
    ]

    for status in (SHORTLISTED, INTERVIEW, OFFER, HIRED):
        moved = await _move(employer, applied.name, status, note=f"to {mp.ApplicationStatus.Name(status)}")
        assert moved.status == status
    final = (await worker.api.GetApplication(mp.GetApplicationRequest(name=applied.name))).application
    assert [(e.from_status, e.to_status) for e in final.history] == [
        (0, APPLIED),
        (APPLIED, SHORTLISTED),
        (SHORTLISTED, INTERVIEW),
        (INTERVIEW, OFFER),
        (OFFER, HIRED),
    ]
    assert {e.actor for e in final.history[1:]} == {f"users/{employer.user_id}"}
    assert final.history[-1].note == "to APPLICATION_STATUS_HIRED"
    assert all(e.create_time.seconds > 0 for e in final.history)

    [(envelope, submitted)] = await market.events(events_pb2.ApplicationSubmitted, _app_id(applied))
    assert (envelope.source, envelope.aggregate_type, envelope.type) == (
        "marketplace",
        "application",
        "iworkz.marketplace.v1.ApplicationSubmitted",
    )
    assert submitted.application.name == applied.name and submitted.employer == employer.employer
    changes = await market.events(events_pb2.ApplicationStatusChanged, _app_id(applied))
    assert [(e.from_status, e.to_status, e.actor, e.application.status, e.employer) for _, e in changes] == [
        (a, b, f"users/{employer.user_id}", b, employer.employer)
        for a, b in ((APPLIED, SHORTLISTED), (SHORTLISTED, INTERVIEW), (INTERVIEW, OFFER), (OFFER, HIRED))
    ]
    assert len({envelope.id for envelope, _ in changes}) == 4

    # Hired is final for the worker too.
    await market.fails(
        Code.FAILED_PRECONDITION, worker.api.WithdrawApplication(mp.WithdrawApplicationRequest(name=applied.name))
    )


async def test_applying_needs_an_open_job_a_profile_and_eligibility(market):
    employer, worker = await market.employer(), await market.worker()
    draft = await market.job(employer, publish=False)
    closed = await market.job(employer)
    await employer.api.CloseJob(mp.CloseJobRequest(name=closed.name))
    open_job = await market.job(employer)

    error = await market.fails(
        Code.FAILED_PRECONDITION, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=open_job.name))
    )
    assert "profile" in error.details()

    await market.profile(worker, visa_status=types.VISA_STATUS_STUDENT, work_permission=True)
    for job in (draft, closed):
        await market.fails(
            Code.FAILED_PRECONDITION, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=job.name))
        )
    # A full-time job is not for a student; the reason says why.
    error = await market.fails(
        Code.FAILED_PRECONDITION, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=open_job.name))
    )
    assert "not eligible" in error.details() and "Students may take only part-time work" in error.details()
    # Part-time, but more than the 28 hours a week a student may work.
    long_hours = await market.job(employer, employment_type=types.EMPLOYMENT_TYPE_PART_TIME, hours_per_week=30)
    error = await market.fails(
        Code.FAILED_PRECONDITION, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=long_hours.name))
    )
    assert "at most 28 hours a week" in error.details()
    n2 = await market.job(
        employer,
        employment_type=types.EMPLOYMENT_TYPE_PART_TIME,
        hours_per_week=20,
        min_japanese_level=types.JAPANESE_LEVEL_N2,
    )
    error = await market.fails(
        Code.FAILED_PRECONDITION, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=n2.name))
    )
    assert "JLPT N2 is needed" in error.details()
    # With an N2 certificate the same worker may apply.
    await market.profile(
        worker,
        visa_status=types.VISA_STATUS_STUDENT,
        work_permission=True,
        languages=[mp.LanguageSkill(language="ja", jlpt_level=types.JAPANESE_LEVEL_N2)],
    )
    assert (await _apply(worker, n2)).status == APPLIED

    missing = f"{employer.employer}/jobs/{uuid.uuid4()}"
    await market.fails(Code.NOT_FOUND, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=missing)))
    assert (
        await employer.api.ListJobApplications(mp.ListJobApplicationsRequest(parent=f"{employer.employer}/jobs/-"))
    ).applications[0].job == n2.name


async def test_one_application_per_worker_and_job(market):
    employer, worker = await market.employer(), await market.worker()
    await market.profile(worker)
    job = await market.job(employer)
    first = await _apply(worker, job)
    await market.fails(Code.ALREADY_EXISTS, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=job.name)))
    # Not even after withdrawing.
    await worker.api.WithdrawApplication(mp.WithdrawApplicationRequest(name=first.name))
    await market.fails(Code.ALREADY_EXISTS, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=job.name)))


async def test_worker_withdraws_an_open_application_but_not_a_final_one(market):
    employer, worker = await market.employer(), await market.worker()
    await market.profile(worker)
    job_a, job_b, job_c = [await market.job(employer) for _ in range(3)]

    shortlisted = await _apply(worker, job_a)
    await _move(employer, shortlisted.name, SHORTLISTED)
    withdrawn = (
        await worker.api.WithdrawApplication(
            mp.WithdrawApplicationRequest(name=shortlisted.name, note="Took another offer")
        )
    ).application
    assert withdrawn.status == WITHDRAWN
    assert (
        withdrawn.history[-1].from_status,
        withdrawn.history[-1].to_status,
        withdrawn.history[-1].actor,
        withdrawn.history[-1].note,
    ) == (SHORTLISTED, WITHDRAWN, f"users/{worker.user_id}", "Took another offer")
    [(_, event)] = [
        e
        for e in await market.events(events_pb2.ApplicationStatusChanged, _app_id(shortlisted))
        if e[1].to_status == WITHDRAWN
    ]
    assert event.from_status == SHORTLISTED and event.actor == f"users/{worker.user_id}"

    rejected = await _apply(worker, job_b)
    await _move(employer, rejected.name, REJECTED)
    hired = await _apply(worker, job_c)
    for status in PATHS[HIRED]:
        await _move(employer, hired.name, status)
    for name in (shortlisted.name, rejected.name, hired.name):
        await market.fails(
            Code.FAILED_PRECONDITION, worker.api.WithdrawApplication(mp.WithdrawApplicationRequest(name=name))
        )
    assert await _status(employer, hired.name) == HIRED
    # The employer cannot withdraw for the worker.
    await market.fails(
        Code.PERMISSION_DENIED, employer.api.WithdrawApplication(mp.WithdrawApplicationRequest(name=hired.name))
    )


async def test_every_illegal_employer_move_is_a_failed_precondition(market):
    employer, worker = await market.employer(), await market.worker()
    await market.profile(worker)
    at = {}
    for status, path in PATHS.items():
        application = await _apply(worker, await market.job(employer))
        for step in path:
            await _move(employer, application.name, step)
        if status == WITHDRAWN:
            await worker.api.WithdrawApplication(mp.WithdrawApplicationRequest(name=application.name))
        assert await _status(employer, application.name) == status
        at[status] = application.name

    illegal = 0
    for current, name in at.items():
        for target in EMPLOYER_TARGETS:
            if target in EMPLOYER_MOVES[current]:
                continue
            error = await market.fails(
                Code.FAILED_PRECONDITION,
                employer.api.UpdateApplicationStatus(mp.UpdateApplicationStatusRequest(name=name, status=target)),
            )
            assert "cannot move" in error.details()
            assert await _status(employer, name) == current
            illegal += 1
        # Statuses an employer never sets are a bad request, whatever the current status.
        for target in (APPLIED, WITHDRAWN):
            await market.fails(
                Code.INVALID_ARGUMENT,
                employer.api.UpdateApplicationStatus(mp.UpdateApplicationStatusRequest(name=name, status=target)),
            )
    assert illegal == sum(len(EMPLOYER_TARGETS) - len(moves) for moves in EMPLOYER_MOVES.values())
    # Each legal move from APPLIED works (on fresh applications).
    for target in EMPLOYER_MOVES[APPLIED]:
        application = await _apply(worker, await market.job(employer))
        assert (await _move(employer, application.name, target)).status == target


async def test_who_sees_which_applications(market):
    employer, other_employer = await market.employer(), await market.employer("Kobe Steel")
    worker, other_worker = await market.worker(), await market.worker()
    for w in (worker, other_worker):
        await market.profile(w)
    job_1, job_2 = await market.job(employer), await market.job(employer)
    other_job = await market.job(other_employer)
    mine_1 = await _apply(worker, job_1)
    mine_2 = await _apply(worker, job_2)
    theirs = await _apply(other_worker, job_1)
    elsewhere = await _apply(worker, other_job)
    await _move(employer, mine_2.name, SHORTLISTED)

    # Workers: own applications only.
    listed = await worker.api.ListWorkerApplications(mp.ListWorkerApplicationsRequest(parent=worker.worker))
    assert [a.name for a in listed.applications] == [elsewhere.name, mine_2.name, mine_1.name]
    assert all(a.history for a in listed.applications)
    await market.fails(
        Code.PERMISSION_DENIED,
        worker.api.ListWorkerApplications(mp.ListWorkerApplicationsRequest(parent=other_worker.worker)),
    )
    await market.fails(Code.PERMISSION_DENIED, worker.api.GetApplication(mp.GetApplicationRequest(name=theirs.name)))
    await market.fails(
        Code.PERMISSION_DENIED, worker.api.WithdrawApplication(mp.WithdrawApplicationRequest(name=theirs.name))
    )
    assert await _status(employer, theirs.name) == APPLIED

    # Employers: applications to their own jobs only.
    assert (
        await employer.api.GetApplication(mp.GetApplicationRequest(name=theirs.name))
    ).application.worker == other_worker.worker
    await market.fails(
        Code.PERMISSION_DENIED, other_employer.api.GetApplication(mp.GetApplicationRequest(name=mine_1.name))
    )
    for parent in (job_1.name, f"{employer.employer}/jobs/-"):
        await market.fails(
            Code.PERMISSION_DENIED, other_employer.api.ListJobApplications(mp.ListJobApplicationsRequest(parent=parent))
        )
    await market.fails(
        Code.PERMISSION_DENIED,
        other_employer.api.UpdateApplicationStatus(
            mp.UpdateApplicationStatusRequest(name=mine_1.name, status=SHORTLISTED)
        ),
    )
    await market.fails(
        Code.PERMISSION_DENIED,
        worker.api.UpdateApplicationStatus(mp.UpdateApplicationStatusRequest(name=mine_1.name, status=SHORTLISTED)),
    )

    async def names(parent: str, status: int = 0, page_size: int = 0) -> list[str]:
        found: list[str] = []
        token = ""
        while True:
            page = await employer.api.ListJobApplications(
                mp.ListJobApplicationsRequest(parent=parent, status=status, page_size=page_size, page_token=token)
            )
            found.extend(a.name for a in page.applications)
            token = page.next_page_token
            if not token:
                return found

    every = f"{employer.employer}/jobs/-"
    assert await names(job_1.name) == [theirs.name, mine_1.name]
    assert await names(job_2.name) == [mine_2.name]
    assert await names(every) == [theirs.name, mine_2.name, mine_1.name]
    assert await names(every, page_size=1) == [theirs.name, mine_2.name, mine_1.name]
    assert await names(every, status=SHORTLISTED) == [mine_2.name]
    assert await names(every, status=APPLIED) == [theirs.name, mine_1.name]
    assert await names(job_2.name, status=APPLIED) == []
    # A job of another employer under our name does not exist.
    await market.fails(
        Code.NOT_FOUND,
        employer.api.ListJobApplications(
            mp.ListJobApplicationsRequest(parent=other_job.name.replace(other_employer.org_id, employer.org_id))
        ),
    )

    # Admins see any application.
    admin = await market.admin()
    assert (await admin.api.GetApplication(mp.GetApplicationRequest(name=mine_1.name))).application.name == mine_1.name
