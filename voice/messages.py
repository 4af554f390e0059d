"""Conversions between the voice contract's messages and the session's plain events."""

from __future__ import annotations

from collections.abc import AsyncIterator

from google.api import httpbody_pb2

from iworkz.voice.v1 import voice_pb2 as v
from services.runtime.errors import InvalidArgument
from voice.domain import session as s
from voice.domain.audio import AudioError, OggOpusStream, wav_bytes
from voice.domain.recognition import Engine

_ENGINES = {Engine.WHISPER: v.RECOGNIZER_KIND_WHISPER, Engine.GRAMMAR: v.RECOGNIZER_KIND_GRAMMAR}


async def inputs(requests: AsyncIterator[v.ConverseRequest], encoding: int) -> AsyncIterator[s.Input]:
    """The caller's messages after the config, as session inputs (Ogg/Opus decoded to PCM)."""
    opus = OggOpusStream() if encoding == v.AUDIO_ENCODING_OGG_OPUS else None
    async for request in requests:
        kind = request.WhichOneof("event")
        if kind == "audio":
            if opus is None:
                yield s.AudioIn(request.audio)
                continue
            try:
                pcm = opus.feed(request.audio)
            except AudioError as error:
                raise InvalidArgument.field("audio", str(error)) from None
            if pcm:
                yield s.AudioIn(pcm)
        elif kind == "end_of_utterance":
            yield s.EndOfUtterance()
        elif kind == "interrupt":
            yield s.Interrupt()
        elif kind == "config":
            raise InvalidArgument.field("config", "only the first message may carry config")


def transcript(out: s.Transcript) -> v.Transcript:
    return v.Transcript(
        utterance=out.utterance,
        text=out.text,
        is_final=out.is_final,
        language_code=out.language,
        recognizer=_ENGINES[out.engine],
        end_offset_ms=out.end_offset_ms,
    )


def confirmation(out: s.ConfirmationOut) -> v.ConfirmationRequest:
    request = v.ConfirmationRequest(prompt=out.prompt)
    if out.payload is not None:  # the agent's Confirmation (absent when the voice service asks again)
        request.action.CopyFrom(out.payload.action)
    return request


def converse_response(out: s.Output) -> v.ConverseResponse:
    if isinstance(out, s.SpeechEvent):
        kind = v.SpeechEvent.KIND_SPEECH_STARTED if out.started else v.SpeechEvent.KIND_SPEECH_ENDED
        return v.ConverseResponse(speech=v.SpeechEvent(kind=kind, offset_ms=out.offset_ms, utterance=out.utterance))
    if isinstance(out, s.Transcript):
        return v.ConverseResponse(transcript=transcript(out))
    if isinstance(out, s.ReplyPiece):
        return v.ConverseResponse(reply_text=out.text)
    if isinstance(out, s.ToolCallOut):
        return v.ConverseResponse(tool_call=out.payload)
    if isinstance(out, s.ConfirmationOut):
        return v.ConverseResponse(confirmation=confirmation(out))
    if isinstance(out, s.Audio):
        return v.ConverseResponse(
            audio=v.AudioChunk(
                utterance=out.utterance,
                pcm=out.pcm,
                sample_rate_hertz=out.sample_rate,
                sequence=out.sequence,
                text=out.text,
            )
        )
    if isinstance(out, s.Interrupted):
        return v.ConverseResponse(interrupted=v.Interrupted(utterance=out.utterance, spoken_ms=out.spoken_ms))
    return v.ConverseResponse(
        done=v.ReplyDone(
            utterance=out.utterance,
            text=out.text,
            language_code=out.language,
            conversation=out.conversation,
            intent=out.intent,
            awaiting_confirmation=out.awaiting_confirmation,
        )
    )


def ask_response(outputs: list[s.Output], sample_rate: int) -> v.AskResponse:
    """The events of one push-to-talk turn, gathered into one answer with the reply as a WAV file."""
    response = v.AskResponse()
    pcm = bytearray()
    pieces: list[str] = []
    for out in outputs:
        if isinstance(out, s.Transcript):
            response.transcript.CopyFrom(transcript(out))
        elif isinstance(out, s.ReplyPiece):
            pieces.append(out.text)
        elif isinstance(out, s.ToolCallOut):
            response.tool_calls.append(out.payload)
        elif isinstance(out, s.ConfirmationOut):
            response.confirmation.CopyFrom(confirmation(out))
        elif isinstance(out, s.Audio):
            pcm += out.pcm
        elif isinstance(out, s.Done):
            response.reply_text = out.text or " ".join(pieces)
            response.conversation = out.conversation
            response.language_code = out.language
            response.intent = out.intent
    response.audio.CopyFrom(httpbody_pb2.HttpBody(content_type="audio/wav", data=wav_bytes(bytes(pcm), sample_rate)))
    return response
