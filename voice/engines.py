"""The speech models of a voice process, loaded once at start from installed packages."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from voice.config import VoiceConfig
from voice.domain.recognition import GrammarRecognizer, SpeechRecognizer, WhisperRecognizer
from voice.domain.synthesis import VoiceBox

log = logging.getLogger("iworkz.voice")
_loaded: dict[tuple[str, str, int], SpeechEngines] = {}
_lock = threading.Lock()


@dataclass
class SpeechEngines:
    """What a session needs: the recogniser (Whisper + grammar) and the voices."""

    recognizer: SpeechRecognizer
    voices: VoiceBox

    @classmethod
    def load(cls, config: VoiceConfig) -> SpeechEngines:
        """The engines for these settings, loaded on first use and shared by every server of the process
        (tests run several in one process; the models are read-only once loaded)."""
        key = (config.english_model, config.english_voice, config.threads)
        with _lock:
            if key not in _loaded:
                _loaded[key] = cls._load(config)
            return _loaded[key]

    @classmethod
    def _load(cls, config: VoiceConfig) -> SpeechEngines:
        started = time.perf_counter()
        base = WhisperRecognizer("base", threads=config.threads)
        english = WhisperRecognizer("tiny.en", threads=config.threads) if config.english_model == "tiny.en" else None
        engines = cls(SpeechRecognizer(base, GrammarRecognizer(), english), VoiceBox(config.english_voice))
        engines.voices.synthesize("ready", "en")  # first call loads the voice
        log.info("speech models loaded", extra={"seconds": round(time.perf_counter() - started, 2)})
        return engines
