"""Speech quality and speed on the committed utterance set, in one command.

    .venv/bin/python -m voice.evaluate                      # every utterance
    .venv/bin/python -m voice.evaluate --languages en --english-model tiny.en --english-voice piper
    .venv/bin/python -m voice.evaluate --set heldout --lang vi   # the held-out set, one language
    .venv/bin/python -m voice.evaluate --set my_utterances.yaml -v

Each utterance of `voice/utterances.yaml` (or `--set`) is spoken by espeak-ng
(the service's own synthesizer), resampled to 16 kHz, framed by silence and
streamed in 20 ms chunks through the service's endpointer; the utterance it
cuts is recognised as the service would (command grammar or Whisper, by
what the conversation expects) and read for its intent and slots.

Printed per language: word error rate (Japanese: character error rate of the
reading), intent accuracy (intent and every expected slot right), how often
the grammar fast path answered, how often an answer that was not a yes was
taken for one (false consent: must be 0), and the latency from the end of
speech to the first synthesized audio byte, p50 and p99. That latency is the
silence the endpointer waits for (audio time) plus the measured compute:
recognition, reading and synthesizing the first sentence of a reply. The
agent's own time is not in it (see voice/README.md for the figure through
the running platform).

Intent reading here is `voice.domain.reading` (trade and place names read
by sound as well as spelling, ordinals, the command words of
`voice.domain.commands`), and answers to a confirmation go through the
service's gate: it checks that a transcript kept the words that carry the
meaning. In the service, the agent's Chat reads free speech (given the
catalogue words `reading` found loosely); the voice service itself reads
only the command set.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import yaml

from voice.domain import reading, scoring
from voice.domain.audio import SAMPLE_RATE, float_to_pcm, pcm_to_float, resample
from voice.domain.dialogue import Dialogue
from voice.domain.recognition import Expectation, GrammarRecognizer, SpeechRecognizer, WhisperRecognizer
from voice.domain.synthesis import EspeakSynthesizer, VoiceBox, sentences
from voice.domain.vad import FRAME_BYTES, Endpointer, SpeechEnded

SET = pathlib.Path(__file__).with_name("utterances.yaml")
# Named sets: `committed` (tuned on) and `heldout` (written before tuning, never tuned on).
SETS = {"committed": SET, "heldout": pathlib.Path(__file__).with_name("utterances_heldout.yaml")}

FIRST_SENTENCE = {  # a typical first sentence of the agent's answer, for the synthesis part of the latency
    "en": "I found three welding jobs in Osaka.",
    "ja": "大阪で溶接の仕事が三件見つかりました。",
    "vi": "Tôi tìm thấy ba việc hàn ở Osaka.",
    "id": "Saya menemukan tiga pekerjaan las di Osaka.",
    # The agent answers Tagalog and Nepali callers in English; a confirmation's "say yes or no" is in theirs.
    "tl": "Sabihin ang oo o hindi.",
    "ne": "हो वा होइन भन्नुहोस्।",
}


def read_intent(text: str, language: str, expect: Expectation) -> tuple[str, dict[str, Any]]:
    """Intent and slots of a transcript: an answer through the confirmation gate, the rest by `reading`."""
    if expect is Expectation.CONFIRMATION:
        dialogue = Dialogue(language=language)
        dialogue.confirmation_prompt("?", language)
        turn = dialogue.on_utterance(text, language)
        return (turn.answer.value if turn.answer is not None else "other"), {}
    found = reading.read(text, language)
    return found.intent, found.slots


def _same_slot(name: str, expected: Any, got: Any) -> bool:
    if name == "trade":
        return reading.TRADE_ALIASES.get(str(expected), expected) == got
    return bool(expected == got)


@dataclass
class Result:
    utterance: dict[str, Any]
    transcript: str
    engine: str
    intent: str
    slots: dict[str, Any]
    edits: int
    words: int
    latency_ms: float
    compute_ms: float

    @property
    def intent_ok(self) -> bool:
        expected = self.utterance.get("slots") or {}
        return self.intent == self.utterance["intent"] and all(
            _same_slot(k, v, self.slots.get(k)) for k, v in expected.items()
        )


@dataclass
class Harness:
    recognizer: SpeechRecognizer
    speaker: EspeakSynthesizer
    voices: VoiceBox
    lead_ms: int = 300
    tail_ms: int = 800
    snr_db: float | None = None
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(7))

    def audio_for(self, text: str, language: str) -> bytes:
        speech = resample(pcm_to_float(self.speaker.synthesize(text, language)), self.speaker.sample_rate)
        lead = np.zeros(SAMPLE_RATE * self.lead_ms // 1000, dtype=np.float32)
        tail = np.zeros(SAMPLE_RATE * self.tail_ms // 1000, dtype=np.float32)
        signal = np.concatenate([lead, speech, tail])
        if self.snr_db is not None:
            power = float(np.mean(speech * speech)) or 1e-8
            noise = self.rng.normal(0.0, np.sqrt(power / 10 ** (self.snr_db / 10)), signal.size)
            signal = signal + noise.astype(np.float32)
        return float_to_pcm(signal)

    def run(self, utterance: dict[str, Any]) -> Result:
        language = str(utterance["lang"])
        expect = Expectation(utterance.get("expect", "free"))
        audio = self.audio_for(str(utterance["text"]), language)
        endpointer = Endpointer()
        ended: SpeechEnded | None = None
        decided_ms = 0
        for start in range(0, len(audio), FRAME_BYTES):  # as a client streams it, 20 ms at a time
            for event in endpointer.push(audio[start : start + FRAME_BYTES]):
                if isinstance(event, SpeechEnded) and ended is None:
                    ended, decided_ms = event, endpointer.offset_ms
            if ended is not None:
                break
        if ended is None:  # the endpointer never heard an end: the stream's end closes it
            for event in endpointer.flush():
                if isinstance(event, SpeechEnded):
                    ended, decided_ms = event, endpointer.offset_ms
        if ended is None:
            return Result(
                utterance,
                "",
                "none",
                "other",
                {},
                *scoring.errors(utterance["text"], "", language),
                float("nan"),
                float("nan"),
            )
        started = time.perf_counter()
        heard = self.recognizer.recognize(ended.audio, language, expect)
        intent, slots = read_intent(heard.text, language, expect)
        first = sentences(FIRST_SENTENCE[language])[0]
        self.voices.synthesize(first, language)
        compute_ms = (time.perf_counter() - started) * 1000
        edits, words = scoring.errors(str(utterance["text"]), heard.text, language)
        waited_ms = decided_ms - ended.offset_ms
        return Result(
            utterance, heard.text, heard.engine.value, intent, slots, edits, words, waited_ms + compute_ms, compute_ms
        )


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else float("nan")


def report(results: list[Result], out: Any = None) -> None:
    out = out or sys.stdout
    languages = sorted({str(r.utterance["lang"]) for r in results})
    header = (
        f"{'lang':<5}{'n':>4}  {'WER':>6}  {'intent':>7}  {'grammar':>8}  {'false yes':>9}  "
        f"{'p50 ms':>7}  {'p99 ms':>7}  {'compute p50':>11}"
    )
    print(header, file=out)
    for language in [*languages, "all"]:
        rows = [r for r in results if language in ("all", r.utterance["lang"])]
        if not rows:
            continue
        edits, words = sum(r.edits for r in rows), sum(r.words for r in rows)
        not_yes = [r for r in rows if r.utterance.get("expect") == "confirmation" and r.utterance["intent"] != "yes"]
        false_yes = sum(1 for r in not_yes if r.intent == "yes")
        latencies = [r.latency_ms for r in rows if r.latency_ms == r.latency_ms]
        computes = [r.compute_ms for r in rows if r.compute_ms == r.compute_ms]
        metric = "CER" if language == "ja" else "WER"
        print(
            f"{language:<5}{len(rows):>4}  {100 * edits / max(words, 1):>5.1f}%  "
            f"{100 * sum(r.intent_ok for r in rows) / len(rows):>6.1f}%  "
            f"{sum(r.engine == 'grammar' for r in rows):>8}  {false_yes:>4}/{len(not_yes):<4}  "
            f"{percentile(latencies, 50):>7.0f}  {percentile(latencies, 99):>7.0f}  {percentile(computes, 50):>11.0f}"
            + (f"   ({metric})" if language == "ja" else ""),
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="committed", help="committed | heldout | an utterance file (YAML list)")
    parser.add_argument("--languages", "--lang", default="", help="comma-separated subset, e.g. en,ja")
    parser.add_argument("--limit", type=int, default=0, help="at most this many utterances per language")
    parser.add_argument(
        "--english-model",
        choices=["base", "tiny.en"],
        default=os.environ.get("VOICE_ENGLISH_MODEL", "tiny.en"),
        help="Whisper model for English (others always use base)",
    )
    parser.add_argument("--english-voice", choices=["espeak", "piper"], default="espeak")
    parser.add_argument("--no-grammar", action="store_true", help="Whisper only (no command fast path)")
    parser.add_argument("--no-vocabulary", action="store_true", help="no vocabulary prompt for Whisper")
    parser.add_argument("--rate", type=int, default=175, help="espeak-ng words per minute of the test speech")
    parser.add_argument("--snr", type=float, default=None, help="add white noise at this SNR (dB)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam", type=int, default=None, help="Whisper base's beam size (default: the service's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per utterance")
    args = parser.parse_args(argv)

    path = SETS.get(args.set, pathlib.Path(args.set))
    utterances: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    wanted = {x for x in args.languages.split(",") if x}
    if wanted:
        utterances = [u for u in utterances if u["lang"] in wanted]
    if args.limit:
        per_language: dict[str, list[dict[str, Any]]] = {}
        for u in utterances:
            per_language.setdefault(str(u["lang"]), []).append(u)
        utterances = [u for group in per_language.values() for u in group[: args.limit]]

    started = time.perf_counter()
    base = WhisperRecognizer("base", threads=args.threads, use_vocabulary=not args.no_vocabulary, beam_size=args.beam)
    english = None
    if args.english_model == "tiny.en":
        english = WhisperRecognizer("tiny.en", threads=args.threads, use_vocabulary=not args.no_vocabulary)
    grammar = None if args.no_grammar else GrammarRecognizer()
    harness = Harness(
        SpeechRecognizer(base, grammar, english),
        EspeakSynthesizer(args.rate),
        VoiceBox(args.english_voice),
        snr_db=args.snr,
    )
    harness.voices.synthesize("warm up", "en")
    print(
        f"models loaded in {time.perf_counter() - started:.1f} s; English: Whisper {args.english_model}, "
        f"voice {args.english_voice}; grammar fast path {'off' if grammar is None else 'on'}; "
        f"{len(utterances)} utterances",
        flush=True,
    )

    results = []
    for utterance in utterances:
        result = harness.run(utterance)
        results.append(result)
        if args.verbose:
            mark = "ok " if result.intent_ok else "BAD"
            print(
                f"{mark} {utterance['id']:<5} {result.engine:<8} {result.latency_ms:6.0f} ms  "
                f"{utterance['text']!r} -> {result.transcript!r} => {result.intent} {result.slots}",
                flush=True,
            )
    report(results)
    worst = statistics.mean(r.compute_ms for r in results) if results else 0.0
    print(f"mean compute per utterance {worst:.0f} ms on {os.cpu_count()} cores (load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
