"""AgentService: embeddings, résumés, skills, skill gaps, career paths and the assistant."""

from __future__ import annotations

import asyncio

from iworkz.agent.v1 import agent_pb2 as pb
from iworkz.agent.v1 import agent_pb2_grpc
from services.agent import messages, store
from services.agent.models import Models
from services.runtime import names, paging
from services.runtime.errors import DomainError
from services.runtime.server import Resources


class Unimplemented(DomainError):
    code = "UNIMPLEMENTED"


class AgentServicer(agent_pb2_grpc.AgentServiceServicer):
    def __init__(self, resources: Resources, models: Models) -> None:
        self.db = resources.db
        self.models = models

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
