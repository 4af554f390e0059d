"""The matching service's own settings, from `MATCHING_*` environment variables.

Read at start (`MatchingConfig.from_settings`); a bad value stops the service
naming the variable. The event consumer's `MATCHING_EVENTS_*` are the
runtime's (`runtime.settings.EventSettings`).
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import ServiceSettings


class MatchingConfig(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", frozen=True, extra="forbid")

    heartbeat_seconds: float = Field(15.0, ge=0.05, le=300, description="idle time before a WatchMatches heartbeat")
    watch_floor: float = Field(0.5, ge=0, le=1, description="matches below this are not recorded (WatchMatches)")
    watch_per_job: int = Field(
        200, ge=1, le=100_000, description="a job published or changed is announced to at most its best N workers"
    )
    strong_match: float = Field(
        0.75, ge=0, le=1, validate_default=True, description="a match at or above this is announced (StrongMatchFound)"
    )
    learn_seconds: float = Field(600.0, ge=1, description="how often one replica re-learns the weights from feedback")
    snapshot_path: str = Field("", description="file for the projection's snapshot (fast restart); empty: off")
    snapshot_seconds: float = Field(60.0, ge=1, description="how often the snapshot is rewritten")
    agent_target: str = Field("", description="host:port of the agent (Embed), through the mesh")
    index: Literal["faiss", "pgvector"] = Field(
        "faiss", description="the job index: faiss (HNSW in each replica's memory) or pgvector (in PostgreSQL)"
    )
    pgvector_url: str = Field(
        "", description="PostgreSQL with the vector extension for MATCHING_INDEX=pgvector; empty: DATABASE_URL"
    )

    @field_validator("strong_match")
    @classmethod
    def _above_floor(cls, value: float, info: ValidationInfo) -> float:
        if value < info.data.get("watch_floor", 0.0):
            raise ValueError("must be at least MATCHING_WATCH_FLOOR")
        return value

    @property
    def agent(self) -> str:
        """Where the agent is: MATCHING_AGENT_TARGET, else the launcher's IWORKZ_AGENT_TARGET."""
        return self.agent_target or os.environ.get("IWORKZ_AGENT_TARGET", "").strip()
