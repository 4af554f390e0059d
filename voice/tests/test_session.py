"""The conversation engine with the real models and espeak-ng; the assistant is a scripted stand-in.

The session's assistant is a port (the agent's Chat in the service). Here a
scripted assistant plays the agent's side of the dialogue so the session's
own logic can be checked on its own: streaming order, first audio before the
reply is complete, the spoken confirmation gate, barge-in. The real agent is
exercised by the service tests (tests/test_voice_journey.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import numpy as np
import pytest

from voice.domain import audio
from voice.domain import session as s
from voice.domain.recognition import GrammarRecognizer, SpeechRecognizer, WhisperRecognizer
from voice.domain.synthesis import EspeakSynthesizer, VoiceBox


@dataclass
class Engines:
    recognizer: SpeechRecognizer
    voices: VoiceBox


@pytest.fixture(scope="module")
def engines() -> Engines:
    return Engines(
        SpeechRecognizer(WhisperRecognizer("base"), GrammarRecognizer(), WhisperRecognizer("tiny.en")), VoiceBox()
    )


@dataclass
class ScriptedAssistant:
    """Plays the agent: lists jobs for a search, asks to confirm an application, applies on "yes"."""

    heard: list[str] = field(default_factory=list)
    applied: list[int] = field(default_factory=list)
    pause: float = 0.0  # between reply sentences, to make a reply take a while
    _pending: int | None = None

    async def chat(self, text: str, language: str, conversation: str) -> AsyncIterator[s.AssistantEvent]:
        self.heard.append(text)
        yield s.ReplyStarted("users/u/conversations/c", "en", "")
        if self._pending is not None and text == "yes":
            self.applied.append(self._pending)
            self._pending = None
            yield s.ReplyText("Done. You applied to Naniwa Metal Works.")
            yield s.ReplyComplete("Done. You applied to Naniwa Metal Works.")
        elif "apply" in text.lower():
            self._pending = 1
            prompt = "Apply to Naniwa Metal Works, welding operator?"
            yield s.ConfirmationAsked(prompt, None)
            yield s.ReplyText(prompt)  # the agent also writes its prompt as the reply's text
            yield s.ReplyComplete(prompt)
        else:
            lines = [
                "I found three welding jobs in Osaka.",
                "First, Naniwa Metal Works, welding operator.",
                "Second, Sakai Steel, welder.",
                "Third, Kansai Fabrication, TIG welder.",
            ]
            yield s.ToolUsed("search_jobs", None)
            for line in lines:
                await asyncio.sleep(self.pause)
                yield s.ReplyText(line)
            yield s.ReplyComplete(" ".join(lines))


def speech(text: str) -> bytes:
    speaker = EspeakSynthesizer()
    pcm = audio.to_recognizer_pcm(speaker.synthesize(text, "en"), speaker.sample_rate)
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


async def test_search_reply_streams_sentences_and_first_audio_precedes_the_end(engines: Engines) -> None:
    assistant = ScriptedAssistant()
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
    assert assistant.heard == [transcript.text]


async def test_apply_needs_a_spoken_yes_and_unclear_answers_are_asked_again(engines: Engines) -> None:
    assistant = ScriptedAssistant()
    session = s.VoiceSession(engines, assistant, "en")
    outputs = await turn_by_turn(
        session, speech("Apply to the first one"), speech("How much does it pay?"), speech("yes")
    )
    confirmations = [o for o in outputs if isinstance(o, s.ConfirmationOut)]
    assert len(confirmations) == 2  # asked, then asked again after the unclear answer
    assert assistant.heard[1:] == ["yes"]  # the question never reached the agent as an answer
    assert assistant.applied == [1]
    said = [o.text for o in outputs if isinstance(o, s.Audio) and o.utterance == 1]
    assert set(said) == {"Apply to Naniwa Metal Works, welding operator? Say yes or no."}  # spoken once
    again = " ".join(o.text for o in outputs if isinstance(o, s.Audio) and o.utterance == 2)
    assert "did not catch" in again


async def test_speech_over_a_reply_interrupts_it(engines: Engines) -> None:
    assistant = ScriptedAssistant(pause=1.5)  # a slow reply: the caller talks over it
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


async def test_push_to_talk_turn(engines: Engines) -> None:
    session = s.VoiceSession(engines, ScriptedAssistant(), "en")
    outputs = [o async for o in session.ask(speech("Find welding jobs in Osaka"))]
    assert isinstance(outputs[0], s.Transcript)
    assert isinstance(outputs[-1], s.Done) and "three welding jobs" in outputs[-1].text
    assert sum(len(o.pcm) for o in outputs if isinstance(o, s.Audio)) > 22050 * 2 * 3
