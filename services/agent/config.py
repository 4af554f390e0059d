"""The agent's own settings, from `AGENT_*` environment variables (read at start; a bad one stops it, named).

- `AGENT_DATA_DIR` (default `.iworkz/agent`): caches built at first start
  (ESCO skill-label vectors, the corpus mean, intent example vectors).
- `AGENT_THREADS` (default 2): threads of the embedding engine.
- `AGENT_MARKETPLACE_TARGET`, else `IWORKZ_MARKETPLACE_TARGET` (what the launcher sets: the
  sidecar's egress): host:port of marketplace; the assistant's tools and SkillGap/CareerPaths
  call it with the caller's token.
- `AGENT_MATCHING_TARGET`, else `IWORKZ_MATCHING_TARGET` (the launcher's): host:port of matching;
  the assistant's "recommend jobs" and "explain this match" tools call it with the caller's token.
- `AGENT_LLM_URL`, `AGENT_LLM_MODEL`, `AGENT_LLM_API_KEY`: an OpenAI-compatible
  chat-completions endpoint with function calling; without a URL the offline
  engine answers.
"""

from __future__ import annotations

import os
import pathlib

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import ServiceSettings

MAX_RESUME_BYTES = 5 * 1024 * 1024


class AgentConfig(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AGENT_", frozen=True, extra="forbid")

    data_dir: pathlib.Path = Field(pathlib.Path(".iworkz/agent"), description="caches built at first start")
    threads: int = Field(2, ge=1, le=64, description="threads of the embedding engine")
    marketplace_target: str = Field("", description="host:port of marketplace (through the mesh)")
    matching_target: str = Field("", description="host:port of matching (through the mesh)")
    llm_url: str = Field("", description="an OpenAI-compatible chat-completions endpoint")
    llm_model: str = Field("", validate_default=True, description="the model to ask there")
    llm_api_key: str = Field("", description="its API key")

    @field_validator("llm_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @field_validator("llm_model")
    @classmethod
    def _model_with_url(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("llm_url") and not value:
            raise ValueError("must be set with AGENT_LLM_URL")
        return value

    @property
    def marketplace(self) -> str:
        """Where marketplace is: AGENT_MARKETPLACE_TARGET, else the launcher's IWORKZ_MARKETPLACE_TARGET."""
        return self.marketplace_target or os.environ.get("IWORKZ_MARKETPLACE_TARGET", "").strip()

    @property
    def matching(self) -> str:
        """Where matching is: AGENT_MATCHING_TARGET, else the launcher's IWORKZ_MATCHING_TARGET."""
        return self.matching_target or os.environ.get("IWORKZ_MATCHING_TARGET", "").strip()
