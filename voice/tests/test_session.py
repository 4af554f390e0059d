"""The conversation engine with the real models, espeak-ng and the real agent.

The session talks to the agent through its port (`AgentAssistant`, the agent's
Chat over gRPC with the worker's own token), here straight to the in-process
agent replica, which searches and applies through the real marketplace. The
tests check the session's own logic on that dialogue: streaming order, first
audio before the reply is complete, the spoken confirmation gate, barge-in.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc
import numpy as np
import pytest

from iworkz.identity.v1 import identity_pb2 as idp
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types
from voice.assistant import AgentAssistant
from voice.domain import audio, commands, reading
from voice.domain import session as s
from voice.domain.recognition import GrammarRecognizer, SpeechRecognizer, WhisperRecognizer
from voice.domain.synthesis import EspeakSynthesizer, VoiceBox

PASSWORD = "correct horse battery"


@dataclass
class Engines:
    recognizer: SpeechRecognizer
    voices: VoiceBox


@pytest.fixture(scope="module")
def engines() -> Engines:
    return Engines(
        SpeechRecognizer(WhisperRecognizer("base"), GrammarRecognizer(), WhisperRecognizer("tiny.en")), VoiceBox()
    )


async def sign_up(identity_target: str, account_type: int, organization: str = "") -> tuple[str, str, str]:
    """A new account: its user id, access token and organisation id (employers)."""
    async with Client(identity_target) as api:
        signed = await api.sign_up(
            email=f"session-{uuid.uuid4().hex[:10]}@example.com",
            password=PASSWORD,
            display_name="Nguyen Van An",
            account_type=account_type,
            organization_display_name=organization,
        )
    org = signed.organization.name.split("/")[1] if organization else ""
    return signed.user.name.split("/")[1], signed.tokens.access_token, org


@pytest.fixture(scope="module")
async def welding_job_in_osaka(identity_service, marketplace_service) -> mp.Job:
    _, token, org = await sign_up(identity_service.target, idp.ACCOUNT_TYPE_EMPLOYER, "Naniwa Metal Works")
    async with Client(marketplace_service.target, token=token) as market:
        job = mp.Job(
            title="Welding operator",
            description="TIG and MIG welding of steel frames in our Higashiosaka workshop",
            location=types.Location(prefecture="JP-27", city="Higashiosaka"),
            wage_min={"currency_code": "JPY", "units": 1300},
            wage_max={"currency_code": "JPY", "units": 1600},
            wage_period=types.WAGE_PERIOD_HOURLY,
            employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
            headcount=2,
        )
        parent = f"employers/{org}"
        created = (await market.marketplace.CreateJob(mp.CreateJobRequest(parent=parent, job=job))).job
        return (await market.marketplace.PublishJob(mp.PublishJobRequest(name=created.name))).job


@dataclass
class Worker:
    user_id: str
    token: str
    marketplace_target: str

    async def applications(self) -> list[str]:
        async with Client(self.marketplace_target, token=self.token) as market:
            found = await market.marketplace.ListWorkerApplications(
                mp.ListWorkerApplicationsRequest(parent=f"workers/{self.user_id}")
            )
            return [a.job for a in found.applications]


@pytest.fixture
async def worker(identity_service, marketplace_service, welding_job_in_osaka) -> Worker:
    user_id, token, _ = await sign_up(identity_service.target, idp.ACCOUNT_TYPE_WORKER)
    async with Client(marketplace_service.target, token=token) as market:
        profile = mp.WorkerProfile(
            name=f"workers/{user_id}", display_name="Nguyen Van An", visa_status=types.VISA_STATUS_PERMANENT_RESIDENT
        )
        await market.marketplace.UpdateWorkerProfile(mp.UpdateWorkerProfileRequest(profile=profile))
    return Worker(user_id, token, marketplace_service.target)


@dataclass
class Listening:
    """The real agent behind the session's port, with what it was told recorded; `pause` holds each
    sentence of a reply back a while, as a slow connection would, so the caller can talk over it."""

    agent: AgentAssistant
    pause: float = 0.0
    heard: list[str] = field(default_factory=list)

    async def chat(self, text: str, language: str, conversation: str) -> AsyncIterator[s.AssistantEvent]:
        self.heard.append(text)
        async for event in self.agent.chat(text, language, conversation):
            if isinstance(event, s.ReplyText):
                await asyncio.sleep(self.pause)
            yield event


@pytest.fixture
async def assistant(agent_service, worker) -> AsyncIterator[Listening]:
    async with grpc.aio.insecure_channel(agent_service.target) as channel:
        yield Listening(AgentAssistant(channel, f"Bearer {worker.token}", f"users/{worker.user_id}"))


def speech(text: str, language: str = "en") -> bytes:
    speaker = EspeakSynthesizer()
    pcm = audio.to_recognizer_pcm(speaker.synthesize(text, language), speaker.sample_rate)
    return bytes(audio.SAMPLE_RATE // 5 * 2) + pcm + bytes(audio.SAMPLE_RATE * 2)  # 200 ms before, 1 s after


async def feed(*utterances: bytes) -> AsyncIterator[s.Input]:
    for pcm in utterances:
        for i in range(0, len(pcm), 640 * 5):  # 100 ms chunks
            yield s.AudioIn(pcm[i : i + 640 * 5])
            await asyncio.sleep(0)


async def collect(session: s.VoiceSession, inputs: AsyncIterator[s.Input]) -> list[s.Output]:
    return [out async for out in session.run(inputs)]


async def turn_by_turn(session: s.VoiceSession, *utterances: bytes) -> list[s.Output]:
    """Say each utterance after the reply to the previous one is complete, as a person would."""
    done = asyncio.Queue[None]()

    async def inputs() -> AsyncIterator[s.Input]:
        for pcm in utterances:
            async for item in feed(pcm):
                yield item
            await done.get()

    outputs = []
    async for out in session.run(inputs()):
        outputs.append(out)
        if isinstance(out, s.Done):
            done.put_nowait(None)
    return outputs


async def test_search_reply_streams_sentences_and_first_audio_precedes_the_end(
    engines: Engines, assistant: Listening
) -> None:
    session = s.VoiceSession(engines, assistant, "en")
    outputs = await collect(session, feed(speech("Find welding jobs in Osaka")))
    kinds = [type(o).__name__ for o in outputs]
    assert kinds[:3] == ["SpeechEvent", "SpeechEvent", "Transcript"]
    transcript = next(o for o in outputs if isinstance(o, s.Transcript))
    assert "welding" in transcript.text.lower() and transcript.is_final
    first_audio = kinds.index("Audio")
    assert first_audio < kinds.index("Done")
    assert first_audio < [i for i, k in enumerate(kinds) if k == "ReplyPiece"][-1]  # before the reply's last piece
    sequences = [o.sequence for o in outputs if isinstance(o, s.Audio)]
    assert sequences == list(range(len(sequences)))
    assert assistant.heard == [reading.for_agent(transcript.text, "en")]  # as heard, with any near-missed place
    tools = [o for o in outputs if isinstance(o, s.ToolCallOut)]
    assert tools and tools[0].payload.name == "search_jobs" and tools[0].payload.ok  # it searched the marketplace


async def test_apply_needs_a_spoken_yes_and_unclear_answers_are_asked_again(
    engines: Engines, assistant: Listening, worker: Worker
) -> None:
    session = s.VoiceSession(engines, assistant, "en")
    outputs = await turn_by_turn(
        session,
        speech("Find welding jobs in Osaka"),
        speech("Apply to the first one"),
        speech("How much does it pay?"),
        speech("yes"),
    )
    confirmations = [o for o in outputs if isinstance(o, s.ConfirmationOut)]
    assert len(confirmations) == 2  # asked, then asked again after the unclear answer
    assert len(assistant.heard) == 3 and assistant.heard[2] == "yes"  # the question never reached the agent
    prompt = confirmations[0].prompt
    said = list(dict.fromkeys(o.text for o in outputs if isinstance(o, s.Audio) and o.utterance == 2))
    assert said and said[0] in prompt and "yes or no" in said[-1].lower()  # the question, then how to answer
    again = " ".join(o.text for o in outputs if isinstance(o, s.Audio) and o.utterance == 3)
    assert "did not catch" in again
    applied = [o for o in outputs if isinstance(o, s.ToolCallOut) and o.utterance == 4]
    assert applied and applied[0].payload.name == "apply_to_job" and applied[0].payload.ok
    assert len(await worker.applications()) == 1  # applied once, after the spoken yes


async def test_speech_over_a_reply_interrupts_it(engines: Engines, assistant: Listening) -> None:
    assistant.pause = 1.5  # a slow reply: the caller talks over it
    session = s.VoiceSession(engines, assistant, "en")

    async def talk_over() -> AsyncIterator[s.Input]:
        async for item in feed(speech("Find welding jobs in Osaka")):
            yield item
        await asyncio.sleep(2.5)  # the reply has started speaking
        tone = (0.3 * np.sin(2 * np.pi * 200 * np.arange(audio.SAMPLE_RATE) / audio.SAMPLE_RATE)).astype(np.float32)
        async for item in feed(audio.float_to_pcm(tone)):
            yield item

    outputs = await collect(session, talk_over())
    interrupted = [o for o in outputs if isinstance(o, s.Interrupted)]
    assert interrupted and interrupted[0].utterance == 1
    first_done = [o for o in outputs if isinstance(o, s.Done) and o.utterance == 1]
    assert first_done == []  # the cut reply never completed
    after = outputs[outputs.index(interrupted[0]) + 1 :]
    assert not any(isinstance(o, s.Audio) and o.utterance == 1 for o in after)


async def test_push_to_talk_turn(engines: Engines, assistant: Listening) -> None:
    session = s.VoiceSession(engines, assistant, "en")
    outputs = [o async for o in session.ask(speech("Find welding jobs in Osaka"))]
    assert isinstance(outputs[0], s.Transcript)
    assert isinstance(outputs[-1], s.Done) and outputs[-1].text
    searched = [o.payload for o in outputs if isinstance(o, s.ToolCallOut)]
    assert searched and searched[0].name == "search_jobs" and searched[0].ok
    assert sum(len(o.pcm) for o in outputs if isinstance(o, s.Audio)) > 22050 * 2 * 3


async def test_a_tagalog_caller_is_asked_in_tagalog_and_a_spoken_opo_applies(
    engines: Engines, assistant: Listening, worker: Worker
) -> None:
    session = s.VoiceSession(engines, assistant, "en")
    [o async for o in session.ask(speech("Find welding jobs in Osaka"))]
    session.language = "tl"  # the caller goes on in Tagalog (Ask with languageCode=tl), Taglish as people do
    asked = [o async for o in session.ask(speech("Apply to the first one"))]
    assert [o for o in asked if isinstance(o, s.ConfirmationOut)]
    said = list(dict.fromkeys(o.text for o in asked if isinstance(o, s.Audio)))
    # The agent's prompt (English: it answers tl in English), then how to answer, in Tagalog.
    assert said[-1] == commands.SAY_YES_OR_NO["tl"] and "yes" not in said[-1].lower()
    assert await worker.applications() == []  # nothing written before the spoken answer
    answered = [o async for o in session.ask(speech("Opo, sige", "tl"))]
    heard = next(o for o in answered if isinstance(o, s.Transcript))
    assert heard.language == "tl" and commands.yes_or_no(heard.text, "tl") is commands.Kind.YES
    assert assistant.heard[-1] == "yes"  # forwarded in the agent's language
    applied = [o.payload for o in answered if isinstance(o, s.ToolCallOut)]
    assert applied and applied[0].name == "apply_to_job" and applied[0].ok
    assert len(await worker.applications()) == 1
