"""One spoken conversation: audio in; transcripts, reply text and speech out.

`VoiceSession.run` consumes caller events (audio, end of utterance,
interrupt) and yields what to send back, in order. Inside:

- the endpointer cuts utterances from the audio;
- each utterance is recognised (in a worker thread: the models are CPU-bound)
  with what the conversation expects, and its final transcript is sent;
- the confirmation gate decides what to do with it: forward it to the
  assistant, or answer it locally (ask yes/no again, repeat the last reply);
- the assistant's reply streams in sentence by sentence; each sentence is
  synthesized and sent as soon as it is known, so the first audio leaves
  before the reply is complete;
- barge-in: sustained speech over a reply (or an interrupt) cancels the reply
  task; no more of its audio is sent and `Interrupted` says how much was.

The assistant is a port (`Assistant`): the service plugs the agent's Chat
in, called through the mesh with the caller's token.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from voice.domain import commands
from voice.domain.audio import duration_ms
from voice.domain.dialogue import BargeIn, Dialogue
from voice.domain.recognition import Engine, Recognition, SpeechRecognizer
from voice.domain.synthesis import Synthesizer, sentences
from voice.domain.vad import Endpointer, SpeechEnded, SpeechStarted, VadSettings

AUDIO_CHUNK_MS = 500  # synthesized speech is sent in pieces of this length
MIN_UTTERANCE_MS = 150  # shorter "speech" is a click or a cough
PARTIAL_EVERY_MS = 1000  # a partial transcript per second of speech, when asked for and the CPU is free


# --- what the assistant sends back (the agent's Chat events, reduced) -------------------------


@dataclass(frozen=True)
class ReplyStarted:
    conversation: str
    language: str
    intent: str


@dataclass(frozen=True)
class ReplyText:
    text: str


@dataclass(frozen=True)
class ToolUsed:
    name: str
    payload: Any  # passed through to the caller as it came


@dataclass(frozen=True)
class ConfirmationAsked:
    prompt: str
    payload: Any


@dataclass(frozen=True)
class ReplyComplete:
    text: str


AssistantEvent = ReplyStarted | ReplyText | ToolUsed | ConfirmationAsked | ReplyComplete


class Assistant(Protocol):
    def chat(self, text: str, language: str, conversation: str) -> AsyncIterator[AssistantEvent]:
        """Send one message; stream the reply's events."""
        ...


# --- what the session sends to the caller -----------------------------------------------------


@dataclass(frozen=True)
class SpeechEvent:
    started: bool
    offset_ms: int
    utterance: int


@dataclass(frozen=True)
class Transcript:
    utterance: int
    text: str
    is_final: bool
    language: str
    engine: Engine
    end_offset_ms: int


@dataclass(frozen=True)
class ReplyPiece:
    utterance: int
    text: str


@dataclass(frozen=True)
class ToolCallOut:
    utterance: int
    payload: Any


@dataclass(frozen=True)
class ConfirmationOut:
    utterance: int
    prompt: str
    payload: Any


@dataclass(frozen=True)
class Audio:
    utterance: int
    pcm: bytes
    sample_rate: int
    sequence: int
    text: str


@dataclass(frozen=True)
class Interrupted:
    utterance: int
    spoken_ms: int


@dataclass(frozen=True)
class Done:
    utterance: int
    text: str
    language: str
    conversation: str
    intent: str
    awaiting_confirmation: bool


Output = SpeechEvent | Transcript | ReplyPiece | ToolCallOut | ConfirmationOut | Audio | Interrupted | Done


# --- what the caller sends --------------------------------------------------------------------


@dataclass(frozen=True)
class AudioIn:
    pcm: bytes  # 16 kHz mono s16le


@dataclass(frozen=True)
class EndOfUtterance:
    pass


@dataclass(frozen=True)
class Interrupt:
    pass


Input = AudioIn | EndOfUtterance | Interrupt


class Speech(Protocol):
    """Recognition and synthesis, as the session uses them (blocking calls, run in threads)."""

    @property
    def recognizer(self) -> SpeechRecognizer: ...

    @property
    def voices(self) -> Synthesizer: ...


@dataclass
class Reply:
    """The reply being produced for one utterance."""

    utterance: int
    task: asyncio.Task[None] | None = None
    sent_ms: int = 0
    chunks: int = 0


@dataclass
class VoiceSession:
    speech: Speech
    assistant: Assistant
    language: str | None  # None: detect per utterance
    conversation: str = ""
    interim_results: bool = False
    vad: VadSettings = field(default_factory=VadSettings)
    dialogue: Dialogue = field(default_factory=Dialogue)
    _out: asyncio.Queue[Output | None] = field(default_factory=asyncio.Queue)
    _endpointer: Endpointer = field(init=False)
    _barge: BargeIn = field(default_factory=BargeIn)
    _reply: Reply | None = None
    _utterances: int = 0
    _partial: asyncio.Task[None] | None = None
    _partial_at_ms: int = 0

    def __post_init__(self) -> None:
        self._endpointer = Endpointer(self.vad)
        if self.language:
            self.dialogue.language = self.language

    async def run(self, inputs: AsyncIterator[Input]) -> AsyncIterator[Output]:
        reader = asyncio.create_task(self._read(inputs))
        try:
            while True:
                item = await self._out.get()
                if item is None:
                    break
                yield item
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            await self._cancel_reply(report=False)
        if reader.done() and not reader.cancelled() and reader.exception() is not None:
            raise reader.exception()  # type: ignore[misc]

    async def ask(self, pcm: bytes) -> AsyncIterator[Output]:
        """Push-to-talk: the whole recording is one utterance; its turn's events, then the end."""
        self._utterances += 1
        end = duration_ms(pcm)
        reply = Reply(self._utterances)
        self._reply = reply
        turn = asyncio.create_task(self._turn(reply, SpeechEnded(end, pcm, end, forced=True)))
        turn.add_done_callback(lambda _: self._out.put_nowait(None))
        while (item := await self._out.get()) is not None:
            yield item
        await turn  # its exception, if any, is the caller's error

    async def _read(self, inputs: AsyncIterator[Input]) -> None:
        try:
            async for item in inputs:
                if isinstance(item, AudioIn):
                    await self._audio(item.pcm)
                elif isinstance(item, EndOfUtterance):
                    for event in self._endpointer.flush():
                        await self._vad_event(event)
                elif isinstance(item, Interrupt):
                    await self._cancel_reply(report=True)
            for event in self._endpointer.flush():  # the caller hung up mid-sentence
                await self._vad_event(event)
            if self._reply is not None and self._reply.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await self._reply.task
        finally:
            await self._out.put(None)

    async def _audio(self, pcm: bytes) -> None:
        for event in self._endpointer.push(pcm):
            await self._vad_event(event)
        if self._barge.should_interrupt(self._endpointer.offset_ms):
            await self._cancel_reply(report=True)
        if self.interim_results and self._endpointer.in_speech:
            self._maybe_partial()

    def _maybe_partial(self) -> None:
        """Start a partial transcript of the speech so far, unless one is running or one was made lately.

        Partials never queue: on a busy machine there are fewer of them, and the final transcript
        (which the reply waits for) is not delayed by a backlog."""
        now = self._endpointer.offset_ms
        if (self._partial is not None and not self._partial.done()) or now - self._partial_at_ms < PARTIAL_EVERY_MS:
            return
        audio_so_far = self._endpointer.speech_so_far()
        if duration_ms(audio_so_far) < PARTIAL_EVERY_MS:
            return
        self._partial_at_ms = now
        utterance = self._utterances + 1

        async def partial() -> None:
            heard = await asyncio.to_thread(self.speech.recognizer.recognize, audio_so_far, self.language)
            if self._utterances < utterance and heard.text:  # still speaking that utterance
                await self._out.put(Transcript(utterance, heard.text, False, heard.language, heard.engine, now))

        self._partial = asyncio.create_task(partial())

    async def _vad_event(self, event: SpeechStarted | SpeechEnded) -> None:
        if isinstance(event, SpeechStarted):
            self._barge.speech_started(event.offset_ms)
            await self._out.put(SpeechEvent(True, event.offset_ms, self._utterances + 1))
            return
        self._barge.speech_ended()
        if self._partial is not None:
            self._partial.cancel()  # the final transcript comes next; a late partial would only confuse
            self._partial = None
        self._partial_at_ms = 0
        if event.speech_ms < MIN_UTTERANCE_MS and not event.forced:
            return
        self._utterances += 1
        await self._out.put(SpeechEvent(False, event.offset_ms, self._utterances))
        await self._cancel_reply(report=True)  # a new utterance always replaces the reply in progress
        reply = Reply(self._utterances)
        reply.task = asyncio.create_task(self._turn(reply, event))
        self._reply = reply
        self._barge.reply_started()

    async def _cancel_reply(self, report: bool) -> None:
        reply, self._reply = self._reply, None
        self._barge.reply_ended()
        if reply is None or reply.task is None or reply.task.done():
            return
        reply.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reply.task
        if report:
            await self._out.put(Interrupted(reply.utterance, reply.sent_ms))

    async def _turn(self, reply: Reply, ended: SpeechEnded) -> None:
        try:
            heard: Recognition = await asyncio.to_thread(
                self.speech.recognizer.recognize, ended.audio, self.language, self.dialogue.expect
            )
            language = heard.language if heard.language in commands.LANGUAGES else self.dialogue.language
            await self._out.put(Transcript(reply.utterance, heard.text, True, language, heard.engine, ended.offset_ms))
            turn = self.dialogue.on_utterance(heard.text, language)
            if turn.say is not None and self.dialogue.pending is not None:
                await self._out.put(ConfirmationOut(reply.utterance, self.dialogue.pending.prompt, None))
            speech = turn.speech or (((turn.say, language),) if turn.say is not None else ())
            for text, spoken in speech:
                await self._speak(reply, text, spoken)
            if turn.forward is None:
                await self._out.put(
                    Done(
                        reply.utterance,
                        turn.say or "",
                        language,
                        self.conversation,
                        "",
                        self.dialogue.pending is not None,
                    )
                )
                return
            await self._ask(reply, turn.forward, language)
        finally:
            if self._reply is reply:
                self._reply = None
                self._barge.reply_ended()

    async def _ask(self, reply: Reply, text: str, language: str) -> None:
        spoken: list[str] = []
        intent, reply_language, listed = "", language, False
        confirm: str | None = None  # a confirmation prompt not spoken yet
        async for event in self.assistant.chat(text, language, self.conversation):
            if isinstance(event, ReplyStarted):
                self.conversation = event.conversation or self.conversation
                reply_language = event.language or language
                intent = event.intent
            elif isinstance(event, ReplyText):
                spoken.append(event.text)
                await self._out.put(ReplyPiece(reply.utterance, event.text))
                if confirm is not None and event.text.strip() == confirm.strip():
                    # The agent also writes its confirmation prompt as text: speak it once, with "say yes or no".
                    await self._speak_confirmation(reply, confirm, reply_language, language)
                    confirm = None
                    continue
                for sentence in sentences(event.text):
                    await self._speak(reply, sentence, reply_language)
            elif isinstance(event, ToolUsed):
                listed = listed or event.name == "search_jobs"
                await self._out.put(ToolCallOut(reply.utterance, event.payload))
            elif isinstance(event, ConfirmationAsked):
                self.dialogue.confirmation_prompt(event.prompt, reply_language, language)  # the gate closes now
                await self._out.put(ConfirmationOut(reply.utterance, event.prompt, event.payload))
                confirm = event.prompt
            elif isinstance(event, ReplyComplete):
                if confirm is not None:
                    await self._speak_confirmation(reply, confirm, reply_language, language)
                    confirm = None
                full = event.text or " ".join(spoken)
                self.dialogue.reply_finished(full, listed_items=listed)
                await self._out.put(
                    Done(
                        reply.utterance,
                        full,
                        reply_language,
                        self.conversation,
                        intent,
                        self.dialogue.pending is not None,
                    )
                )

    async def _speak_confirmation(self, reply: Reply, prompt: str, reply_language: str, language: str) -> None:
        """The agent's prompt in its language, then "say yes or no" in the caller's (they differ for
        Tagalog and Nepali callers, whom the agent answers in English)."""
        self.dialogue.confirmation_prompt(prompt, reply_language, language)
        for text, spoken in self.dialogue.confirmation_speech():
            await self._speak(reply, text, spoken)

    async def _speak(self, reply: Reply, text: str, language: str) -> None:
        pcm = await asyncio.to_thread(self.speech.voices.synthesize, text, language)
        rate = self.speech.voices.sample_rate
        step = rate * 2 * AUDIO_CHUNK_MS // 1000
        for start in range(0, len(pcm), step):
            piece = pcm[start : start + step]
            await self._out.put(Audio(reply.utterance, piece, rate, reply.chunks, text))
            reply.chunks += 1
            reply.sent_ms += duration_ms(piece, rate)
