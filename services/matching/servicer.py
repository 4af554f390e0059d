"""MatchingService: thin RPCs over the projection (`projection.py`) and the domain."""

from __future__ import annotations

import asyncio

from google.protobuf import timestamp_pb2

from iworkz.matching.v1 import matching_pb2 as pb
from iworkz.matching.v1 import matching_pb2_grpc
from services.eligibility.facts import Job, Worker
from services.matching import messages, recommend, store
from services.matching.domain import allocation
from services.matching.domain.bulk import score_matrix, top_candidates
from services.matching.domain.scoring import Component
from services.matching.projection import Projection
from services.runtime import context, names, paging, resumable
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.runtime.server import Resources

DEFAULT_PAGE, MAX_PAGE = 20, 100
DEFAULT_CANDIDATES = 50
DENSE_PAIRS = 5_000_000  # workers × jobs scored in full; beyond it, top-k candidates only
DEFAULT_MIN_SCORE = 0.6
REPLAY_PAGE = 500


class MatchingServicer(matching_pb2_grpc.MatchingServiceServicer):
    def __init__(self, resources: Resources, projection: Projection, heartbeat_seconds: float) -> None:
        self.db = resources.db
        self.projection = projection
        self.heartbeat_seconds = heartbeat_seconds

    async def _ready(self) -> None:
        await asyncio.wait_for(self.projection.ready.wait(), timeout=30)

    def _worker(self, name: str) -> Worker:
        worker = self.projection.matcher.workers.get(name)
        if worker is None:
            raise FailedPrecondition(f"{name} has no worker profile yet")
        return worker

    def _job(self, name: str) -> Job:
        job = self.projection.matcher.jobs.get(name)
        if job is None:
            raise NotFound(f"{name} is not an open job")
        return job

    async def RecommendJobs(self, request, context_):
        await self._ready()
        worker = self._worker(request.worker)
        fp = paging.fingerprint(worker=request.worker, prefecture=request.prefecture)
        cursor = paging.decode_page_token(request.page_token, fp) or {"o": 0}
        limit = paging.clamp_page_size(request.page_size, DEFAULT_PAGE, MAX_PAGE)
        matcher = self.projection.matcher
        # Awaited: with pgvector the search is a query (recommend.py), never on the loop's time.
        found, more, _ = await recommend.recommend_jobs(
            matcher, worker, self.projection.now(), limit=limit, offset=int(cursor["o"]), prefecture=request.prefecture
        )
        lang = messages.language(request.language_code)
        return pb.RecommendJobsResponse(
            matches=[messages.job_match(r, matcher.jobs[r.id], lang) for r in found],
            next_page_token=paging.encode_page_token({"o": int(cursor["o"]) + limit}, fp) if more else "",
            weights_version=matcher.weights.version,
        )

    async def RecommendWorkers(self, request, context_):
        await self._ready()
        job = self._job(request.job)
        fp = paging.fingerprint(job=request.job)
        cursor = paging.decode_page_token(request.page_token, fp) or {"o": 0}
        limit = paging.clamp_page_size(request.page_size, DEFAULT_PAGE, MAX_PAGE)
        matcher = self.projection.matcher
        found, more = await recommend.recommend_workers(
            matcher, job, self.projection.now(), limit=limit, offset=int(cursor["o"])
        )
        lang = messages.language(request.language_code)
        return pb.RecommendWorkersResponse(
            matches=[messages.worker_match(r, matcher.workers[r.id], lang) for r in found],
            next_page_token=paging.encode_page_token({"o": int(cursor["o"]) + limit}, fp) if more else "",
            weights_version=matcher.weights.version,
        )

    async def ExplainMatch(self, request, context_):
        caller = context.caller()
        org = names.ids(request.job)[0]
        if not caller.is_admin:
            if "worker" in caller.roles and caller.subject != names.ids(request.worker)[0]:
                raise PermissionDenied("a worker may explain only their own matches")
            if "worker" not in caller.roles and caller.organization != org:
                raise PermissionDenied("an employer may explain matches only for its own jobs")
        await self._ready()
        worker, job = self._worker(request.worker), self._job(request.job)
        if "worker" not in caller.roles and not caller.is_admin and not worker.discoverable:
            raise PermissionDenied("this worker is not discoverable")
        ranked = await recommend.explain(self.projection.matcher, worker, job, self.projection.now())
        return messages.explanation(
            worker, job, ranked.eligibility, ranked.score, messages.language(request.language_code)
        )

    # --- WatchMatches ------------------------------------------------------------

    async def _missed(self, subject: str, after: int, lang: str):
        """`(seq, item)` for every match recorded for the subject after `after`."""

        async def fetch(after: int, limit: int) -> list[store.MatchRow]:
            async with self.db.connection() as conn:
                return await store.matches_after(conn, subject, after, limit)

        async for row in resumable.pages(fetch, lambda r: r.seq, after, REPLAY_PAGE):
            body = row.body_ja if lang == "ja" else row.body_en
            yield row.seq, pb.WatchMatchesResponse(match=pb.MatchEvent.FromString(body))

    @staticmethod
    def _heartbeat(last: int) -> pb.WatchMatchesResponse:
        now = timestamp_pb2.Timestamp()
        now.GetCurrentTime()
        return pb.WatchMatchesResponse(heartbeat=pb.Heartbeat(time=now, last_event_id=str(last) if last else ""))

    async def WatchMatches(self, request, context_):
        """Replay the subject's matches after the resume point, then stream new ones (`runtime.resumable`)."""
        caller = context.caller()
        parts = names.ids(request.parent)
        if not caller.is_admin:
            if request.parent.startswith("workers/") and caller.subject != parts[0]:
                raise PermissionDenied("a worker may watch only their own matches")
            if request.parent.startswith("employers/") and caller.organization != parts[0]:
                raise PermissionDenied("an employer may watch only its own jobs' matches")
        after = resumable.resume_point(
            request.last_event_id, "last_event_id", dict(context_.invocation_metadata() or ())
        )
        min_score = request.min_score or DEFAULT_MIN_SCORE
        lang = messages.language(request.language_code)
        async with self.projection.fanout.subscribe(request.parent) as subscription:
            async with self.db.connection() as conn:
                newest = await store.last_match_seq(conn, request.parent)
            start = newest if after is None or after > newest else after
            async for item in resumable.follow(
                subscription,
                start=start,
                missed=lambda last: self._missed(request.parent, last, lang),
                live=lambda payload: (int(payload), None),
                heartbeat=self._heartbeat,
                heartbeat_seconds=self.heartbeat_seconds,
            ):
                if item.HasField("match") and item.match.score.total < min_score:
                    continue
                yield item

    async def RecordFeedback(self, request, context_):
        kind = pb.FeedbackKind.Name(request.kind).removeprefix("FEEDBACK_KIND_")
        async with self.db.transaction() as conn:
            await store.record_feedback(conn, request.worker, request.job, "explicit", kind)
        return pb.RecordFeedbackResponse()

    async def AllocateCohort(self, request, context_):
        caller = context.caller()
        await self._ready()
        matcher = self.projection.matcher
        jobs, seats, seen = [], [], set()
        for i, cohort_job in enumerate(request.jobs):
            if cohort_job.job in seen:
                raise InvalidArgument.field(f"jobs[{i}].job", "each job may be listed once", "unique")
            seen.add(cohort_job.job)
            job = matcher.jobs.get(cohort_job.job)
            if job is None:
                raise InvalidArgument.field(f"jobs[{i}].job", f"{cohort_job.job} is not an open job")
            own = job.employer == request.parent
            if not (own or caller.is_admin or "partner" in caller.roles):
                raise PermissionDenied("employers allocate only to their own jobs; partners to any open job")
            jobs.append(job)
            seats.append(cohort_job.seats or job.headcount)
        workers = [matcher.workers[w] for w in request.workers if w in matcher.workers]
        workers = [w for w in workers if w.discoverable]
        index = {w.name: i for i, w in enumerate(workers)}
        job_index = {j.name: i for i, j in enumerate(jobs)}
        now = self.projection.now()
        no_exposure = {**matcher.weights.values, Component.EXPOSURE: 0.0}
        k = request.candidates_per_worker or DEFAULT_CANDIDATES
        dense = len(workers) * max(1, sum(seats)) <= allocation.DENSE_LIMIT and len(workers) * len(jobs) <= DENSE_PAIRS
        candidates: list[allocation.Candidates] = []
        job_vectors = await recommend.job_vectors(matcher, [j.name for j in jobs])
        if workers and dense:
            scores = await asyncio.to_thread(
                score_matrix,
                workers,
                jobs,
                now,
                no_exposure,
                worker_vectors=matcher.worker_vectors,
                job_vectors=job_vectors,
            )
            candidates = allocation.top_k(scores, len(jobs), request.min_score)
        elif workers:
            # Too many pairs to score every one (50,000 × 10,000 would be gigabytes per component):
            # each worker's k best eligible jobs, pre-ranked semantically and scored in full in blocks.
            tops = await asyncio.to_thread(
                top_candidates,
                workers,
                jobs,
                now,
                no_exposure,
                k,
                worker_vectors=matcher.worker_vectors,
                job_vectors=job_vectors,
            )
            for found, values in tops:
                keep = [(int(j), float(v)) for j, v in zip(found, values, strict=True) if v >= request.min_score]
                candidates.append(allocation.Candidates([j for j, _ in keep], [v for _, v in keep]))
        for preference in request.preferences:
            w = index.get(preference.worker)
            if w is not None:
                candidates[w].stated = [job_index[j] for j in preference.jobs if j in job_index]
        if request.mode == pb.ALLOCATION_MODE_STABLE:
            result = await asyncio.to_thread(allocation.stable, candidates, seats)
        elif dense:
            result = await asyncio.to_thread(allocation.optimal_dense, candidates, seats)
        else:
            result = await asyncio.to_thread(allocation.optimal_sparse, candidates, seats)
        placed = {workers[w].name for w, _, _ in result.pairs}
        return pb.AllocateCohortResponse(
            assignments=[pb.Assignment(worker=workers[w].name, job=jobs[j].name, score=s) for w, j, s in result.pairs],
            total_score=result.total_score,
            unfilled_seats=result.unfilled_seats,
            unplaced_workers=[w for w in request.workers if w not in placed],
            blocking_pairs=result.blocking_pairs,
            solver=result.solver,
            weights_version=matcher.weights.version,
        )
