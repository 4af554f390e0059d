"""AIP-155 request ids on marketplace's creating RPCs, over real gRPC and PostgreSQL.

A retry with the same request id is answered with the first response and
changes nothing; the mechanism is the runtime's (`runtime/idempotency.py`).
"""

from __future__ import annotations

import asyncio
import uuid

import grpc

from iworkz.marketplace.v1 import marketplace_pb2 as mp

Code = grpc.StatusCode


async def _jobs_titled(market, title: str) -> list[dict]:
    return await market.rows("SELECT id FROM jobs WHERE title = %s", title)


async def _create(employer, market, title: str, request_id: str, **job_fields) -> mp.Job:
    request = mp.CreateJobRequest(
        parent=employer.employer, job=market.job_message(**{"title": title, **job_fields}), request_id=request_id
    )
    return (await employer.api.CreateJob(request)).job


async def test_a_repeated_create_job_returns_the_first_job_and_creates_one(market):
    employer = await market.employer()
    title = f"Welder {market.unique_word()}"
    request_id = str(uuid.uuid4())
    first = await _create(employer, market, title, request_id)
    again = await _create(employer, market, title, request_id)
    assert again == first
    assert len(await _jobs_titled(market, title)) == 1
    # A new request id is a new job.
    other = await _create(employer, market, title, str(uuid.uuid4()))
    assert other.name != first.name
    assert len(await _jobs_titled(market, title)) == 2


async def test_concurrent_retries_wait_for_the_first_and_apply_once(market):
    employer = await market.employer()
    title = f"Welder {market.unique_word()}"
    request_id = str(uuid.uuid4())
    answers = await asyncio.gather(*[_create(employer, market, title, request_id) for _ in range(6)])
    assert len({a.name for a in answers}) == 1
    assert len(await _jobs_titled(market, title)) == 1


async def test_the_same_request_id_with_another_request_is_invalid(market):
    employer = await market.employer()
    title = f"Welder {market.unique_word()}"
    request_id = str(uuid.uuid4())
    await _create(employer, market, title, request_id)
    error = await market.fails(Code.INVALID_ARGUMENT, _create(employer, market, title + " B", request_id))
    assert market.bad_fields(error) == [("request_id", "request_id.reused")]
    assert await _jobs_titled(market, title + " B") == []


async def test_request_ids_belong_to_their_caller(market):
    one, two = await market.employer(), await market.employer("Nagoya Care")
    title = f"Welder {market.unique_word()}"
    request_id = str(uuid.uuid4())
    a = await _create(one, market, title, request_id)
    b = await _create(two, market, title, request_id)
    assert a.name.startswith(one.employer) and b.name.startswith(two.employer)
    assert len(await _jobs_titled(market, title)) == 2


async def test_a_request_id_must_be_a_uuid(market):
    employer = await market.employer()
    error = await market.fails(Code.INVALID_ARGUMENT, _create(employer, market, "Welder", "not-a-uuid"))
    assert [f for f, _ in market.bad_fields(error)] == ["request_id"]


async def test_a_failed_request_stores_nothing_and_its_retry_runs(market):
    employer, worker = await market.employer(), await market.worker()
    job = await market.job(employer, market.unique_word())
    request = mp.CreateApplicationRequest(parent=job.name, cover_letter="Hello", request_id=str(uuid.uuid4()))
    # No profile yet: refused, and the request id is not spent.
    await market.fails(Code.FAILED_PRECONDITION, worker.api.CreateApplication(request))
    await market.profile(worker)
    first = (await worker.api.CreateApplication(request)).application
    again = (await worker.api.CreateApplication(request)).application
    assert again == first
    rows = await market.rows("SELECT id FROM applications WHERE job_id = %s", job.name.rsplit("/", 1)[1])
    assert len(rows) == 1
    # Without the request id the duplicate is the domain's own error, not a second application.
    await market.fails(Code.ALREADY_EXISTS, worker.api.CreateApplication(mp.CreateApplicationRequest(parent=job.name)))


async def test_request_ids_expire_after_24_hours_and_responses_are_sealed(market):
    employer = await market.employer()
    title = f"Welder {market.unique_word()}"
    request_id = str(uuid.uuid4())
    first = await _create(employer, market, title, request_id)
    [row] = await market.rows("SELECT response FROM idempotency_keys WHERE request_id = %s", request_id)
    assert title.encode() not in bytes(row["response"])  # encrypted at rest
    await market.rows(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE request_id = %s RETURNING 1",
        request_id,
    )
    later = await _create(employer, market, title, request_id)
    assert later.name != first.name
    assert len(await _jobs_titled(market, title)) == 2
