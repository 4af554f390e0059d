"""A live check through the edge: an application moved to INTERVIEW reaches the
worker's open Subscribe streams (gRPC and Server-Sent Events) and their inbox
by email.

Used by `make up`'s `--check` (and runnable on its own against a running
platform) to show the events path end to end: marketplace outbox → relay →
Redis stream → notifications consumer → fan-out → Subscribe / SMTP.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import time
import uuid

import grpc
import httpx
from google.type import money_pb2

from iworkz.identity.v1 import identity_pb2 as idp
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.notifications.v1 import notifications_pb2 as nt
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types

PASSWORD = "live-check-password-2026"


class LiveCheckError(RuntimeError):
    pass


async def _sse_notifications(url: str, token: str, ca: str, found: asyncio.Queue, opened: asyncio.Event) -> None:
    headers = {"authorization": f"Bearer {token}", "accept": "text/event-stream"}
    async with httpx.AsyncClient(verify=ca, timeout=None) as http:
        async with http.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                raise LiveCheckError(f"SSE subscribe answered {response.status_code}: {(await response.aread())!r}")
            opened.set()
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    item = json.loads(line[5:])
                    if "notification" in item:
                        await found.put((time.perf_counter(), item["notification"]))


async def _grpc_notifications(client: Client, parent: str, found: asyncio.Queue, opened: asyncio.Event) -> None:
    stream = client.notifications.Subscribe(nt.SubscribeRequest(parent=parent))
    async for item in stream:
        opened.set()  # the first heartbeat or notification proves the stream is open
        if item.HasField("notification"):
            await found.put((time.perf_counter(), item.notification))


async def _first(queue: asyncio.Queue, timeout: float):
    try:
        return await asyncio.wait_for(queue.get(), timeout)
    except TimeoutError:
        raise LiveCheckError(f"no notification within {timeout:g} s") from None


async def application_goes_live(
    edge_target: str, ca_path: str, mail_dir: pathlib.Path | None, timeout: float = 15.0
) -> list[str]:
    """Run the journey through the edge; return what was checked (with measured latencies)."""
    tag = uuid.uuid4().hex[:8]
    credentials = grpc.ssl_channel_credentials(pathlib.Path(ca_path).read_bytes())
    worker, employer = Client(edge_target, credentials=credentials), Client(edge_target, credentials=credentials)
    tasks: list[asyncio.Task] = []
    try:
        signed = await employer.sign_up(
            email=f"live-hr-{tag}@iworkz.local",
            password=PASSWORD,
            display_name="Live Check HR",
            account_type=idp.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name=f"Live Check {tag}",
        )
        job = (
            await employer.marketplace.CreateJob(
                mp.CreateJobRequest(
                    parent="employers/" + signed.organization.name.split("/")[1],
                    job=mp.Job(
                        title=f"Kitchen staff {tag}",
                        description="Prep and line cooking.",
                        location=types.Location(prefecture="JP-40", city="Fukuoka"),
                        wage_min=money_pb2.Money(currency_code="JPY", units=1200),
                        wage_max=money_pb2.Money(currency_code="JPY", units=1400),
                        wage_period=types.WAGE_PERIOD_HOURLY,
                        employment_type=types.EMPLOYMENT_TYPE_PART_TIME,
                        headcount=1,
                    ),
                )
            )
        ).job
        await employer.marketplace.PublishJob(mp.PublishJobRequest(name=job.name))

        me = await worker.sign_up(
            email=f"live-worker-{tag}@iworkz.local",
            password=PASSWORD,
            display_name="Live Check Worker",
            account_type=idp.ACCOUNT_TYPE_WORKER,
            locale="ja",
        )
        user_id = me.user.name.split("/")[1]
        await worker.marketplace.UpdateWorkerProfile(
            mp.UpdateWorkerProfileRequest(
                profile=mp.WorkerProfile(
                    name=f"workers/{user_id}",
                    display_name="Live Check Worker",
                    visa_status=types.VISA_STATUS_PERMANENT_RESIDENT,
                )
            )
        )
        application = (
            await worker.marketplace.CreateApplication(mp.CreateApplicationRequest(parent=job.name))
        ).application

        grpc_found: asyncio.Queue = asyncio.Queue()
        sse_found: asyncio.Queue = asyncio.Queue()
        grpc_open, sse_open = asyncio.Event(), asyncio.Event()
        host, port = edge_target.rsplit(":", 1)
        url = f"https://localhost:{port}/v1/users/{user_id}/notifications:subscribe"
        tasks = [
            asyncio.create_task(_grpc_notifications(worker, me.user.name, grpc_found, grpc_open)),
            asyncio.create_task(_sse_notifications(url, me.tokens.access_token, ca_path, sse_found, sse_open)),
        ]
        done, _ = await asyncio.wait(
            [asyncio.create_task(grpc_open.wait()), asyncio.create_task(sse_open.wait()), *tasks],
            timeout=timeout,
            return_when=asyncio.ALL_COMPLETED,
        )
        for task in tasks:
            if task.done() and task.exception():
                raise LiveCheckError(f"a Subscribe stream failed: {task.exception()}")
        if not (grpc_open.is_set() and sse_open.is_set()):
            raise LiveCheckError("the Subscribe streams did not open")

        moved_at = time.perf_counter()
        await employer.marketplace.UpdateApplicationStatus(
            mp.UpdateApplicationStatusRequest(name=application.name, status=mp.APPLICATION_STATUS_INTERVIEW)
        )
        grpc_at, grpc_note = await _first(grpc_found, timeout)
        sse_at, sse_note = await _first(sse_found, timeout)
        checks = [
            f"application moved to INTERVIEW reached the worker's gRPC Subscribe stream through the edge in "
            f"{(grpc_at - moved_at) * 1000:.0f} ms ({grpc_note.language_code}: {grpc_note.title!r})",
            f"... and the SSE stream (REST through the edge) in {(sse_at - moved_at) * 1000:.0f} ms",
        ]
        if mail_dir is not None:
            checks.append(await _wait_for_mail(mail_dir, f"live-worker-{tag}@iworkz.local", timeout))
        return checks
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await worker.close()
        await employer.close()


async def _wait_for_mail(mail_dir: pathlib.Path, address: str, timeout: float) -> str:
    from devstack.smtp_sink import list_mail

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in list_mail(mail_dir) if mail_dir.exists() else []:
            # The application's email, not the verification email every sign-up sends.
            if address in mail.to and mail.subject != "[iWORKZ] Confirm your email address":
                return f"an email reached the SMTP sink: to {address}, language {mail.language}, {mail.subject!r}"
        await asyncio.sleep(0.2)
    raise LiveCheckError(f"no email to {address} in {mail_dir} within {timeout:g} s")
