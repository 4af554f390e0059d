"""VoiceService over real gRPC: who may call it, what bad input gets, and what it says when the agent is away.

The service runs in-process with its real models, PostgreSQL, Redis and
identity; the agent target here is a closed port, so these tests cover
everything up to the call to the agent. The spoken journey with the real
agent is in gateway/tests/test_edge_voice.py.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest

from iworkz.identity.v1 import identity_pb2 as idp
from iworkz.sdk import Client
from iworkz.voice.v1 import voice_pb2 as v
from services.runtime import server
from voice.domain import audio
from voice.domain.synthesis import EspeakSynthesizer
from voice.main import SPEC

Code = grpc.StatusCode


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
async def voice(make_settings, identity_service):
    settings = make_settings("voice", identity_service.target, VOICE_AGENT_TARGET=f"127.0.0.1:{closed_port()}")
    async with server.running(SPEC, settings) as running:
        yield running


@pytest.fixture(scope="module")
async def worker(identity_service):
    async with Client(identity_service.target) as api:
        email = f"voice-{uuid.uuid4().hex[:8]}@example.com"
        await api.sign_up(
            email=email, password="correct horse battery", display_name="An", account_type=idp.ACCOUNT_TYPE_WORKER
        )
        me = await api.login(email, "correct horse battery")
        return me


@pytest.fixture
async def api(voice, worker):
    async with Client(voice.target, token=worker.tokens.access_token) as client:
        yield client


def wav(text: str) -> bytes:
    speaker = EspeakSynthesizer()
    return audio.wav_bytes(speaker.synthesize(text, "en"), speaker.sample_rate)


def ask(worker, data: bytes, content_type: str = "audio/wav", parent: str = "") -> v.AskRequest:
    return v.AskRequest(
        parent=parent or worker.user.name, language_code="en", audio={"content_type": content_type, "data": data}
    )


async def fails(code: grpc.StatusCode, call) -> grpc.aio.AioRpcError:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        assert error.code() == code, f"expected {code.name}, got {error.code().name}: {error.details()}"
        return error
    raise AssertionError(f"expected {code.name}, the call succeeded")


async def test_ask_refuses_what_is_not_audio_naming_the_field(api, worker):
    error = await fails(Code.INVALID_ARGUMENT, api.voice.Ask(ask(worker, b"this is not a recording")))
    assert "audio" in error.details()
    error = await fails(Code.INVALID_ARGUMENT, api.voice.Ask(ask(worker, b"RIFF\x00\x00\x00\x00WAVEjunk")))
    assert "WAV" in error.details()


async def test_ask_refuses_a_recording_longer_than_the_limit(api, worker):
    long = audio.wav_bytes(bytes(16000 * 2 * 31), 16000)
    error = await fails(Code.INVALID_ARGUMENT, api.voice.Ask(ask(worker, long)))
    assert "longer than 30 s" in error.details()


async def test_ask_for_someone_else_is_denied_and_anonymous_is_unauthenticated(voice, api, worker):
    other = f"users/{uuid.uuid4()}"
    await fails(Code.PERMISSION_DENIED, api.voice.Ask(ask(worker, wav("yes"), parent=other)))
    async with Client(voice.target) as anonymous:
        await fails(Code.UNAUTHENTICATED, anonymous.voice.Ask(ask(worker, wav("yes"))))


async def test_ask_says_unavailable_when_the_agent_cannot_be_reached(api, worker):
    error = await fails(Code.UNAVAILABLE, api.voice.Ask(ask(worker, wav("Find welding jobs in Osaka"))))
    assert "assistant" in error.details()


async def requests(*messages: v.ConverseRequest) -> AsyncIterator[v.ConverseRequest]:
    for message in messages:
        yield message


async def drain(call) -> list[v.ConverseResponse]:
    return [response async for response in call]


async def test_converse_checks_the_first_message_and_every_later_one(api, worker):
    config = v.ConverseRequest(config=v.ConverseConfig(parent=worker.user.name, language_code="en"))
    # Without config first, nothing names whose conversation it is: refused before the servicer runs.
    await fails(Code.PERMISSION_DENIED, drain(api.voice.Converse(requests(v.ConverseRequest(audio=b"\0\0")))))
    await fails(
        Code.INVALID_ARGUMENT,
        drain(api.voice.Converse(requests(config, v.ConverseRequest(audio=bytes(70000))))),  # over 64 KiB
    )
    await fails(Code.INVALID_ARGUMENT, drain(api.voice.Converse(requests(config, config))))
    bad_language = v.ConverseRequest(config=v.ConverseConfig(parent=worker.user.name, language_code="xx"))
    await fails(Code.INVALID_ARGUMENT, drain(api.voice.Converse(requests(bad_language))))
    someone_else = v.ConverseRequest(config=v.ConverseConfig(parent=f"users/{uuid.uuid4()}"))
    await fails(Code.PERMISSION_DENIED, drain(api.voice.Converse(requests(someone_else))))


async def test_converse_hears_speech_before_the_agent_is_needed(api, worker):
    pcm = audio.to_recognizer_pcm(EspeakSynthesizer().synthesize("Find welding jobs in Osaka", "en"), 22050)
    chunks = [pcm[i : i + 3200] for i in range(0, len(pcm), 3200)] + [bytes(3200)] * 10
    config = v.ConverseRequest(config=v.ConverseConfig(parent=worker.user.name, language_code="en"))
    seen: list[v.ConverseResponse] = []
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        async for response in api.voice.Converse(requests(config, *(v.ConverseRequest(audio=c) for c in chunks))):
            seen.append(response)
    assert raised.value.code() == Code.UNAVAILABLE  # then the agent was needed, and it is away
    kinds = [r.WhichOneof("event") for r in seen]
    assert kinds[:3] == ["speech", "speech", "transcript"]
    assert "welding" in seen[2].transcript.text.lower() and seen[2].transcript.is_final
