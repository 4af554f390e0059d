"""Reads from a real streaming replica with read-your-writes (runtime.replica).

A private PostgreSQL 16 primary (initdb from the pgserver wheel's binaries, on a free port) and
a hot standby made from it with `pg_basebackup -R`, streaming, on another free port: nothing
touches the machine's own PostgreSQL. Replay on the standby is paused to make it lag on purpose.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

from services.runtime import context
from services.runtime.db import Database
from services.runtime.redisconn import RedisClient
from services.runtime.replica import READS, ReadRouter, RedisFences

SCHEMA = "replica_test"


async def one(conn, query: str, params: tuple = ()) -> dict:
    row = await (await conn.execute(query, params)).fetchone()
    assert row is not None
    return row


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin(name: str) -> str:
    import pgserver

    return str(pathlib.Path(pgserver.__file__).parent / "pginstall" / "bin" / name)


def _as_owner(args: list[str], user: str | None) -> list[str]:
    # PostgreSQL refuses to run as root: as root, run it as pgserver's own system user.
    return ["runuser", "-u", user, "--", *args] if user else args


@pytest.fixture(scope="module")
def primary_and_replica():
    user = None
    if os.geteuid() == 0:
        user = "pgserver"
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
    # Not under pytest's directory (mode 0700 when run by hand): its own, which PostgreSQL's user owns.
    root = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-replica-"))
    root.chmod(0o755)
    if user:
        shutil.chown(root, user)
    primary, replica = root / "primary", root / "replica"
    p_port, r_port = _free_port(), _free_port()

    def run(*args: str, timeout: float = 120) -> None:
        result = subprocess.run(_as_owner(list(args), user), capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{args[0]}: {result.stdout}{result.stderr}"

    run(_bin("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {p_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nfsync = off\nshared_buffers = 16MB\n"
        )
    started = []
    try:
        run(_bin("pg_ctl"), "-D", str(primary), "-l", str(root / "primary.log"), "-w", "start")
        started.append(primary)
        run(
            _bin("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(p_port), "-U", "postgres", "-D", str(replica), "-R", "-X", "stream"),
        )
        with open(replica / "postgresql.auto.conf", "a") as conf:
            conf.write(f"port = {r_port}\n")
        run(_bin("pg_ctl"), "-D", str(replica), "-l", str(root / "replica.log"), "-w", "start")
        started.append(replica)
        yield f"postgresql://postgres@127.0.0.1:{p_port}/postgres", f"postgresql://postgres@127.0.0.1:{r_port}/postgres"
    finally:
        for data in reversed(started):
            subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], user), timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def router(primary_and_replica, redis_url):
    primary_url, replica_url = primary_and_replica
    primary, replica = Database(primary_url, SCHEMA), Database(replica_url, SCHEMA)
    await primary.open()
    async with primary.connection() as conn:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        await conn.execute("CREATE TABLE IF NOT EXISTS jobs (id text PRIMARY KEY, title text NOT NULL)")
    await replica.open()

    async def replayed() -> bool:  # the standby has the table before any test reads it
        async with replica.connection() as conn:
            return (await one(conn, f"SELECT to_regclass('{SCHEMA}.jobs') IS NOT NULL AS ok"))["ok"]

    await _eventually(replayed)
    redis = RedisClient(redis_url, f"test:replica:{uuid.uuid4().hex[:8]}:")
    yield ReadRouter(primary, replica, RedisFences(redis, ttl_seconds=30), max_wait=0.5)
    async with replica.connection() as conn:
        if (await one(conn, "SELECT pg_is_wal_replay_paused() AS p"))["p"]:
            await conn.execute("SELECT pg_wal_replay_resume()")
    async for key in redis.client.scan_iter(match=redis.prefix + "*"):
        await redis.client.delete(key)
    await redis.close()
    await replica.close()
    await primary.close()


def as_caller(subject: str):
    state = context.CallState(method="test", caller=context.Caller(subject=subject, kind="user"))
    return context.begin(state)


async def _read(router: ReadRouter, job_id: str) -> tuple[bool, str | None]:
    """(read on the standby?, the job's title as that connection sees it)."""
    async with router.reader() as conn:
        standby = (await one(conn, "SELECT pg_is_in_recovery() AS r"))["r"]
        row = await (await conn.execute("SELECT title FROM jobs WHERE id = %s", (job_id,))).fetchone()
    return standby, row["title"] if row else None


async def _eventually(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.05)
    return result


async def _read_until(router: ReadRouter, job_id: str, expected: tuple, timeout: float = 30.0) -> tuple:
    """Read until the answer is `expected` (replication is asynchronous); the last answer."""
    deadline = time.monotonic() + timeout
    while (got := await _read(router, job_id)) != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return got


async def test_the_replica_is_a_real_streaming_standby(primary_and_replica, router):
    async with router.primary.connection() as conn:
        rows = await (await conn.execute("SELECT state FROM pg_stat_replication")).fetchall()
    assert [r["state"] for r in rows] == ["streaming"]
    # Anonymous reads go to the standby, and a committed write shows up there.
    job = uuid.uuid4().hex
    async with router.primary.transaction() as conn:
        await conn.execute("INSERT INTO jobs VALUES (%s, 'welder')", (job,))
    assert await _read_until(router, job, (True, "welder")) == (True, "welder")


async def test_a_caller_reads_their_own_write_while_the_replica_lags(router):
    async with router.replica.connection() as conn:
        await conn.execute("SELECT pg_wal_replay_pause()")

        async def paused() -> bool:  # a pause is a request until replay actually stops
            return (await one(conn, "SELECT pg_get_wal_replay_pause_state() AS s"))["s"] == "paused"

        await _eventually(paused)
    job = uuid.uuid4().hex
    token = as_caller("writer")
    try:
        async with router.primary.transaction() as conn:
            await conn.execute("INSERT INTO jobs VALUES (%s, 'cook')", (job,))
        primary_reads = READS.labels("primary")._value.get()
        # The writer's read waits up to max_wait for the standby, then takes the primary: it sees the job.
        assert await _read(router, job) == (False, "cook")
        assert READS.labels("primary")._value.get() == primary_reads + 1
    finally:
        context.end(token)
    # Someone else (no write of theirs pending) reads the lagging standby: not there yet.
    token = as_caller("someone-else")
    try:
        assert await _read(router, job) == (True, None)
    finally:
        context.end(token)
    # Replay resumes: the writer's reads go back to the standby, which has the job.
    async with router.replica.connection() as conn:
        await conn.execute("SELECT pg_wal_replay_resume()")
    token = as_caller("writer")
    try:
        assert await _read_until(router, job, (True, "cook")) == (True, "cook")
    finally:
        context.end(token)


async def test_a_fresh_read_waits_for_everything_committed(router):
    job = uuid.uuid4().hex
    async with router.primary.transaction() as conn:  # no caller: no fence recorded
        await conn.execute("INSERT INTO jobs VALUES (%s, 'carer')", (job,))
    async with router.reader(fresh=True) as conn:
        row = await (await conn.execute("SELECT title FROM jobs WHERE id = %s", (job,))).fetchone()
    assert row["title"] == "carer"


async def test_an_unreachable_replica_sends_reads_to_the_primary(primary_and_replica, redis_url):
    primary = Database(primary_and_replica[0], SCHEMA)
    replica = Database(f"postgresql://postgres@127.0.0.1:{_free_port()}/postgres?connect_timeout=1", SCHEMA)
    await primary.open()
    await replica.pool.open(wait=False)
    replica.pool.timeout = 2
    try:
        router = ReadRouter(primary, replica)
        async with router.reader() as conn:
            row = await one(conn, "SELECT pg_is_in_recovery() AS r")
        assert row["r"] is False
    finally:
        await replica.close()
        await primary.close()
