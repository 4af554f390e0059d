"""Agent service process: `python -m services.agent.main`."""

from __future__ import annotations

import asyncio
import logging
import pathlib

import grpc

from iworkz.agent.v1 import agent_pb2, agent_pb2_grpc
from services.agent.config import MAX_RESUME_BYTES, AgentConfig
from services.agent.domain.chat.engine import Engine, OfflineEngine
from services.agent.domain.chat.intents import Prediction
from services.agent.models import Models
from services.agent.servicer import AgentServicer
from services.runtime import deadlines, server
from services.runtime.server import Resources, ServiceSpec

NAME = agent_pb2.DESCRIPTOR.services_by_name["AgentService"].full_name
log = logging.getLogger(__name__)


def _engine(config: AgentConfig, models: Models) -> Engine:
    async def classify(text: str) -> Prediction:
        return await asyncio.to_thread(models.intents.classify, text)

    offline = OfflineEngine(classify)
    if not config.llm_url:
        return offline
    from services.agent.llm import LlmEngine, OpenAiClient

    log.info("chat engine: OpenAI-compatible LLM", extra={"url": config.llm_url, "model": config.llm_model})
    return LlmEngine(OpenAiClient(config.llm_url, config.llm_model, config.llm_api_key), offline)


async def add_servicers(grpc_server: grpc.aio.Server, resources: Resources) -> None:
    config = AgentConfig.from_settings(resources.settings)
    models = await asyncio.to_thread(Models.load, config.data_dir, config.threads)
    # The assistant's tools call on a caller's behalf: within what is left of that caller's deadline.
    propagate = deadlines.interceptors()
    channel = grpc.aio.insecure_channel(config.marketplace, interceptors=propagate) if config.marketplace else None
    matching = grpc.aio.insecure_channel(config.matching, interceptors=propagate) if config.matching else None
    resources.extras.update(config=config, models=models, marketplace_channel=channel, matching_channel=matching)
    agent_pb2_grpc.add_AgentServiceServicer_to_server(
        AgentServicer(resources, models, _engine(config, models), channel, matching), grpc_server
    )


async def build_indexes(resources: Resources) -> None:
    """Load or build the ESCO caches (minutes on a first start, with a progress bar) while serving."""
    models: Models = resources.extras["models"]
    try:
        await asyncio.to_thread(models.build)
    except asyncio.CancelledError:
        models.stop()  # a drain during a first build: stop embedding between batches
        raise
    log.info("ESCO skill index ready")


async def close_channels(resources: Resources) -> None:
    try:
        await asyncio.Event().wait()
    finally:
        for name in ("marketplace_channel", "matching_channel"):
            channel = resources.extras.get(name)
            if channel is not None:
                await channel.close()


SPEC = ServiceSpec(
    name="agent",
    migrations=pathlib.Path(__file__).parent / "migrations",
    grpc_services=[NAME],
    add_servicers=add_servicers,
    background=[build_indexes, close_channels],
    min_message_bytes=MAX_RESUME_BYTES + 64 * 1024,  # a résumé uploaded over REST is one message
)

if __name__ == "__main__":
    server.main(SPEC)
