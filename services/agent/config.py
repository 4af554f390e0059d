"""The agent's own settings, from `AGENT_*` environment variables.

- `AGENT_DATA_DIR` (default `.iworkz/agent`): caches built at first start
  (ESCO skill-label vectors, the corpus mean, intent example vectors).
- `AGENT_THREADS` (default 2): threads of the embedding engine.
- `AGENT_MARKETPLACE_TARGET`: host:port of marketplace (through the mesh);
  the assistant's tools and SkillGap/CareerPaths call it with the caller's token.
- `AGENT_LLM_URL`, `AGENT_LLM_MODEL`, `AGENT_LLM_API_KEY`: an OpenAI-compatible
  chat-completions endpoint with function calling; without a URL the offline
  engine answers.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from services.runtime.settings import ConfigError, Settings

MAX_RESUME_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class AgentConfig:
    data_dir: pathlib.Path
    threads: int = 2
    marketplace_target: str = ""
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> AgentConfig:
        env = settings.extra
        raw = env.get("AGENT_THREADS", "").strip() or "2"
        if not raw.isdigit() or not 1 <= int(raw) <= 64:
            raise ConfigError(f"agent: AGENT_THREADS must be an integer within [1, 64], got {raw!r}")
        url = env.get("AGENT_LLM_URL", "").strip()
        if url and not url.startswith(("http://", "https://")):
            raise ConfigError(f"agent: AGENT_LLM_URL must be an http(s) URL, got {url!r}")
        model = env.get("AGENT_LLM_MODEL", "").strip()
        if url and not model:
            raise ConfigError("agent: AGENT_LLM_MODEL is required with AGENT_LLM_URL")
        return cls(
            data_dir=pathlib.Path(env.get("AGENT_DATA_DIR", "").strip() or ".iworkz/agent"),
            threads=int(raw),
            marketplace_target=env.get("AGENT_MARKETPLACE_TARGET", "").strip(),
            llm_url=url,
            llm_model=model,
            llm_api_key=env.get("AGENT_LLM_API_KEY", "").strip(),
        )
