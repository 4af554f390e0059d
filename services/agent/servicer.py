"""AgentService: embeddings, résumés, skills, skill gaps, career paths and the assistant."""

from __future__ import annotations

import asyncio
import re

import grpc

from iworkz.agent.v1 import agent_pb2 as pb
from iworkz.agent.v1 import agent_pb2_grpc
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from services.agent import messages, store
from services.agent.config import MAX_RESUME_BYTES
from services.agent.domain import documents
from services.agent.domain import gap as gaps
from services.agent.domain.chat.engine import Confirm, Engine, Text, ToolUsed, Turn
from services.agent.domain.chat.replies import reply_language
from services.agent.domain.language import detect
from services.agent.domain.skills import SkillExtractor
from services.agent.models import Models
from services.agent.platform_tools import Marketplace, Matching, PlatformTools, worker_skills
from services.runtime import names, paging
from services.runtime.errors import InvalidArgument, Unavailable
from services.runtime.server import Resources

# How long an RPC that needs the ESCO index waits for a first start to finish building it.
SKILLS_WAIT_SECONDS = 600.0
# Résumé text given to skill extraction (the first pages hold the skills and jobs).
RESUME_SKILL_CHARS = 2500


def _authorization(context_: grpc.aio.ServicerContext) -> str:
    """The caller's own bearer token, forwarded unchanged to the services the agent calls for them."""
    return next((v for k, v in context_.invocation_metadata() or () if k == "authorization"), "")


def _sentences(text: str) -> list[str]:
    """A reply cut into the pieces streamed one by one: lines, then sentences."""
    pieces = []
    for line in text.split("\n"):
        pieces += [s for s in re.findall(r"[^.!?。！？]+[.!?。！？]*\s*", line) if s.strip()] or (
            [line] if line else []
        )
    return pieces


class AgentServicer(agent_pb2_grpc.AgentServiceServicer):
    def __init__(
        self,
        resources: Resources,
        models: Models,
        engine: Engine,
        marketplace: grpc.aio.Channel | None,
        matching: grpc.aio.Channel | None = None,
    ) -> None:
        self.db = resources.db
        self.models = models
        self.engine = engine
        self.marketplace = marketplace
        self.matching = matching

    async def _skills(self) -> SkillExtractor:
        try:
            return await asyncio.to_thread(self.models.skills, SKILLS_WAIT_SECONDS)
        except TimeoutError:
            raise Unavailable("the ESCO skill index is still being built; retry in a minute") from None

    def _tools(self, context_: grpc.aio.ServicerContext, worker: str) -> PlatformTools:
        if self.marketplace is None:
            raise Unavailable("this agent has no marketplace to act through (AGENT_MARKETPLACE_TARGET)")
        skills = self.models.skills(0) if self.models.skills_ready else None
        authorization = _authorization(context_)
        matching = Matching(self.matching, authorization) if self.matching is not None else None
        return PlatformTools(Marketplace(self.marketplace, authorization), worker, skills, matching)

    # --- embeddings ------------------------------------------------------------------

    async def Embed(self, request, context_):
        encoder = self.models.encoder
        kind = "query" if request.kind == pb.EMBED_KIND_QUERY else "passage"
        vectors = await asyncio.to_thread(encoder.encode, list(request.texts), kind, request.centered)
        return pb.EmbedResponse(
            embeddings=[pb.Embedding(values=row.tolist()) for row in vectors],
            model=encoder.model,
            model_version=encoder.centred_version if request.centered else encoder.version,
            dimensions=encoder.dimensions,
            centered=request.centered,
        )

    # --- skills ----------------------------------------------------------------------------

    async def ExtractSkills(self, request, context_):
        extractor = await self._skills()
        found = await asyncio.to_thread(
            extractor.extract, request.text, request.min_confidence or 0.5, request.max_skills or 20
        )
        return pb.ExtractSkillsResponse(
            skills=[messages.extracted_skill(f) for f in found],
            language_code=request.language_code or detect(request.text),
        )

    async def SkillGap(self, request, context_):
        tools = self._tools(context_, request.worker)
        await self._skills()
        if request.job:
            result = await tools.gap_for_job(request.job)
        else:
            result = await tools.gap_for_occupation(request.occupation)
        return pb.SkillGapResponse(
            target_title=result.title,
            coverage=round(result.coverage, 3),
            missing=[
                pb.MissingSkill(skill=messages.esco(n.uri, n.label), importance=n.importance, reason=n.reason)
                for n in result.missing
            ],
            matched=[messages.esco(n.uri, n.label) for n in result.matched],
        )

    async def CareerPaths(self, request, context_):
        tools = self._tools(context_, request.worker)
        extractor = await self._skills()
        jobs, profile = await asyncio.gather(tools.open_jobs(100), tools.profile())
        limit = request.max_paths or 5
        occupations = self.models.occupation_vectors

        def compute() -> list[pb.CareerPath]:
            worker = worker_skills(profile)
            by_title: dict[str, tuple[mp.Job, gaps.GapResult]] = {}
            for job in jobs[:40]:
                key = job.title.strip().lower()
                if key in by_title:
                    continue
                needs = gaps.job_needs(
                    extractor,
                    [gaps.TargetSkill(s.taxonomy_id, s.label) for s in job.required_skills],
                    [gaps.TargetSkill(s.taxonomy_id, s.label) for s in job.preferred_skills],
                    f"{job.title}\n{job.description}",
                )
                by_title[key] = (job, gaps.gap(extractor, job.title, needs, worker))
            ranked = sorted(by_title.values(), key=lambda item: -item[1].coverage)[:limit]
            paths = []
            for job, result in ranked:
                paths.append(
                    pb.CareerPath(
                        title=job.title,
                        job=job.name,
                        fit=round(result.coverage, 3),
                        occupation_uri=gaps.nearest_occupation(extractor, job.title, occupations),
                        skills_matched=[messages.esco(n.uri, n.label) for n in result.matched],
                        skills_to_learn=[messages.esco(n.uri, n.label) for n in result.missing[:8]],
                        reason=f"An open job you may take; you have {len(result.matched)} of "
                        f"{len(result.matched) + len(result.missing)} skills it asks for.",
                    )
                )
            return paths

        return pb.CareerPathsResponse(paths=await asyncio.to_thread(compute))

    # --- résumés -------------------------------------------------------------------------------

    async def ParseResume(self, request_iterator, context_):
        parent, content_type, chunks, size = "", "", [], 0
        async for chunk in request_iterator:
            if not parent:
                parent = chunk.parent
                content_type = chunk.file.content_type
            elif chunk.parent and chunk.parent != parent:
                raise InvalidArgument.field("parent", "must be the same in every chunk, or empty after the first")
            size += len(chunk.file.data)
            if size > MAX_RESUME_BYTES:
                raise InvalidArgument.field("file", "is larger than 5 MB; the limit is 5 MB", "resume.file")
            chunks.append(chunk.file.data)
        if not parent:
            raise InvalidArgument.field("parent", "is required in the first chunk")
        data = b"".join(chunks)
        document = await asyncio.to_thread(documents.read, data, content_type)
        parsed = await asyncio.to_thread(self.models.resume_parser().parse, document.pages)
        found = []
        if self.models.skills_ready:
            extractor = self.models.skills(0)
            found = await asyncio.to_thread(extractor.extract, "\n".join(document.pages)[:RESUME_SKILL_CHARS], 0.6, 20)
        draft = messages.draft(parent, parsed, found)
        if not self.models.skills_ready:
            draft.warnings.append("skills were not read: the skill index is still being built")
        return pb.ParseResumeResponse(draft=draft)

    # --- the assistant -----------------------------------------------------------------------

    async def Chat(self, request, context_):
        user_id = names.ids(request.parent)[0]
        if request.conversation and not request.conversation.startswith(request.parent + "/"):
            raise InvalidArgument.field("conversation", "is not a conversation of parent")
        language = reply_language(request.language_code, detect(request.text))
        async with self.db.transaction() as conn:
            if request.conversation:
                row = await store.conversation(conn, user_id, request.conversation.rsplit("/", 1)[1], for_update=True)
            else:
                row = await store.create_conversation(conn, user_id, request.text, language)
            await store.add_message(conn, row["id"], store.ROLE_USER, request.text)
        state = dict(row["state"] or {})
        if row["pending_action"]:
            state["pending"] = row["pending_action"]
        tools = self._tools(context_, f"workers/{user_id}")
        intent = "" if state.get("pending") else await self.engine.intent(request.text)
        turn = Turn(request.text, language, state, intent)
        yield pb.ChatResponse(
            started=pb.ChatStarted(conversation=messages.conversation_name(row), language_code=language, intent=intent)
        )
        pieces: list[str] = []
        used: list[dict] = []
        async for event in self.engine.respond(turn, tools):
            if isinstance(event, Text):
                for piece in _sentences(event.text):
                    pieces.append(piece)
                    yield pb.ChatResponse(text=piece)
            elif isinstance(event, ToolUsed):
                item = {"name": event.name, "arguments": event.arguments, "ok": event.ok, "summary": event.summary}
                used.append(item)
                yield pb.ChatResponse(tool_call=messages.tool_call(item))
            elif isinstance(event, Confirm):
                yield pb.ChatResponse(
                    confirmation=pb.Confirmation(
                        action=messages.tool_call({"name": event.name, "arguments": event.arguments}),
                        prompt=event.prompt,
                    )
                )
        text = "".join(pieces).strip()
        pending = turn.state.pop("pending", None)
        intent = str(turn.state.pop("intent", ""))
        async with self.db.transaction() as conn:
            reply = await store.add_message(conn, row["id"], store.ROLE_ASSISTANT, text, intent, used)
            await store.save_state(conn, row["id"], language, pending, turn.state)
        yield pb.ChatResponse(
            done=pb.ChatDone(text=text, message=f"{messages.conversation_name(row)}/messages/{reply['id']}")
        )

    # --- conversations -------------------------------------------------------------------

    async def ListConversations(self, request, context_):
        user_id = names.ids(request.parent)[0]
        fp = paging.fingerprint(parent=request.parent)
        size, after = paging.page_request(request, fp, 20, 100)
        async with self.db.connection() as conn:
            rows = await store.list_conversations(conn, user_id, size + 1, after)
        rows, token = paging.keyset_page(rows, size, fp, lambda r: (r["updated_at"], r["id"]))
        return pb.ListConversationsResponse(
            conversations=[messages.conversation(r) for r in rows], next_page_token=token
        )

    async def GetConversation(self, request, context_):
        user_id, conversation_id = names.ids(request.name)
        async with self.db.connection() as conn:
            row = await store.conversation(conn, user_id, conversation_id)
            items = await store.messages(conn, row["id"])
        return pb.GetConversationResponse(conversation=messages.conversation(row, items))

    async def DeleteConversation(self, request, context_):
        user_id, conversation_id = names.ids(request.name)
        async with self.db.transaction() as conn:
            await store.delete_conversation(conn, user_id, conversation_id)
        return pb.DeleteConversationResponse()
