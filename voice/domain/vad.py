"""Endpointing: where an utterance starts and ends in a stream of 16 kHz PCM.

An energy detector with an adaptive noise floor, on 20 ms frames: a frame is
voiced when it is `threshold_db` above the floor (and above an absolute
minimum). The floor is the quietest frame of the last `floor_window_ms`
outside speech, never above `max_floor_db` (so speech from the first frame
is not taken for background). Speech starts after `start_ms` of voiced frames (so a click does
not count) and ends after `end_silence_ms` of unvoiced ones; an utterance
longer than `max_utterance_ms` is cut there. Each utterance keeps
`preroll_ms` of audio before its start, because the first phoneme is often
below the threshold.

The end-of-speech offset reported is where the voiced audio stopped, not
where the silence was long enough to decide: latency is measured from it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from voice.domain.audio import BYTES_PER_SAMPLE, SAMPLE_RATE

FRAME_MS = 20
FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * BYTES_PER_SAMPLE


@dataclass(frozen=True)
class VadSettings:
    threshold_db: float = 12.0
    min_level_db: float = -50.0
    max_floor_db: float = -35.0
    floor_window_ms: int = 1000
    start_ms: int = 60
    end_silence_ms: int = 300
    preroll_ms: int = 200
    max_utterance_ms: int = 15000
    min_utterance_ms: int = 120


@dataclass(frozen=True)
class SpeechStarted:
    offset_ms: int


@dataclass(frozen=True)
class SpeechEnded:
    """An utterance: its audio (with pre-roll) and where its speech ended."""

    offset_ms: int
    audio: bytes
    speech_ms: int
    forced: bool = False  # cut by max length or ended by the client, not by silence


VadEvent = SpeechStarted | SpeechEnded


def level_db(frame: bytes) -> float:
    samples = np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32768.0
    if samples.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(samples * samples)))
    return 20.0 * math.log10(max(rms, 1e-6))


@dataclass
class Endpointer:
    """Feed PCM with `push`; get `SpeechStarted` / `SpeechEnded` events back."""

    settings: VadSettings = field(default_factory=VadSettings)
    _pending: bytearray = field(default_factory=bytearray)
    _frames: list[bytes] = field(default_factory=list)  # the utterance so far (with pre-roll)
    _preroll: list[bytes] = field(default_factory=list)
    _offset_frames: int = 0  # frames consumed since the stream began
    _voiced_run: int = 0
    _silent_run: int = 0
    _in_speech: bool = False
    _last_voiced_frame: int = 0
    _speech_frames: int = 0
    _quiet: deque[float] = field(default_factory=deque)  # recent levels outside speech

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def offset_ms(self) -> int:
        return self._offset_frames * FRAME_MS

    def speech_so_far(self) -> bytes:
        """The audio of the utterance in progress (with pre-roll); empty outside speech."""
        return b"".join(self._frames) if self._in_speech else b""

    def push(self, pcm: bytes) -> list[VadEvent]:
        self._pending += pcm
        events: list[VadEvent] = []
        while len(self._pending) >= FRAME_BYTES:
            frame = bytes(self._pending[:FRAME_BYTES])
            del self._pending[:FRAME_BYTES]
            event = self._frame(frame)
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[VadEvent]:
        """The client says the utterance is over (push-to-talk release, end of file)."""
        if self._pending:
            frame = bytes(self._pending) + bytes(FRAME_BYTES - len(self._pending))
            self._pending.clear()
            event = self._frame(frame)
            if event is not None:
                return [event]
        if self._in_speech:
            return [self._end(forced=True)]
        return []

    def _frame(self, frame: bytes) -> VadEvent | None:
        s = self.settings
        level = level_db(frame)
        floor = min(min(self._quiet, default=-60.0), s.max_floor_db)
        voiced = level > max(floor + s.threshold_db, s.min_level_db)
        if not self._in_speech:
            self._quiet.append(level)
            while len(self._quiet) > s.floor_window_ms // FRAME_MS:
                self._quiet.popleft()
        self._offset_frames += 1
        event: VadEvent | None = None
        if not self._in_speech:
            self._preroll.append(frame)
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            keep = s.preroll_ms // FRAME_MS + self._voiced_run
            del self._preroll[: max(0, len(self._preroll) - keep)]
            if self._voiced_run * FRAME_MS >= s.start_ms:
                self._in_speech = True
                self._frames = list(self._preroll)
                self._preroll.clear()
                self._silent_run = 0
                self._speech_frames = self._voiced_run
                self._last_voiced_frame = self._offset_frames
                event = SpeechStarted(offset_ms=(self._offset_frames - self._voiced_run) * FRAME_MS)
            return event
        self._frames.append(frame)
        if voiced:
            self._silent_run = 0
            self._speech_frames += 1
            self._last_voiced_frame = self._offset_frames
        else:
            self._silent_run += 1
        if self._silent_run * FRAME_MS >= s.end_silence_ms:
            return self._end(forced=False)
        if len(self._frames) * FRAME_MS >= s.max_utterance_ms:
            return self._end(forced=True)
        return None

    def _end(self, forced: bool) -> SpeechEnded:
        keep_tail = min(self._silent_run, 5)  # 100 ms of the trailing silence is enough
        frames = self._frames[: len(self._frames) - self._silent_run + keep_tail]
        ended = SpeechEnded(
            offset_ms=self._last_voiced_frame * FRAME_MS,
            audio=b"".join(frames),
            speech_ms=self._speech_frames * FRAME_MS,
            forced=forced,
        )
        self._in_speech = False
        self._frames = []
        self._voiced_run = 0
        self._silent_run = 0
        self._speech_frames = 0
        return ended
