"""The spoken journey through the real edge, as a worker's app makes it: search by voice, hear the
results, apply with a spoken confirmation, and the application exists. Over gRPC (Converse, a
bidirectional stream, through the edge), over gRPC-web (Ask, as a browser's "hold to talk"
button) and over REST (Ask with the recording as the request body, as curl does).

Speech is made by espeak-ng; the voice service, the agent, marketplace and identity are real."""

from __future__ import annotations

import asyncio
import base64
import io
import wave
from collections.abc import AsyncIterator

import grpc_web_frames
import pytest
from edge_testing import assert_error_shape, grpc_credentials, sign_up

from iworkz.identity.v1 import identity_pb2 as idp
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types
from iworkz.voice.v1 import voice_pb2 as v
from voice.domain import audio
from voice.domain.synthesis import EspeakSynthesizer

SERVICE = "/iworkz.voice.v1.VoiceService"
SEARCH, APPLY, YES = "Find welding jobs in Fukuoka", "Apply to the first one", "Yes"


def pcm16k(text: str) -> bytes:
    speaker = EspeakSynthesizer()
    return audio.to_recognizer_pcm(speaker.synthesize(text, "en"), speaker.sample_rate)


def wav(text: str) -> bytes:
    return audio.wav_bytes(pcm16k(text), audio.SAMPLE_RATE)


@pytest.fixture
async def worker(rest, marketplace_service):
    person = await sign_up(rest, "WORKER")
    async with Client(marketplace_service.target, token=person["tokens"]["accessToken"]) as market:
        profile = mp.WorkerProfile(
            name=f"workers/{person['id']}",
            display_name="Nguyen Van An",
            visa_status=types.VISA_STATUS_PERMANENT_RESIDENT,
        )
        await market.marketplace.UpdateWorkerProfile(mp.UpdateWorkerProfileRequest(profile=profile))
    return person


@pytest.fixture
async def welding_job_in_fukuoka(rest, marketplace_service):
    employer = await sign_up(rest, "EMPLOYER", organizationDisplayName="Hakata Welding Works")
    async with Client(marketplace_service.target, token=employer["tokens"]["accessToken"]) as market:
        job = mp.Job(
            title="Welding operator",
            description="TIG and MIG welding of steel frames",
            location=types.Location(prefecture="JP-40", city="Fukuoka"),
            wage_min={"currency_code": "JPY", "units": 1300},
            wage_max={"currency_code": "JPY", "units": 1600},
            wage_period=types.WAGE_PERIOD_HOURLY,
            employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
            headcount=2,
        )
        parent = f"employers/{employer['organization']['name'].split('/')[1]}"
        created = (await market.marketplace.CreateJob(mp.CreateJobRequest(parent=parent, job=job))).job
        return (await market.marketplace.PublishJob(mp.PublishJobRequest(name=created.name))).job


async def applications(marketplace_service, person) -> list[str]:
    async with Client(marketplace_service.target, token=person["tokens"]["accessToken"]) as market:
        found = await market.marketplace.ListWorkerApplications(
            mp.ListWorkerApplicationsRequest(parent=f"workers/{person['id']}")
        )
        return [a.job for a in found.applications]


async def test_spoken_journey_over_grpc_converse(edge, worker, welding_job_in_fukuoka, marketplace_service):
    done: asyncio.Queue[None] = asyncio.Queue()

    async def speak() -> AsyncIterator[v.ConverseRequest]:
        yield v.ConverseRequest(config=v.ConverseConfig(parent=f"users/{worker['id']}", language_code="en"))
        for text in (SEARCH, APPLY, YES):
            pcm = pcm16k(text) + bytes(16000 * 2)  # then a second of silence: the service finds the end
            for i in range(0, len(pcm), 3200):
                yield v.ConverseRequest(audio=pcm[i : i + 3200])
            await done.get()  # the caller listens to the reply before answering

    turns: list[list[v.ConverseResponse]] = [[]]
    before_yes: list[str] | None = None
    async with Client(edge.target, credentials=grpc_credentials(edge)) as api:
        api.use_tokens(idp.TokenPair(access_token=worker["tokens"]["accessToken"]))
        async for response in api.voice.Converse(speak(), timeout=180):
            turns[-1].append(response)
            if response.WhichOneof("event") == "done":
                if len(turns) == 2:  # asked to confirm, not answered yet: nothing may have been written
                    before_yes = await applications(marketplace_service, worker)
                done.put_nowait(None)
                turns.append([])
    search, ask, yes = turns[:3]
    kinds = [r.WhichOneof("event") for r in search]
    assert "welding" in next(r.transcript.text for r in search if r.HasField("transcript")).lower()
    tools = [r.tool_call for r in search if r.HasField("tool_call")]
    assert tools and tools[0].name == "search_jobs" and tools[0].ok
    assert kinds.index("audio") < kinds.index("done")  # speech starts before the reply is complete
    confirmation = next(r.confirmation for r in ask if r.HasField("confirmation"))
    assert confirmation.action.name == "apply_to_job"
    job = confirmation.action.arguments["job"]
    spoken = " ".join(r.audio.text for r in ask if r.HasField("audio"))
    assert "Say yes or no." in spoken
    assert before_yes == []  # nothing written before the spoken yes
    heard = next(r.transcript for r in yes if r.HasField("transcript"))
    assert heard.recognizer == v.RECOGNIZER_KIND_GRAMMAR and heard.text == "yes"  # the command fast path
    applied = [r.tool_call for r in yes if r.HasField("tool_call")]
    assert applied and applied[0].name == "apply_to_job" and applied[0].ok
    assert await applications(marketplace_service, worker) == [job]


async def test_spoken_journey_over_grpc_web_ask(rest, worker, welding_job_in_fukuoka, marketplace_service):
    parent, conversation = f"users/{worker['id']}", ""
    replies = []
    for text in (SEARCH, APPLY, YES):
        request = v.AskRequest(
            parent=parent,
            conversation=conversation,
            language_code="en",
            audio={"content_type": "audio/wav", "data": wav(text)},
        )
        reply = await grpc_web_frames.call(rest, f"{SERVICE}/Ask", request.SerializeToString(), headers=worker["auth"])
        assert reply.status == 0, reply
        answer = v.AskResponse.FromString(reply.messages[0])
        conversation = answer.conversation
        replies.append(answer)
        with wave.open(io.BytesIO(answer.audio.data)) as spoken:  # the reply, spoken, as a WAV file
            assert spoken.getnframes() > spoken.getframerate()
    search, ask, yes = replies
    assert search.tool_calls[0].name == "search_jobs" and search.tool_calls[0].ok and search.reply_text
    assert ask.confirmation.action.name == "apply_to_job"
    assert [t.name for t in yes.tool_calls] == ["apply_to_job"] and yes.tool_calls[0].ok
    assert await applications(marketplace_service, worker) == [ask.confirmation.action.arguments["job"]]


async def test_ask_over_rest_takes_the_recording_as_the_body(rest, worker):
    response = await rest.post(
        f"/v1/users/{worker['id']}/voice:ask?languageCode=en",
        content=wav("Hello"),
        headers={**worker["auth"], "content-type": "audio/wav"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["transcript"]["text"] and body["replyText"]
    assert body["audio"]["contentType"] == "audio/wav"
    assert base64.b64decode(body["audio"]["data"])[:4] == b"RIFF"
    bad = await rest.post(
        f"/v1/users/{worker['id']}/voice:ask",
        content=b"not audio",
        headers={**worker["auth"], "content-type": "audio/wav"},
    )
    assert_error_shape(bad, 400, 3)
    other = await sign_up(rest, "WORKER")
    denied = await rest.post(
        f"/v1/users/{worker['id']}/voice:ask",
        content=wav("Hello"),
        headers={**other["auth"], "content-type": "audio/wav"},
    )
    assert_error_shape(denied, 403, 7)
