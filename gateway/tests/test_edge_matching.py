"""Every MatchingService RPC through the real edge — REST/JSON (WatchMatches as Server-Sent Events),
gRPC-web and native gRPC — against the real matching service fed by marketplace's events; owners and
strangers; bad input as 400 JSON with field violations."""

from __future__ import annotations

import asyncio
import json
import uuid

import grpc
import grpc_web_frames
import httpx
import pytest
from edge_testing import (
    PASSWORD,
    assert_error_shape,
    grpc_credentials,
    relaxed_topology,
    sign_up,
    start_edge,
    stop_edge,
)
from google.protobuf import json_format
from google.protobuf.message import Message

from iworkz.matching.v1 import matching_pb2 as pb
from iworkz.matching.v1 import matching_pb2_grpc
from services.cli import create_admin

SERVICE = "iworkz.matching.v1.MatchingService"
OUTPUT = {m.name: m.output_type._concrete_class for m in pb.DESCRIPTOR.services_by_name["MatchingService"].methods}

PROFILE = {
    "displayName": "Nguyen Van An",
    "visaStatus": "VISA_STATUS_SSW_1",
    "sswField": "SSW_FIELD_MANUFACTURING",
    "languages": [{"language": "ja", "jlptLevel": "JAPANESE_LEVEL_N3"}],
    "skills": [{"taxonomyId": "esco:tig-welding", "label": "TIG welding", "years": 5}],
    "location": {"prefecture": "JP-27", "city": "Osaka"},
    "desiredWage": {"currencyCode": "JPY", "units": "250000"},
    "desiredWagePeriod": "WAGE_PERIOD_MONTHLY",
    "discoverable": True,
    "phone": "+818012345678",
}
JOB = {
    "title": "TIG welder",
    "description": "Welding steel frames in our Osaka factory.",
    "location": {"prefecture": "JP-27", "city": "Osaka"},
    "wageMin": {"currencyCode": "JPY", "units": "230000"},
    "wageMax": {"currencyCode": "JPY", "units": "270000"},
    "wagePeriod": "WAGE_PERIOD_MONTHLY",
    "employmentType": "EMPLOYMENT_TYPE_FULL_TIME",
    "headcount": 2,
    "hoursPerWeek": 40,
    "requiredSkills": [{"taxonomyId": "esco:tig-welding", "label": "TIG welding"}],
    "eligibleSswFields": ["SSW_FIELD_MANUFACTURING"],
    "manualWork": True,
}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def eventually(check, timeout: float = 180.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not visible in time")
        await asyncio.sleep(0.2)


async def publish_job(rest: httpx.AsyncClient, employer: dict, **fields) -> str:
    org = employer["organization"]["name"].split("/")[1]
    created = await rest.post(f"/v1/employers/{org}/jobs", json={**JOB, **fields}, headers=employer["auth"])
    assert created.status_code == 200, created.text
    name = created.json()["job"]["name"]
    published = await rest.post(f"/v1/{name}:publish", json={}, headers=employer["auth"])
    assert published.status_code == 200, published.text
    return name


async def new_worker(rest: httpx.AsyncClient, **fields) -> dict:
    worker = await sign_up(rest, "WORKER")
    worker["worker"] = f"workers/{worker['id']}"
    saved = await rest.patch(f"/v1/{worker['worker']}", json={**PROFILE, **fields}, headers=worker["auth"])
    assert saved.status_code == 200, saved.text
    return worker


@pytest.fixture(scope="module")
async def edge(identity_service, marketplace_service, matching_service, edge_image, tmp_path_factory):
    """An edge in front of identity, marketplace and matching only (quicker than the session's, which
    waits for the agent's and voice's models; the session's edge serves matching too, for the suites
    that sweep every RPC)."""
    topology = relaxed_topology()
    keep = ("identity", "marketplace", "matching")
    topology = topology.model_copy(update={"services": {n: topology.services[n] for n in keep}})
    upstreams = {
        "identity": [("127.0.0.1", identity_service.port)],
        "marketplace": [("127.0.0.1", marketplace_service.port)],
        "matching": [("127.0.0.1", matching_service.port)],
    }
    running = await start_edge(topology, edge_image, upstreams, tmp_path_factory.mktemp("matching-edge"))
    yield running
    await stop_edge(running)


@pytest.fixture(scope="module")
async def people(edge, database_url):
    async with httpx.AsyncClient(base_url=edge.url, http2=True, verify=str(edge.ca), timeout=30) as rest:
        worker = await new_worker(rest)
        employer = await sign_up(rest, "EMPLOYER")
        employer["employer"] = "employers/" + employer["organization"]["name"].split("/")[1]
        job = await publish_job(rest, employer)
        email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
        await create_admin(database_url, email, "Admin", PASSWORD, actor="test")
        login = await rest.post("/v1/auth:login", json={"email": email, "password": PASSWORD})

        async def visible():
            r = await rest.get(f"/v1/{worker['worker']}:recommendJobs", headers=worker["auth"])
            return r.status_code == 200 and any(m["job"] == job for m in r.json().get("matches", []))

        await eventually(visible)
        return {"worker": worker, "employer": employer, "job": job, "admin": login.json()["tokens"]["accessToken"]}


# --- one journey, three protocols -------------------------------------------------------------------


class Rest:
    name = "rest"

    def __init__(self, rest: httpx.AsyncClient) -> None:
        self.rest = rest

    async def __call__(self, method: str, request: Message, token: str) -> Message:
        fields = json_format.MessageToDict(request)
        if method == "RecommendJobs":
            verb, path, body = "GET", f"/v1/{fields.pop('worker')}:recommendJobs", None
        elif method == "RecommendWorkers":
            verb, path, body = "GET", f"/v1/{fields.pop('job')}/candidates", None
        elif method == "ExplainMatch":
            verb, path, body = "GET", f"/v1/{fields.pop('worker')}:explainMatch", None
        elif method == "AllocateCohort":
            verb, path, body = "POST", f"/v1/{fields.pop('parent')}/cohorts:allocate", fields
        elif method == "RecordFeedback":
            verb, path, body = "POST", f"/v1/{fields.pop('worker')}:recordFeedback", fields
        else:
            raise AssertionError(method)
        params = fields if body is None else None
        response = await self.rest.request(verb, path, json=body, params=params, headers=bearer(token))
        assert response.status_code == 200, (method, response.status_code, response.text)
        return json_format.ParseDict(response.json(), OUTPUT[method]())

    async def first_of_watch(self, request: pb.WatchMatchesRequest, token: str) -> pb.WatchMatchesResponse:
        async with self.rest.stream(
            "GET", f"/v1/{request.parent}/matches:watch", headers=bearer(token), params={"minScore": 0.5}
        ) as response:
            assert response.status_code == 200, await response.aread()
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    return json_format.ParseDict(json.loads(line[5:]), pb.WatchMatchesResponse())
        raise AssertionError("no event")


class GrpcWeb:
    name = "grpc-web"

    def __init__(self, rest: httpx.AsyncClient) -> None:
        self.rest = rest

    async def __call__(self, method: str, request: Message, token: str) -> Message:
        reply = await grpc_web_frames.call(
            self.rest, f"/{SERVICE}/{method}", request.SerializeToString(), headers=bearer(token)
        )
        assert reply.status == 0, (method, reply.status, reply.message)
        return OUTPUT[method].FromString(reply.messages[0])

    async def first_of_watch(self, request: pb.WatchMatchesRequest, token: str) -> pb.WatchMatchesResponse:
        headers = {"content-type": "application/grpc-web+proto", "x-grpc-web": "1", **bearer(token)}
        buffer = b""
        body = grpc_web_frames.frame(request.SerializeToString())
        async with self.rest.stream("POST", f"/{SERVICE}/WatchMatches", content=body, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            async for chunk in response.aiter_bytes():
                buffer += chunk
                if len(buffer) >= 5 and len(buffer) >= 5 + int.from_bytes(buffer[1:5], "big"):
                    assert not buffer[0] & 0x80, buffer
                    return pb.WatchMatchesResponse.FromString(buffer[5 : 5 + int.from_bytes(buffer[1:5], "big")])
        raise AssertionError("no message")


class Grpc:
    name = "grpc"

    def __init__(self, edge) -> None:
        self.channel = grpc.aio.secure_channel(edge.target, grpc_credentials(edge))
        self.stub = matching_pb2_grpc.MatchingServiceStub(self.channel)

    async def __call__(self, method: str, request: Message, token: str) -> Message:
        return await getattr(self.stub, method)(request, metadata=tuple(bearer(token).items()), timeout=20)

    async def first_of_watch(self, request: pb.WatchMatchesRequest, token: str) -> pb.WatchMatchesResponse:
        call = self.stub.WatchMatches(request, metadata=tuple(bearer(token).items()))
        try:
            return await asyncio.wait_for(call.read(), 20)
        finally:
            call.cancel()


@pytest.fixture(params=["rest", "grpc-web", "grpc"])
async def api(request, rest, edge):
    if request.param == "rest":
        yield Rest(rest)
    elif request.param == "grpc-web":
        yield GrpcWeb(rest)
    else:
        transport = Grpc(edge)
        yield transport
        await transport.channel.close()


async def test_every_rpc(api, people):
    worker, employer, job = people["worker"], people["employer"], people["job"]
    w_token, e_token = worker["tokens"]["accessToken"], employer["tokens"]["accessToken"]

    jobs = await api("RecommendJobs", pb.RecommendJobsRequest(worker=worker["worker"], language_code="ja"), w_token)
    mine = next(m for m in jobs.matches if m.job == job)
    assert mine.title == "TIG welder" and mine.reasons and mine.score.total > 0
    assert [s.taxonomy_id for s in mine.matched_skills] == ["esco:tig-welding"]

    explained = await api("ExplainMatch", pb.ExplainMatchRequest(worker=worker["worker"], job=job), w_token)
    assert explained.eligible and explained.rules and all(r.passed for r in explained.rules)

    candidates = await api("RecommendWorkers", pb.RecommendWorkersRequest(job=job), e_token)
    found = next(m for m in candidates.matches if m.worker == worker["worker"])
    assert found.display_name == "Nguyen Van An" and found.reasons
    assert "phone" not in json_format.MessageToJson(found) and "+8180" not in str(found)

    allocated = await api(
        "AllocateCohort",
        pb.AllocateCohortRequest(
            parent=employer["employer"], workers=[worker["worker"]], jobs=[pb.CohortJob(job=job, seats=1)]
        ),
        e_token,
    )
    assert [(a.worker, a.job) for a in allocated.assignments] == [(worker["worker"], job)]
    assert allocated.unfilled_seats == 0 and allocated.blocking_pairs == 0

    await api(
        "RecordFeedback",
        pb.RecordFeedbackRequest(worker=worker["worker"], job=job, kind=pb.FEEDBACK_KIND_SAVED),
        w_token,
    )

    first = await api.first_of_watch(pb.WatchMatchesRequest(parent=worker["worker"], min_score=0.5), w_token)
    assert first.WhichOneof("event") in ("match", "heartbeat")
    first = await api.first_of_watch(pb.WatchMatchesRequest(parent=job, min_score=0.5), e_token)
    assert first.WhichOneof("event") in ("match", "heartbeat")


# --- owners, strangers, admins, bad input -------------------------------------------------------------


async def test_owner_rules_and_the_admin(rest, people):
    worker, employer, job = people["worker"], people["employer"], people["job"]
    stranger = await sign_up(rest, "WORKER")
    rival = await sign_up(rest, "EMPLOYER")
    admin = bearer(people["admin"])
    path = f"/v1/{worker['worker']}:recommendJobs"
    assert_error_shape(await rest.get(path), 401, 16)
    assert_error_shape(await rest.get(path, headers=stranger["auth"]), 403, 7)
    assert_error_shape(await rest.get(path, headers=employer["auth"]), 403, 7)
    assert (await rest.get(path, headers=admin)).status_code == 200
    candidates = f"/v1/{job}/candidates"
    assert_error_shape(await rest.get(candidates, headers=rival["auth"]), 403, 7)
    assert_error_shape(await rest.get(candidates, headers=worker["auth"]), 403, 7)
    assert (await rest.get(candidates, headers=admin)).status_code == 200
    explain = f"/v1/{worker['worker']}:explainMatch"
    assert_error_shape(await rest.get(explain, params={"job": job}, headers=stranger["auth"]), 403, 7)
    assert_error_shape(await rest.get(explain, params={"job": job}, headers=rival["auth"]), 403, 7)
    assert (await rest.get(explain, params={"job": job}, headers=employer["auth"])).status_code == 200
    watch = f"/v1/{worker['worker']}/matches:watch"
    assert_error_shape(await rest.get(watch, headers=stranger["auth"]), 403, 7)
    assert_error_shape(await rest.get(f"/v1/{job}/matches:watch", headers=rival["auth"]), 403, 7)
    allocate = f"/v1/{employer['employer']}/cohorts:allocate"
    body = {"workers": [worker["worker"]], "jobs": [{"job": job, "seats": 1}]}
    assert_error_shape(await rest.post(allocate, json=body, headers=rival["auth"]), 403, 7)
    assert_error_shape(await rest.post(allocate, json=body, headers=worker["auth"]), 403, 7)


async def test_bad_input_is_400_with_field_violations_and_changes_nothing(rest, people):
    worker = people["worker"]
    bad = await rest.get(
        f"/v1/{worker['worker']}/matches:watch", params={"minScore": 2, "lastEventId": "x"}, headers=worker["auth"]
    )
    body = assert_error_shape(bad, 400, 3)
    text = json.dumps(body["details"])
    assert "min_score" in text and "last_event_id" in text, body  # every violated field is named
    negative = {"workers": [worker["worker"]], "jobs": [{"job": people["job"], "seats": -1}]}
    allocate = f"/v1/{people['employer']['employer']}/cohorts:allocate"
    body = assert_error_shape(await rest.post(allocate, json=negative, headers=people["employer"]["auth"]), 400, 3)
    assert "seats" in json.dumps(body["details"]), body


# --- WatchMatches live over SSE, resumed with Last-Event-ID ------------------------------------------


async def test_watch_matches_over_sse_live_then_resumed_with_last_event_id(rest, people):
    employer = people["employer"]
    worker = await new_worker(rest)
    path = f"/v1/{worker['worker']}/matches:watch"
    seen: list[dict] = []
    published: list[str] = []
    async with rest.stream("GET", path, params={"minScore": 0.5}, headers=worker["auth"]) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async with asyncio.timeout(180):  # the publish's match goes through matching's event consumer
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                seen.append(json.loads(line[5:]))
                if len(seen) == 1:
                    published.append(await publish_job(rest, employer, title="Welder (night shift)"))
                if "match" in seen[-1] and seen[-1]["match"]["job"] == published[0]:
                    break
    assert "heartbeat" in seen[0]
    event = seen[-1]["match"]
    assert event["title"] == "Welder (night shift)" and event["reasons"] and float(event["score"]["total"]) >= 0.5
    # A browser's EventSource reconnects with the id of the last event it saw: what came after is replayed.
    before = str(int(event["eventId"]) - 1)
    async with rest.stream(
        "GET", path, params={"minScore": 0.5}, headers={**worker["auth"], "last-event-id": before}
    ) as response:
        assert response.status_code == 200
        async with asyncio.timeout(30):
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    replayed = json.loads(line[5:])
                    break
    assert replayed["match"]["eventId"] == event["eventId"]


# --- AllocateCohort over its limits: the service's answer, not the edge's 413 ---------------------------


async def test_a_cohort_over_the_limit_is_answered_invalid_argument_naming_it(rest, edge, people):
    """50,001 workers are ~2.5 MB of JSON, over the edge's 1 MB default: the edge lets AllocateCohort's
    bodies through up to its own limit (topology edge.upload_limits), so the service names the limit."""
    import topology

    employer, job = people["employer"], people["job"]
    too_many = [f"workers/00000000-0000-4000-8000-{i:012d}" for i in range(50_001)]
    body = {"workers": too_many, "jobs": [{"job": job, "seats": 1}]}
    edge_limits = topology.load().edge
    assert len(json.dumps(body)) > edge_limits.max_request_bytes
    allocate = f"/v1/{employer['employer']}/cohorts:allocate"
    error = assert_error_shape(await rest.post(allocate, json=body, headers=employer["auth"]), 400, 3)
    assert "50000" in json.dumps(error) and "workers" in json.dumps(error), error

    transport = Grpc(edge)
    try:
        request = pb.AllocateCohortRequest(
            parent=employer["employer"], workers=too_many, jobs=[pb.CohortJob(job=job, seats=1)]
        )
        assert request.ByteSize() > edge_limits.max_request_bytes
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await transport("AllocateCohort", request, employer["tokens"]["accessToken"])
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value
        assert "50000" in caught.value.details() and "workers" in caught.value.details()

        # Beyond even AllocateCohort's own allowance, and over 1 MB on any other route: the edge refuses.
        limit = edge_limits.request_limit(f"/{SERVICE}/AllocateCohort")
        huge = {"workers": too_many[:2], "jobs": [{"job": job, "seats": 1}], "padding": "x" * limit}
        assert (await rest.post(allocate, json=huge, headers=employer["auth"])).status_code == 413
        feedback = f"/v1/{people['worker']['worker']}:recordFeedback"
        big = {"job": job, "kind": "FEEDBACK_KIND_SAVED", "padding": "x" * (edge_limits.max_request_bytes + 1)}
        assert (await rest.post(feedback, json=big, headers=people["worker"]["auth"])).status_code == 413
        oversized = pb.AllocateCohortRequest(
            parent=employer["employer"],
            workers=too_many[:2],
            jobs=[pb.CohortJob(job=f"{job[:-36]}{i:036d}", seats=1) for i in range(limit // 90)],
        )
        assert oversized.ByteSize() > limit
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await transport("AllocateCohort", oversized, employer["tokens"]["accessToken"])
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, caught.value
    finally:
        await transport.channel.close()
