"""Voice service process: `python -m voice.main`."""

from __future__ import annotations

import asyncio
import pathlib

import grpc

from iworkz.voice.v1 import voice_pb2, voice_pb2_grpc
from services.runtime import deadlines, server
from services.runtime.errors import Unavailable
from services.runtime.server import Resources, ServiceSpec
from voice.config import VoiceConfig
from voice.engines import SpeechEngines
from voice.servicer import VoiceServicer

NAME = voice_pb2.DESCRIPTOR.services_by_name["VoiceService"].full_name


async def add_servicers(grpc_server: grpc.aio.Server, resources: Resources) -> None:
    config = VoiceConfig.from_settings(resources.settings)
    if not config.agent:
        raise Unavailable("voice needs the agent: set VOICE_AGENT_TARGET (make up sets IWORKZ_AGENT_TARGET)")
    speech = await asyncio.to_thread(SpeechEngines.load, config)
    # The sidecar's egress (mTLS from there on); each turn within what is left of the caller's deadline.
    channel = grpc.aio.insecure_channel(config.agent, interceptors=deadlines.interceptors())
    resources.extras["agent_channel"] = channel
    voice_pb2_grpc.add_VoiceServiceServicer_to_server(VoiceServicer(resources, config, speech, channel), grpc_server)


async def close_channel(resources: Resources) -> None:
    try:
        await asyncio.Event().wait()  # until drain cancels the background tasks
    finally:
        channel = resources.extras.get("agent_channel")
        if channel is not None:
            await channel.close()


SPEC = ServiceSpec(
    name="voice",
    migrations=pathlib.Path(__file__).parent / "migrations",
    grpc_services=[NAME],
    add_servicers=add_servicers,
    background=[close_channel],
)

if __name__ == "__main__":
    server.main(SPEC)
