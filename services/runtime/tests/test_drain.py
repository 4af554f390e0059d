"""A drain always ends: a background task that ignores its cancellation is named in the log and left."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from services.runtime import server


async def test_a_task_that_ignores_cancellation_does_not_hold_the_drain(make_settings, monkeypatch, caplog):
    from services.identity.main import SPEC

    started = asyncio.Event()
    release = asyncio.Event()

    async def stubborn(resources) -> None:
        started.set()
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue  # the kind of bug a drain must survive

    monkeypatch.setattr(server, "STOP_STEP_SECONDS", 0.5)
    spec = dataclasses.replace(SPEC, background=[*SPEC.background, stubborn])
    service = await server.start(spec, make_settings("identity"))
    await asyncio.wait_for(started.wait(), 10)
    with caplog.at_level(logging.ERROR, logger="services.runtime.server"):
        await asyncio.wait_for(service.stop(grace=0.1), 10)  # without the bound: never returns
    assert any(getattr(r, "task", "") == "identity:stubborn" for r in caplog.records), caplog.text
    release.set()
    await asyncio.sleep(0)
