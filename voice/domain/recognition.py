"""Speech recognition: Whisper for free speech, a pocketsphinx grammar for English commands.

`SpeechRecognizer.recognize` picks the engine per utterance:

- English, a short utterance (at most `grammar_max_ms` of speech), and the
  conversation expects a command (a yes/no confirmation or a list just read
  out): the JSGF command grammar decodes it in tens of milliseconds. Its
  answer is taken when it is a command that fits what is expected;
  otherwise Whisper decides.
- Everything else: Whisper (faster-whisper, CTranslate2 int8), beam search
  (5) for the multilingual model and greedy for tiny.en, without temperature
  fallback, a token budget proportional to
  the audio and no repeated 3-grams, so the time per utterance is bounded
  and hallucinated loops are cut; for utterances of 1.5 s or more, a short
  prompt of the platform's vocabulary (city names, trades) in the
  utterance's language biases it toward words it would otherwise mishear
  ("Osaka", "溶接"). Short commands get no prompt (Whisper copies it).

Models are loaded once, from installed packages (`voice.domain.models`).
Calls are synchronous and CPU-bound: callers run them in a thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from voice.domain import commands
from voice.domain.audio import SAMPLE_RATE, duration_ms, pcm_to_float
from voice.domain.models import whisper_base_files, whisper_tiny_en_dir

# Vocabulary prompts: names and trades of the platform, never whole test sentences.
VOCABULARY = {
    "en": "Osaka, Tokyo, Nagoya, Fukuoka, Kyoto, Yokohama, Aichi. Welding, caregiving, nursing care, "
    "construction, restaurant, food service, factory, farming, hotel, cleaning. Jobs, apply, wage, visa, JLPT.",
    # Sentences, not lists: given a list, Whisper copied it into the transcript ("横浜、京都、建設、飲食").
    "ja": "大阪や東京、名古屋、福岡、京都、横浜で、"
    "溶接や介護、建設、外食、工場、農業、ホテル、清掃の求人を探して応募します。",
    "vi": "Tôi tìm việc làm hàn, điều dưỡng, chăm sóc, xây dựng, nhà hàng, nhà máy, nông nghiệp hay khách sạn "
    "ở Osaka, Tokyo, Nagoya, Fukuoka, Kyoto hoặc Yokohama và ứng tuyển.",
    "id": "Saya mencari pekerjaan las, perawat, konstruksi, restoran, pabrik, pertanian atau hotel "
    "di Osaka, Tokyo, Nagoya, Fukuoka, Kyoto atau Yokohama, lalu melamar.",
}


class Expectation(Enum):
    """What the conversation waits for, which decides whether the command grammar may answer."""

    FREE = "free"  # anything
    CONFIRMATION = "confirmation"  # yes or no
    CHOICE = "choice"  # a list was read out: next, an item, apply


_GRAMMAR_FITS = {
    Expectation.CONFIRMATION: {commands.Kind.YES, commands.Kind.NO, commands.Kind.STOP, commands.Kind.REPEAT},
    # Ordinals are left to Whisper: the grammar confuses "first" and "third" on synthetic speech.
    Expectation.CHOICE: {commands.Kind.NEXT, commands.Kind.STOP, commands.Kind.REPEAT, commands.Kind.NO},
}


class Engine(Enum):
    WHISPER = "whisper"
    GRAMMAR = "grammar"


@dataclass(frozen=True)
class Recognition:
    text: str
    language: str
    engine: Engine
    seconds: float  # compute time


class WhisperRecognizer:
    """faster-whisper over a packaged model: `base` (multilingual) or `tiny.en`."""

    def __init__(
        self, model: str = "base", threads: int = 2, use_vocabulary: bool = True, beam_size: int | None = None
    ) -> None:
        from faster_whisper import WhisperModel  # heavy import: only when a model is wanted

        if model == "base":
            self._model: Any = WhisperModel(
                "base", device="cpu", compute_type="int8", cpu_threads=threads, files=whisper_base_files()
            )
        elif model == "tiny.en":
            self._model = WhisperModel(
                str(whisper_tiny_en_dir()), device="cpu", compute_type="int8", cpu_threads=threads
            )
        else:
            raise ValueError(f"unknown Whisper model {model!r}")
        self.name = model
        self.multilingual = bool(self._model.model.is_multilingual)
        self.use_vocabulary = use_vocabulary
        # Beam search for the multilingual model: on the committed set it cut vi WER 86 -> 64 %, ja CER 53 -> 46 %
        # (voice/README.md); English keeps greedy tiny.en, for its latency target.
        self.beam_size = beam_size or (5 if model == "base" else 1)
        self.prompt_min_ms = 1500
        self._lock = threading.Lock()  # one decode at a time: both cores go to it

    def transcribe(self, pcm: bytes, language: str | None) -> Recognition:
        if not self.multilingual:
            language = "en"
        # Short utterances (commands) get no prompt: Whisper then tends to copy the prompt instead of listening.
        long_enough = duration_ms(pcm) >= self.prompt_min_ms
        prompt = VOCABULARY.get(language or "", None) if self.use_vocabulary and long_enough else None
        started = time.perf_counter()
        with self._lock:
            segments, info = self._model.transcribe(
                pcm_to_float(pcm),
                language=language or None,
                task="transcribe",
                beam_size=self.beam_size,
                best_of=1,
                temperature=0.0,
                initial_prompt=prompt,
                condition_on_previous_text=False,
                without_timestamps=True,
                vad_filter=False,
                suppress_blank=True,
                no_speech_threshold=None,  # the endpointer already found speech: never drop it
                no_repeat_ngram_size=3,  # no "飲食、飲食、飲食..." loops
                max_new_tokens=int(16 + 12 * duration_ms(pcm) / 1000),
            )
            text = "".join(segment.text for segment in segments).strip()
        return Recognition(text, str(info.language), Engine.WHISPER, time.perf_counter() - started)


class GrammarRecognizer:
    """pocketsphinx 5 with the English command grammar (JSGF)."""

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self._decoder: Any = Decoder(loglevel="FATAL", lm=None)
        self._decoder.add_jsgf_string("commands", commands.JSGF_GRAMMAR)
        self._decoder.activate_search("commands")
        self._lock = threading.Lock()

    def transcribe(self, pcm: bytes) -> Recognition:
        started = time.perf_counter()
        with self._lock:
            self._decoder.start_utt()
            self._decoder.process_raw(pcm, full_utt=True)
            self._decoder.end_utt()
            hyp = self._decoder.hyp()
        text = hyp.hypstr if hyp is not None else ""
        return Recognition(text, "en", Engine.GRAMMAR, time.perf_counter() - started)


class SpeechRecognizer:
    """Chooses the engine for each utterance (see the module docstring)."""

    def __init__(
        self,
        whisper: WhisperRecognizer,
        grammar: GrammarRecognizer | None = None,
        english_whisper: WhisperRecognizer | None = None,
        grammar_max_ms: int = 1600,
    ) -> None:
        self.whisper = whisper
        self.grammar = grammar
        self.english_whisper = english_whisper  # e.g. tiny.en: faster for English when configured
        self.grammar_max_ms = grammar_max_ms

    def recognize(self, pcm: bytes, language: str | None, expect: Expectation = Expectation.FREE) -> Recognition:
        if (
            self.grammar is not None
            and language == "en"
            and expect is not Expectation.FREE
            and duration_ms(pcm, SAMPLE_RATE) <= self.grammar_max_ms
        ):
            fast = self.grammar.transcribe(pcm)
            command = commands.read(fast.text, "en")
            if command is not None and command.kind in _GRAMMAR_FITS[expect]:
                return fast
        if language == "en" and self.english_whisper is not None:
            return self.english_whisper.transcribe(pcm, "en")
        return self.whisper.transcribe(pcm, language)
