"""ParseResume over real gRPC: a client stream of chunks, a draft with evidence, nothing stored, bad files refused.

Calls carry a generous deadline: the SDK's default for writes (10 s) is about speed, which tests never assert.
"""

from __future__ import annotations

import grpc

from iworkz.agent.v1 import agent_pb2 as pb
from iworkz.agent.v1 import agent_pb2_grpc
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types
from services.agent import resume_corpus

CHUNK = 64 * 1024


def upload(parent: str, data: bytes, content_type: str, chunk: int = CHUNK):
    async def stream():
        yield pb.ParseResumeRequest(parent=parent, file={"content_type": content_type, "data": data[:chunk]})
        for start in range(chunk, len(data), chunk):
            yield pb.ParseResumeRequest(file={"data": data[start : start + chunk]})

    return stream()


async def test_a_pdf_in_chunks_becomes_a_draft_with_evidence(world):
    worker = await world.person()
    record = resume_corpus.records()[0]  # Japanese, SSW (i) manufacturing, JLPT N3, forklift and welding
    pdf = resume_corpus.two_page_pdf()
    response = await world.stub(worker.agent).ParseResume(
        upload(worker.worker, pdf, "application/pdf", 4096), timeout=120
    )
    draft = response.draft
    assert draft.page_count == 2 and draft.language_code == "ja"
    assert draft.profile.name == worker.worker and draft.profile.display_name == record["name"]
    assert draft.profile.visa_status == types.VISA_STATUS_SSW_1
    assert draft.profile.ssw_field == types.SSW_FIELD_MANUFACTURING
    japanese = next(lang for lang in draft.profile.languages if lang.language == "ja")
    assert japanese.jlpt_level == types.JAPANESE_LEVEL_N3
    assert {lic.kind for lic in draft.licences} == {pb.LICENCE_KIND_FORKLIFT, pb.LICENCE_KIND_WELDING}
    assert [e.employer_name for e in draft.profile.experience] == [job[0] for job in record["jobs"]]
    assert draft.profile.experience[0].start_date.year == 2019
    assert any(s.taxonomy_id.startswith("http://data.europa.eu/esco/skill/") for s in draft.profile.skills)
    by_field = {f.field: f for f in draft.fields}
    assert by_field["visa_status"].evidence[0].quote.startswith("特定技能")
    assert 0 < by_field["display_name"].confidence <= 1
    # The draft is a valid UpdateWorkerProfile payload, and parsing saved nothing.
    await world.fails(
        grpc.StatusCode.NOT_FOUND,
        worker.market.marketplace.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker)),
    )
    saved = await worker.market.marketplace.UpdateWorkerProfile(mp.UpdateWorkerProfileRequest(profile=draft.profile))
    assert saved.profile.visa_status == types.VISA_STATUS_SSW_1


async def test_docx_and_plain_text(world):
    worker = await world.person()
    record = resume_corpus.records()[11]  # Vietnamese
    lines = resume_corpus.lines(record)
    api = world.stub(worker.agent)
    docx = await api.ParseResume(upload(worker.worker, resume_corpus.docx(lines), ""), timeout=120)
    assert docx.draft.profile.display_name == record["name"] and docx.draft.language_code == "vi"
    text = await api.ParseResume(upload(worker.worker, "\n".join(lines).encode(), "text/plain"), timeout=120)
    assert text.draft.profile.email == record["email"]


async def test_a_phone_photo_of_a_paper_resume_is_read(world):
    """A printed résumé photographed a little turned, out of focus, grainy and in uneven light:
    read by OCR (Tesseract) and parsed like any other, in Vietnamese and in Japanese."""
    worker = await world.person()
    # A channel of its own: the SDK's service config would hold the call to the edge's 30 s, and
    # tests do not time the OCR.
    channel = grpc.aio.insecure_channel(world.agent_target)
    api = agent_pb2_grpc.AgentServiceStub(channel)
    token = (("authorization", f"Bearer {worker.tokens.access_token}"),)
    vietnamese = resume_corpus.records()[11]
    photo = resume_corpus.photo(resume_corpus.lines(vietnamese), "vi", seed=11)
    draft = (await api.ParseResume(upload(worker.worker, photo, "image/jpeg"), metadata=token, timeout=300)).draft
    assert draft.language_code == "vi" and draft.page_count == 1
    assert draft.profile.display_name == vietnamese["name"] and draft.profile.email == vietnamese["email"]
    expected = resume_corpus.expected(vietnamese)
    got = {lang.language for lang in draft.profile.languages}
    assert got == set(expected["languages"])
    by_field = {f.field: f for f in draft.fields}
    assert vietnamese["name"] in by_field["display_name"].evidence[0].quote  # quoted from the photo's text

    japanese = resume_corpus.records()[0]
    photo = resume_corpus.photo(resume_corpus.lines(japanese), "ja", seed=0)
    draft = (await api.ParseResume(upload(worker.worker, photo, ""), metadata=token, timeout=300)).draft
    assert draft.language_code == "ja"
    assert draft.profile.visa_status == types.VISA_STATUS_SSW_1
    assert draft.profile.ssw_field == types.SSW_FIELD_MANUFACTURING
    jlpt = next(lang for lang in draft.profile.languages if lang.language == "ja")
    assert jlpt.jlpt_level == types.JAPANESE_LEVEL_N3
    assert {lic.kind for lic in draft.licences} == {pb.LICENCE_KIND_FORKLIFT, pb.LICENCE_KIND_WELDING}
    assert draft.profile.email == japanese["email"]
    await channel.close()


async def test_bad_files_are_invalid_argument_naming_the_problem(world):
    worker = await world.person()
    api = world.stub(worker.agent)
    for data, content_type, problem in (
        (b"%PDF-1.4\nnot really a pdf", "application/pdf", "not a readable PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png", "not a readable image"),
        (b"GIF89a" + bytes(100), "image/gif", "has type 'image/gif'"),
        (b"", "text/plain", "is empty"),
        (b"x" * (5 * 1024 * 1024 + 10), "text/plain", "5 MB"),
    ):
        error = await world.fails(
            grpc.StatusCode.INVALID_ARGUMENT, api.ParseResume(upload(worker.worker, data, content_type), timeout=120)
        )
        assert problem in error.details() and world.bad_fields(error) == ["file"], error.details()


async def test_a_resume_is_the_workers_own(world):
    worker, other = await world.person(), await world.person()
    pdf = resume_corpus.pdf(resume_corpus.lines(resume_corpus.records()[6]), "en")
    await world.fails(
        grpc.StatusCode.PERMISSION_DENIED,
        world.stub(other.agent).ParseResume(upload(worker.worker, pdf, "application/pdf"), timeout=120),
    )
    anonymous = world.stub(world.client(world.agent_target))
    await world.fails(
        grpc.StatusCode.UNAUTHENTICATED,
        anonymous.ParseResume(upload(worker.worker, pdf, "application/pdf"), timeout=120),
    )

    async def switching():
        yield pb.ParseResumeRequest(parent=worker.worker, file={"content_type": "application/pdf", "data": pdf[:100]})
        yield pb.ParseResumeRequest(parent=other.worker, file={"data": pdf[100:]})

    error = await world.fails(
        grpc.StatusCode.INVALID_ARGUMENT, world.stub(worker.agent).ParseResume(switching(), timeout=120)
    )
    assert world.bad_fields(error) == ["parent"]
