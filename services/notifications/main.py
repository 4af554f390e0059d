"""Notifications service process: `python -m services.notifications.main`."""

from __future__ import annotations

import logging
import pathlib

import grpc

from iworkz.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from services.notifications.config import NotificationsConfig
from services.notifications.delivery import Delivery, SmtpEmail
from services.notifications.dispatch import Dispatcher
from services.notifications.event_handler import CONSUMER, SOURCES, NotificationWriter
from services.notifications.servicer import NotificationServicer
from services.runtime import server
from services.runtime.consumer import consumer_task
from services.runtime.fanout import Fanout
from services.runtime.server import Resources, ServiceSpec

NAME = notifications_pb2.DESCRIPTOR.services_by_name["NotificationService"].full_name
log = logging.getLogger(__name__)


async def add_servicers(grpc_server: grpc.aio.Server, resources: Resources) -> None:
    config = NotificationsConfig.from_settings(resources.settings)
    live = Fanout(resources.redis, resources.redis.key("live", "notifications"))
    channels: list[Delivery] = [SmtpEmail(config.smtp)] if config.smtp else []
    if not channels:
        log.info("no NOTIFICATIONS_SMTP_HOST: email notifications are off")
    resources.extras.update(config=config, live=live, dispatcher=Dispatcher(resources.db, channels))
    notifications_pb2_grpc.add_NotificationServiceServicer_to_server(
        NotificationServicer(resources, live, config.heartbeat_seconds), grpc_server
    )


async def listen_live(resources: Resources) -> None:
    """Feed this replica's subscribers from the Redis fan-out channel."""
    await resources.extras["live"].run()


async def dispatch_deliveries(resources: Resources) -> None:
    """Send pending emails (and, later, other channels)."""
    await resources.extras["dispatcher"].run()


def _writer(resources: Resources) -> NotificationWriter:
    return NotificationWriter(
        resources.extras["live"], resources.extras["dispatcher"], resources.extras["config"].web_base_url
    )


# Events per consumer transaction (XREADGROUP COUNT): the transaction's statements and round trips
# are per batch, so under a burst 500 cost a delivery about a third less CPU than 100; a quiet
# stream still goes out as it arrives (a read returns what is there). NOTIFICATIONS_EVENTS_BATCH overrides.
EVENT_BATCH = 500

SPEC = ServiceSpec(
    name="notifications",
    migrations=pathlib.Path(__file__).parent / "migrations",
    grpc_services=[NAME],
    add_servicers=add_servicers,
    background=[listen_live, consumer_task(CONSUMER, SOURCES, _writer, batch=EVENT_BATCH), dispatch_deliveries],
)

if __name__ == "__main__":
    server.main(SPEC)
