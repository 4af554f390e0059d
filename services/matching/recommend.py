"""The matcher's reads as the service makes them: every query of a remote job index awaited.

`ranking.Matcher` is plain, synchronous domain code. With the pgvector backend
its job vectors are in PostgreSQL, so a recommendation needs a query (the
filtered search, or a job's vector); made synchronously on the event loop it
would stall every other RPC of the replica for its duration. These functions
run the matcher's steps around awaited queries instead (`jobs_query` → awaited
`asearch_rows` → `rank_jobs`). With an in-memory index (faiss) they are the
matcher's own methods. Callers hold one matcher for the whole call (the
projection may swap in a rebuilt one meanwhile); a job closed during the await
is left out of the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from services.eligibility.facts import Job, Worker
from services.matching.domain.ranking import WATCH_LIMIT, Found, Matcher, Ranked, Vector


async def job_vectors(matcher: Matcher, names: Sequence[str]) -> Mapping[str, Vector]:
    """The vectors of these jobs (a remote index: only theirs, fetched; else the in-memory map)."""
    if matcher.remote is None:
        return matcher.job_vectors
    wanted = [n for n in names if n in matcher.vectored]
    return await matcher.remote.avectors(wanted) if wanted else {}


async def recommend_jobs(
    matcher: Matcher, worker: Worker, now: dt.datetime, *, limit: int, offset: int = 0, prefecture: str = ""
) -> tuple[list[Ranked], bool, Mapping[str, Vector]]:
    """`Matcher.recommend_jobs`, and the vectors of the jobs it ranked."""
    if matcher.remote is None:
        ranked, more = matcher.recommend_jobs(worker, now, limit=limit, offset=offset, prefecture=prefecture)
        return ranked, more, matcher.job_vectors
    query = matcher.jobs_query(worker, limit=limit, offset=offset, prefecture=prefecture)
    if query.vector is None:
        names, vectors = query.newest, await job_vectors(matcher, query.newest)
    else:
        names, vectors = matcher.pool_of(await matcher.remote.asearch_rows(query.vector, query.pool_size, query.mask))
    ranked, more = matcher.rank_jobs(worker, now, query, names, vectors, limit=limit, offset=offset)
    return ranked, more, vectors


async def explain(matcher: Matcher, worker: Worker, job: Job, now: dt.datetime) -> Ranked:
    return matcher.explain(worker, job, now, await job_vectors(matcher, [job.name]))


async def recommend_workers(
    matcher: Matcher, job: Job, now: dt.datetime, *, limit: int, offset: int = 0
) -> tuple[list[Ranked], bool]:
    vectors = await job_vectors(matcher, [job.name])
    return matcher.recommend_workers(job, now, limit=limit, offset=offset, vectors=vectors)


async def matches_for_job(
    matcher: Matcher, job: Job, now: dt.datetime, floor: float, limit: int = WATCH_LIMIT
) -> list[Found]:
    vectors = await job_vectors(matcher, [job.name])
    return matcher.matches_for_job(job, now, floor, limit, vectors=vectors)


async def matches_for_worker(matcher: Matcher, worker: Worker, now: dt.datetime, floor: float) -> list[Found]:
    ranked, _, vectors = await recommend_jobs(matcher, worker, now, limit=50)
    return matcher.found_for_worker(worker, ranked, now, floor, vectors)
