"""ExtractSkills, SkillGap and CareerPaths over real gRPC, with the real ESCO index and marketplace."""

from __future__ import annotations

import grpc

from iworkz.agent.v1 import agent_pb2 as pb
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from services.agent.domain import skill_rules as esco

PIPE_WELDER = "http://data.europa.eu/esco/occupation/2ff73126-7aff-4233-9d9c-d8725e1c6822"


async def test_skills_in_four_languages_with_spans(world):
    worker = await world.person()
    api = world.stub(worker.agent)
    for text, language in (
        ("TIG溶接の経験5年、フォークリフト運転技能講習修了", "ja"),
        ("Tôi có 5 năm kinh nghiệm hàn TIG và lái xe nâng", "vi"),
        ("Pengalaman las TIG 5 tahun dan mengoperasikan forklift", "id"),
        ("Five years of TIG welding and forklift driving", "en"),
    ):
        response = await api.ExtractSkills(pb.ExtractSkillsRequest(text=text))
        uris = {s.skill.uri for s in response.skills}
        assert {esco.TIG, esco.FORKLIFT} <= uris, (text, [s.skill.label for s in response.skills])
        assert response.language_code == language
        for skill in response.skills:
            assert text[skill.span.start : skill.span.end] == skill.span.text
            assert 0.5 <= skill.confidence <= 1 and skill.skill.label and skill.method in ("rule", "embedding")


async def test_embedding_finds_skills_no_rule_names(world):
    worker = await world.person()
    response = await world.stub(worker.agent).ExtractSkills(
        pb.ExtractSkillsRequest(text="I repaired car engines and replaced brake pads in a garage", min_confidence=0.3)
    )
    assert response.skills and all(s.method == "embedding" for s in response.skills)
    assert any(
        "vehicle" in s.skill.label or "brake" in s.skill.label or "engine" in s.skill.label for s in response.skills
    ), [s.skill.label for s in response.skills]


async def test_extract_skills_access_and_validation(world):
    anonymous = world.stub(world.client(world.agent_target))
    await world.fails(grpc.StatusCode.UNAUTHENTICATED, anonymous.ExtractSkills(pb.ExtractSkillsRequest(text="TIG")))
    found = await anonymous.ExtractSkills(
        pb.ExtractSkillsRequest(text="TIG welding"), metadata=world.mesh_identity("matching")
    )
    assert esco.TIG in {s.skill.uri for s in found.skills}
    worker = await world.person()
    error = await world.fails(
        grpc.StatusCode.INVALID_ARGUMENT,
        world.stub(worker.agent).ExtractSkills(pb.ExtractSkillsRequest(text="x", min_confidence=2, max_skills=500)),
    )
    assert set(world.bad_fields(error)) == {"min_confidence", "max_skills"}


async def test_skill_gap_for_a_job_ranks_required_skills_first(world):
    employer = await world.employer()
    job = await world.job(
        employer,
        "TIG溶接工",
        "ステンレス配管の溶接。フォークリフトでの材料運搬もあります。",
        required=((esco.TIG, "TIG welding"),),
        preferred=(("", "crane operation"),),
    )
    worker = await world.worker(skills=[mp.Skill(label="forklift driving")])
    response = await world.stub(worker.agent).SkillGap(pb.SkillGapRequest(worker=worker.worker, job=job.name))
    assert response.target_title == "TIG溶接工"
    missing = [m.skill.uri for m in response.missing]
    assert missing[0] == esco.TIG and response.missing[0].importance == 1.0
    assert "required" in response.missing[0].reason
    assert esco.FORKLIFT in {m.uri for m in response.matched}
    assert [m.importance for m in response.missing] == sorted((m.importance for m in response.missing), reverse=True)
    assert 0 < response.coverage < 1


async def test_skill_gap_for_an_esco_occupation(world):
    worker = await world.worker(skills=[mp.Skill(label="TIG welding")])
    response = await world.stub(worker.agent).SkillGap(pb.SkillGapRequest(worker=worker.worker, occupation=PIPE_WELDER))
    assert response.target_title.startswith("pipe welder")
    assert response.missing and all(m.reason.startswith("part of the ESCO description") for m in response.missing)


async def test_skill_gap_is_the_workers_own(world):
    employer = await world.employer()
    job = await world.job(employer, "Welder", "TIG welding")
    worker, other = await world.worker(), await world.worker()
    await world.fails(
        grpc.StatusCode.PERMISSION_DENIED,
        world.stub(other.agent).SkillGap(pb.SkillGapRequest(worker=worker.worker, job=job.name)),
    )
    await world.fails(
        grpc.StatusCode.PERMISSION_DENIED,
        world.stub(employer.agent).SkillGap(pb.SkillGapRequest(worker=f"workers/{employer.user_id}", job=job.name)),
    )
    error = await world.fails(
        grpc.StatusCode.INVALID_ARGUMENT, world.stub(worker.agent).SkillGap(pb.SkillGapRequest(worker=worker.worker))
    )
    assert world.bad_fields(error) == ["target"]
    await world.fails(
        grpc.StatusCode.NOT_FOUND,
        world.stub(worker.agent).SkillGap(
            pb.SkillGapRequest(
                worker=worker.worker, job=job.name.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
            )
        ),
    )


async def test_career_paths_come_from_open_jobs_closest_first(world):
    employer = await world.employer()
    tag = world.unique_word()
    await world.job(
        employer,
        f"Pipe welder {tag}",
        "TIG welding of stainless pipes, reading drawings",
        required=((esco.TIG, "TIG welding"),),
    )
    await world.job(employer, f"Care worker {tag}", "Helping elderly residents with bathing and meals")
    worker = await world.worker(skills=[mp.Skill(taxonomy_id=esco.TIG, label="TIG welding")])
    response = await world.stub(worker.agent).CareerPaths(pb.CareerPathsRequest(worker=worker.worker, max_paths=20))
    titles = [p.title for p in response.paths]
    assert f"Pipe welder {tag}" in titles
    fits = [p.fit for p in response.paths]
    assert fits == sorted(fits, reverse=True)
    welder = response.paths[titles.index(f"Pipe welder {tag}")]
    assert esco.TIG in {s.uri for s in welder.skills_matched} and welder.job.startswith("employers/")
    assert welder.reason
