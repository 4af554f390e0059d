"""Agent service process: `python -m services.agent.main`."""

from __future__ import annotations

import asyncio
import pathlib

import grpc

from iworkz.agent.v1 import agent_pb2, agent_pb2_grpc
from services.agent.config import AgentConfig
from services.agent.models import Models
from services.agent.servicer import AgentServicer
from services.runtime import server
from services.runtime.server import Resources, ServiceSpec

NAME = agent_pb2.DESCRIPTOR.services_by_name["AgentService"].full_name


async def add_servicers(grpc_server: grpc.aio.Server, resources: Resources) -> None:
    config = AgentConfig.from_settings(resources.settings)
    models = await asyncio.to_thread(Models.load, config.data_dir, config.threads)
    resources.extras.update(config=config, models=models)
    agent_pb2_grpc.add_AgentServiceServicer_to_server(AgentServicer(resources, models), grpc_server)


SPEC = ServiceSpec(
    name="agent",
    migrations=pathlib.Path(__file__).parent / "migrations",
    grpc_services=[NAME],
    add_servicers=add_servicers,
)

if __name__ == "__main__":
    server.main(SPEC)
