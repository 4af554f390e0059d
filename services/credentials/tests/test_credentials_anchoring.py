"""Batch anchoring on a real chain: one transaction per batch, restarts, a chain that is down.

Each test runs its own credential service on its own database (so no other
anchorer takes its digests) and its own chain: in-process eth-tester, or a
real anvil node from the npm package.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import uuid

import psycopg
import pytest

from devstack.embedded import create_database, drop_database
from iworkz.credentials.v1 import credentials_pb2 as pb
from services.credentials import node_packages
from services.credentials.anchoring import Anchorer
from services.credentials.chain.client import AnchorChain
from services.credentials.domain import merkle
from services.credentials.main import SPEC
from services.credentials.tests.credentials_testing import Platform, failed, jlpt
from services.credentials.tests.test_credentials_service import issue, wait_anchored
from services.runtime import server
from services.runtime.db import Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_database(server_urls):
    name = f"iworkz_anchor_{uuid.uuid4().hex[:10]}"
    yield create_database(server_urls[0], name)
    drop_database(server_urls[0], name)


@contextlib.asynccontextmanager
async def service(make_settings, identity_service, database_url: str, **env):
    values = {
        "CREDENTIALS_PUBLIC_URL": "https://credentials.test",
        "CREDENTIALS_ANCHOR_INTERVAL_SECONDS": "0.3",
        "CREDENTIALS_ANCHOR_BATCH_SIZE": "64",
        **env,
    }
    settings = make_settings("credentials", identity_service.target, DATABASE_URL=database_url, **values)
    async with server.running(SPEC, settings) as running:
        yield running


async def rows(database_url: str, query: str) -> list[tuple]:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        return await (await conn.execute(query)).fetchall()


async def test_batches_one_transaction_each_and_restart_finishes_the_rest(
    make_settings, identity_service, own_database, database_url
):
    chain_url = f"eth-tester://{uuid.uuid4().hex}"
    # A long interval: only full batches (5 digests) go out while it runs.
    async with service(
        make_settings,
        identity_service,
        own_database,
        CREDENTIALS_CHAIN_URL=chain_url,
        CREDENTIALS_ANCHOR_INTERVAL_SECONDS="3600",
        CREDENTIALS_ANCHOR_BATCH_SIZE="5",
    ) as running:
        platform = Platform(identity_service.target, running.target, database_url)
        issuer, worker = await platform.issuer(), await platform.worker()
        names = [(await issue(issuer, worker)).credential.name for _ in range(12)]
        for _ in range(600):  # up to a minute: late in a full run the chain node and the database are busy
            anchored = await rows(
                own_database, "SELECT count(*) FROM credentials.anchor_batches WHERE state = 'anchored'"
            )
            if anchored[0][0] >= 2:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        batches = await rows(own_database, "SELECT leaf_count, tx_hash FROM credentials.anchor_batches ORDER BY id")
        assert [b[0] for b in batches] == [5, 5] and len({b[1] for b in batches}) == 2
        pending = await rows(own_database, "SELECT count(*) FROM credentials.anchor_leaves WHERE batch_id IS NULL")
        assert pending[0][0] == 2
        await platform.close()
    # Restarted with a short interval: the two waiting digests are anchored, nothing twice.
    async with service(make_settings, identity_service, own_database, CREDENTIALS_CHAIN_URL=chain_url) as running:
        platform = Platform(identity_service.target, running.target, database_url)
        anchors = [await wait_anchored(platform.anonymous(), name) for name in names]
        assert all(a.anchored for a in anchors)
        assert len({a.transaction_hash for a in anchors}) == 3
        for anchor in anchors:
            proof = [bytes.fromhex(p) for p in anchor.merkle_proof]
            assert merkle.verify(
                bytes.fromhex(anchor.digest),
                anchor.leaf_index,
                anchor.tree_size,
                proof,
                bytes.fromhex(anchor.merkle_root),
            )
        chain = AnchorChain(chain_url, address=anchors[0].contract_address)
        logs = chain._contract().events.RootAnchored().get_logs(from_block=0)
        assert len(logs) == 3  # one transaction per batch
        assert (
            await rows(own_database, "SELECT digest FROM credentials.anchor_leaves GROUP BY digest HAVING count(*) > 1")
            == []
        )
        await platform.close()


async def test_chain_down_delays_anchoring_but_never_issuance(
    make_settings, identity_service, own_database, database_url
):
    down = f"http://127.0.0.1:{free_port()}"
    async with service(make_settings, identity_service, own_database, CREDENTIALS_CHAIN_URL=down) as running:
        platform = Platform(identity_service.target, running.target, database_url)
        issuer, worker = await platform.issuer(), await platform.worker()
        issued = await issue(issuer, worker)
        await asyncio.sleep(1.0)
        anchor = (
            await platform.anonymous().GetCredentialAnchor(pb.GetCredentialAnchorRequest(name=issued.credential.name))
        ).anchor
        assert not anchor.anchored and anchor.digest
        result = await platform.anonymous().VerifyCredential(
            pb.VerifyCredentialRequest(verifiable_credential=issued.verifiable_credential)
        )
        assert result.verified, failed(result)
        assert {c.check: c.result for c in result.checks}["anchor"] == pb.CHECK_RESULT_SKIPPED
        await platform.close()
    # The chain is back (a restart pointing at a live node): the waiting digest is anchored.
    async with service(
        make_settings, identity_service, own_database, CREDENTIALS_CHAIN_URL=f"eth-tester://{uuid.uuid4().hex}"
    ) as running:
        platform = Platform(identity_service.target, running.target, database_url)
        assert (await wait_anchored(platform.anonymous(), issued.credential.name)).anchored
        await platform.close()


async def test_a_batch_sent_before_a_crash_is_recorded_not_sent_again(
    make_settings, identity_service, own_database, database_url
):
    chain_url = f"eth-tester://{uuid.uuid4().hex}"
    async with service(
        make_settings,
        identity_service,
        own_database,
        CREDENTIALS_CHAIN_URL=chain_url,
        CREDENTIALS_ANCHOR_INTERVAL_SECONDS="3600",
    ) as running:
        platform = Platform(identity_service.target, running.target, database_url)
        issuer, worker = await platform.issuer(), await platform.worker()
        issued = await issue(issuer, worker)
        await platform.close()
    # What a crash leaves: the batch built and its root already on chain, but not recorded as anchored.
    db = Database(own_database, "credentials")
    await db.open()
    chain = AnchorChain(chain_url)
    anchorer = Anchorer(db, chain, 3600, 64)
    await anchorer.ensure_registry()
    waiting, age = await anchorer.measure_backlog()  # issued, in no batch yet: the backlog
    assert waiting == 1 and age > 0
    assert await anchorer.build_batch() == 1
    assert (await anchorer.measure_backlog())[0] == 1  # built but not sent: still the backlog
    root = bytes((await rows(own_database, "SELECT root FROM credentials.anchor_batches"))[0][0])
    sent = await chain.anchor(root, 1)
    async with service(make_settings, identity_service, own_database, CREDENTIALS_CHAIN_URL=chain_url) as running:
        platform = Platform(identity_service.target, running.target, database_url)
        anchor = await wait_anchored(platform.anonymous(), issued.credential.name)
        assert anchor.anchored and anchor.transaction_hash == sent.transaction
        assert len(chain._contract().events.RootAnchored().get_logs(from_block=0)) == 1
        await platform.close()
    assert await anchorer.measure_backlog() == (0, 0.0)
    await db.close()


async def test_anchoring_on_an_anvil_node(make_settings, identity_service, own_database, database_url, tmp_path):
    port = free_port()
    node = subprocess.Popen(
        [
            node_packages.anvil(),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--hardfork",
            "cancun",
            "--silent",
            "--state",
            str(tmp_path / "anvil-state.json"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        chain = AnchorChain(f"http://127.0.0.1:{port}")
        for _ in range(100):
            try:
                await chain.chain_id()
                break
            except Exception:
                await asyncio.sleep(0.1)
        async with service(
            make_settings, identity_service, own_database, CREDENTIALS_CHAIN_URL=f"http://127.0.0.1:{port}"
        ) as running:
            platform = Platform(identity_service.target, running.target, database_url)
            issuer, worker = await platform.issuer(), await platform.worker()
            issued = await issue(issuer, worker, jlpt("N2"))
            anchor = await wait_anchored(platform.anonymous(), issued.credential.name)
            assert anchor.anchored and anchor.chain_id == 31337
            result = await platform.anonymous().VerifyCredential(
                pb.VerifyCredentialRequest(verifiable_credential=issued.verifiable_credential)
            )
            assert {c.check: c.result for c in result.checks}["anchor"] == pb.CHECK_RESULT_PASS, failed(result)
            await platform.close()
    finally:
        node.terminate()
        node.wait(10)
