"""The quality set with real multilingual e5 vectors from the agent's Embed.

Japanese job postings and Vietnamese/Indonesian/English/Tagalog profiles
with known true suitability; NDCG@10 on held-out workers for eligibility
only, + semantic, + skills, + evidence, the hand-set and the learned
weights. Vectors come through `services.matching.embeddings.EmbedClient`,
the client matching uses, from a real agent replica (standing in for
matching's sidecar with the mesh identity header).
"""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from services.matching.domain.quality import generate, report
from services.matching.embeddings import EmbedClient

MATCHING_IDENTITY = (
    (
        "x-forwarded-client-cert",
        "By=spiffe://iworkz.local/ns/iworkz/sa/agent;URI=spiffe://iworkz.local/ns/iworkz/sa/matching",
    ),
)


@pytest.fixture(scope="module")
async def agent(make_settings, identity_service, agent_caches):
    """An agent replica on the session's built caches: with a data directory of its own it began a
    23-minute ESCO build in the background, stopped mid-batch at the module's end."""
    from services.agent.main import SPEC
    from services.runtime import server

    settings = make_settings("agent", identity_service.target, AGENT_DATA_DIR=str(agent_caches), IWORKZ_TRUST_XFCC="1")
    async with server.running(SPEC, settings) as running:
        yield running


async def test_ndcg_ladder_and_learned_beats_hand_set_on_held_out_workers(agent) -> None:
    qs = generate(10)
    async with grpc.aio.insecure_channel(agent.target) as channel:
        client = EmbedClient(channel, metadata=MATCHING_IDENTITY)
        workers = [(n, t) for n, t, k in qs.texts() if k == "query"]
        jobs = [(n, t) for n, t, k in qs.texts() if k == "passage"]
        wv = await client.embed([t for _, t in workers], "query")
        jv = await client.embed([t for _, t in jobs], "passage")
    assert wv.shape[1] == 384 and np.allclose(np.linalg.norm(wv, axis=1), 1, atol=1e-3)
    vectors = {n: v for (n, _), v in zip(workers, wv, strict=True)} | {n: v for (n, _), v in zip(jobs, jv, strict=True)}
    result = report(qs, vectors, 384)
    n = result.ndcg
    print("NDCG@10 (real e5 via Embed):", {k: round(v, 3) for k, v in n.items()}, result.learned.version)
    assert n["+ semantic"] > n["eligibility only"] + 0.2  # cross-lingual: ja jobs × vi/id/en/tl profiles
    assert n["+ skills"] > n["+ semantic"]
    assert n["+ evidence"] >= n["+ skills"]
    assert n["learned"] > n["hand-set"]
