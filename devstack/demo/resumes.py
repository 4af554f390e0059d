"""Demo workers upload a résumé and accept the skills the agent reads from it.

Each demo worker's résumé is written (English, DOCX) from the demo data set,
sent to the agent's `ParseResume` as the worker, and the ESCO skills of the
draft that the profile lacks are saved with marketplace's
`UpdateWorkerProfile` (mask `skills`), as a worker accepting suggestions
would. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
from google.protobuf import field_mask_pb2

from devstack.demo import dataset
from iworkz.agent.v1 import agent_pb2 as pb
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client

ESCO = "http://data.europa.eu/esco/skill/"


def resume_lines(worker: dataset.Worker) -> list[str]:
    """A plain résumé of a demo worker (labelled fields, headed sections)."""
    lines = [
        "CURRICULUM VITAE",
        f"Name: {worker.display_name}",
        f"Email: {worker.email}",
        f"Phone: {worker.phone}",
        f"Status of residence: {worker.visa_status.replace('_', ' ').title()}"
        + (f" - {worker.ssw_field.replace('_', ' ').lower()}" if worker.ssw_field else ""),
        "",
        "Work experience",
    ]
    for job in worker.experience:
        period = f"{job.start[:7].replace('-', '/')} - {job.end[:7].replace('-', '/') if job.end else 'Present'}"
        lines.append(f"{period}: {job.employer_name}, {job.title}")
        lines.append(job.description)
    lines += ["", "Languages"]
    for language in worker.languages:
        lines.append(
            f"{language.language}: {language.proficiency.lower()}"
            + (f" (JLPT {language.jlpt})" if language.jlpt else "")
        )
    lines += ["", "Skills", ", ".join(name for name, _ in worker.skills), "", worker.summary]
    return lines


def _docx(lines: list[str]) -> bytes:
    import io

    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def _upload(parent: str, data: bytes) -> AsyncIterator[pb.ParseResumeRequest]:
    yield pb.ParseResumeRequest(parent=parent, file={"content_type": "", "data": data})


async def wait_for_skills(
    identity_target: str, agent_target: str, password: str, say: Callable[[str], None], timeout: float = 1800
) -> None:
    """Wait until the agent's ESCO index is loaded (built on a machine's first start: minutes)."""
    worker = dataset.WORKERS[0]
    async with Client(identity_target) as identity, Client(agent_target) as client:
        deadline = asyncio.get_running_loop().time() + timeout
        said = False
        while True:
            # A fresh sign-in each round: a first build outlasts an access token, and this client
            # (the agent's channel) cannot refresh one itself.
            client.use_tokens((await identity.login(worker.email, password)).tokens)
            try:
                # ExtractSkills waits for the index (up to 10 minutes a call) and then answers.
                await client.agent.ExtractSkills(pb.ExtractSkillsRequest(text="TIG welding"), timeout=660)
                return
            except grpc.aio.AioRpcError as error:
                # The agent could not fetch identity's signing keys in time (a loaded machine): it
                # says so with UNAUTHENTICATED "...; try again", and the next round asks again.
                keys_late = error.code() == grpc.StatusCode.UNAUTHENTICATED and "try again" in (error.details() or "")
                if (
                    error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
                    and not keys_late
                ):
                    raise
            if not said:
                say("the agent is building its ESCO skill index (first start on this machine only) ...")
                said = True
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the agent's ESCO index was not ready in time")
            await asyncio.sleep(3)


async def attach(
    identity_target: str, agent_target: str, marketplace_target: str, password: str, say: Callable[[str], None]
) -> int:
    """Parse every demo worker's résumé and add the ESCO skills it shows; returns the skills added."""
    added = 0
    for worker in dataset.WORKERS:
        async with Client(identity_target) as identity:
            tokens = (await identity.login(worker.email, password)).tokens
        async with Client(agent_target) as agent, Client(marketplace_target) as market:
            agent.use_tokens(tokens)
            market.use_tokens(tokens)
            user = (await identity_user(identity_target, tokens)).removeprefix("users/")
            name = f"workers/{user}"
            draft = (await agent.agent.ParseResume(_upload(name, _docx(resume_lines(worker))), timeout=120)).draft
            profile = (await market.marketplace.GetWorkerProfile(mp.GetWorkerProfileRequest(name=name))).profile
            have = {s.taxonomy_id for s in profile.skills}
            new = [s for s in draft.profile.skills if s.taxonomy_id.startswith(ESCO) and s.taxonomy_id not in have]
            if new:
                await market.marketplace.UpdateWorkerProfile(
                    mp.UpdateWorkerProfileRequest(
                        profile=mp.WorkerProfile(name=name, skills=[*profile.skills, *new][:100]),
                        update_mask=field_mask_pb2.FieldMask(paths=["skills"]),
                    )
                )
                added += len(new)
    say(f"résumés parsed for {len(dataset.WORKERS)} demo workers: {added} ESCO skills added")
    return added


async def identity_user(identity_target: str, tokens: Any) -> str:
    import jwt

    return "users/" + jwt.decode(tokens.access_token, options={"verify_signature": False})["sub"]


async def verify(identity_target: str, marketplace_target: str, password: str) -> str:
    """Every demo worker's profile holds ESCO skills read from their résumé."""
    for worker in dataset.WORKERS:
        async with Client(identity_target) as identity:
            tokens = (await identity.login(worker.email, password)).tokens
        async with Client(marketplace_target) as market:
            market.use_tokens(tokens)
            name = "workers/" + (await identity_user(identity_target, tokens)).removeprefix("users/")
            profile = (await market.marketplace.GetWorkerProfile(mp.GetWorkerProfileRequest(name=name))).profile
        if not any(s.taxonomy_id.startswith(ESCO) for s in profile.skills):
            raise AssertionError(f"{worker.email}: no ESCO skill from the parsed résumé in the profile")
    return f"the {len(dataset.WORKERS)} demo workers have ESCO skills from their parsed résumés"
