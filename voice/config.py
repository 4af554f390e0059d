"""The voice service's own settings, from `VOICE_*` environment variables (read at start; a bad one stops it, named).

- `VOICE_AGENT_TARGET`, else `IWORKZ_AGENT_TARGET` (what the launcher sets: the
  sidecar's egress): host:port of the agent, whose `Chat` answers every utterance.
- `VOICE_ENGLISH_MODEL` (`tiny.en` | `base`): the Whisper model for English.
- `VOICE_ENGLISH_VOICE` (`espeak` | `piper`): the English voice.
- `VOICE_THREADS` (2): threads of the recogniser.
- `VOICE_MAX_UTTERANCE_SECONDS` (30): the longest recording `Ask` takes.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import ServiceSettings


class VoiceConfig(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="VOICE_", frozen=True, extra="forbid")

    agent_target: str = Field("", description="host:port of the agent (through the mesh)")
    english_model: Literal["tiny.en", "base"] = Field("tiny.en", description="Whisper model for English")
    english_voice: Literal["espeak", "piper"] = Field("espeak", description="voice for English replies")
    threads: int = Field(2, ge=1, le=64, description="threads of the recogniser")
    max_utterance_seconds: int = Field(30, ge=1, le=120, description="longest recording Ask takes")

    @property
    def agent(self) -> str:
        """Where the agent is: VOICE_AGENT_TARGET, else the launcher's IWORKZ_AGENT_TARGET."""
        return self.agent_target or os.environ.get("IWORKZ_AGENT_TARGET", "").strip()
