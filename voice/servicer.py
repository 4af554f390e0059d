"""VoiceService RPCs: thin, the session does the work (voice.domain.session)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc

from iworkz.voice.v1 import voice_pb2 as v
from iworkz.voice.v1 import voice_pb2_grpc
from services.runtime import names
from services.runtime.errors import InvalidArgument
from services.runtime.server import Resources
from voice import messages, store
from voice.assistant import AgentAssistant
from voice.config import VoiceConfig
from voice.domain import session as s
from voice.domain.audio import AudioError, decode_upload, duration_ms
from voice.domain.dialogue import Dialogue, PendingConfirmation
from voice.domain.recognition import Expectation
from voice.engines import SpeechEngines


def _authorization(ctx: grpc.aio.ServicerContext) -> str:
    """The caller's own token, forwarded so the agent acts with the caller's rights only."""
    return next((str(value) for key, value in ctx.invocation_metadata() or () if key == "authorization"), "")


class VoiceServicer(voice_pb2_grpc.VoiceServiceServicer):
    def __init__(
        self, resources: Resources, config: VoiceConfig, speech: SpeechEngines, agent: grpc.aio.Channel
    ) -> None:
        self.resources = resources
        self.config = config
        self.speech = speech
        self.agent = agent

    async def _dialogue(self, conversation: str, user: uuid.UUID, language: str) -> Dialogue:
        dialogue = Dialogue(language=language or "en")
        if conversation:
            async with self.resources.db.connection() as conn:
                row = await store.get(conn, conversation, user)
            if row is not None and row.pending_prompt:
                dialogue.pending = PendingConfirmation(
                    row.pending_prompt, row.pending_language, spoken=language, unclear=row.unclear
                )
                dialogue.expect = Expectation.CONFIRMATION
        return dialogue

    async def _remember(self, done: s.Done, user: uuid.UUID, dialogue: Dialogue) -> None:
        if not done.conversation:
            return
        pending = dialogue.pending
        async with self.resources.db.transaction() as conn:
            await store.save(
                conn,
                done.conversation,
                user,
                done.language,
                pending.prompt if pending else "",
                pending.language if pending else "",
                pending.unclear if pending else 0,
                1,
            )

    def _session(
        self, ctx: Any, parent: str, conversation: str, language: str, dialogue: Dialogue, interim: bool = False
    ) -> s.VoiceSession:
        assistant = AgentAssistant(self.agent, _authorization(ctx), parent)
        return s.VoiceSession(
            self.speech, assistant, language or None, conversation, interim_results=interim, dialogue=dialogue
        )

    async def Converse(
        self, request_iterator: AsyncIterator[v.ConverseRequest], ctx: grpc.aio.ServicerContext
    ) -> AsyncIterator[v.ConverseResponse]:
        requests = aiter(request_iterator)
        first = await anext(requests)  # the interceptors checked it: it is there and valid
        if first.WhichOneof("event") != "config":
            raise InvalidArgument.field("config", "the first message must carry config")
        config = first.config
        user = names.uuid_of(names.resource_id(config.parent, "users"), "user")
        dialogue = await self._dialogue(config.conversation, user, config.language_code)
        session = self._session(
            ctx, config.parent, config.conversation, config.language_code, dialogue, config.interim_results
        )
        async for out in session.run(messages.inputs(requests, config.encoding)):
            yield messages.converse_response(out)
            if isinstance(out, s.Done):
                await self._remember(out, user, dialogue)

    async def Ask(self, request: v.AskRequest, ctx: grpc.aio.ServicerContext) -> v.AskResponse:
        try:
            pcm = decode_upload(request.audio.data, request.audio.content_type)
        except AudioError as error:
            raise InvalidArgument.field("audio", str(error)) from None
        if duration_ms(pcm) > self.config.max_utterance_seconds * 1000:
            raise InvalidArgument.field("audio", f"longer than {self.config.max_utterance_seconds} s")
        user = names.uuid_of(names.resource_id(request.parent, "users"), "user")
        dialogue = await self._dialogue(request.conversation, user, request.language_code)
        session = self._session(ctx, request.parent, request.conversation, request.language_code, dialogue)
        outputs = [out async for out in session.ask(pcm)]
        for out in outputs:
            if isinstance(out, s.Done):
                await self._remember(out, user, dialogue)
        return messages.ask_response(outputs, self.speech.voices.sample_rate)
