"""Vectors for matching, from the agent's `Embed` RPC: the one place vectors come from.

Matching embeds texts when a profile or job changes, in batches (at most 256
texts a call, the contract's limit), never per request. Vectors are asked for
centred (`centered=true`): E5 cosines are compressed and the agent subtracts
its corpus mean, so a centred dot product means something. Worker profiles
are queries, jobs passages (E5's asymmetric prefixes).

In the mesh the channel goes to matching's sidecar egress for `agent`, which
adds matching's SPIFFE identity; `metadata` is for callers that stand in for
the sidecar (tests behind no sidecar).
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc
import numpy as np
import numpy.typing as npt

from iworkz.agent.v1 import agent_pb2, agent_pb2_grpc

BATCH = 256
KINDS = {"query": agent_pb2.EMBED_KIND_QUERY, "passage": agent_pb2.EMBED_KIND_PASSAGE}


class EmbedClient:
    """Batched calls to AgentService.Embed."""

    def __init__(
        self, channel: grpc.aio.Channel, *, metadata: Sequence[tuple[str, str]] = (), timeout: float = 60.0
    ) -> None:
        self._stub = agent_pb2_grpc.AgentServiceStub(channel)
        self._metadata = tuple(metadata)
        self._timeout = timeout
        self.model_version = ""

    async def embed(self, texts: Sequence[str], kind: str) -> npt.NDArray[np.float32]:
        """One centred, unit vector per text (rows), in order. Empty texts get a zero vector."""
        out: list[npt.NDArray[np.float32]] = []
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            present = [i for i, t in enumerate(batch) if t.strip()]
            reply = None
            if present:
                reply = await self._stub.Embed(
                    agent_pb2.EmbedRequest(texts=[batch[i][:8000] for i in present], kind=KINDS[kind], centered=True),
                    metadata=self._metadata,
                    timeout=self._timeout,
                )
                self.model_version = f"{reply.model}@{reply.model_version}"
            dim = len(reply.embeddings[0].values) if reply and reply.embeddings else 0
            block = np.zeros((len(batch), dim), dtype=np.float32)
            if reply is not None:
                for i, emb in zip(present, reply.embeddings, strict=True):
                    block[i] = np.asarray(emb.values, dtype=np.float32)
            out.append(block)
        if not out:
            return np.zeros((0, 0), dtype=np.float32)
        width = max(b.shape[1] for b in out)
        return np.vstack([b if b.shape[1] == width else np.zeros((len(b), width), np.float32) for b in out])
