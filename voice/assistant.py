"""The agent's `Chat` as the voice session's assistant: through the mesh, with the caller's token.

Every call carries the caller's own `authorization` header, so the agent (and
marketplace behind it) decide what this caller may see and do; the voice
service adds no rights of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from iworkz.agent.v1 import agent_pb2, agent_pb2_grpc
from services.runtime.errors import (
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
)
from voice.domain.session import (
    AssistantEvent,
    ConfirmationAsked,
    ReplyComplete,
    ReplyStarted,
    ReplyText,
    ToolUsed,
)

CHAT_LANGUAGES = ("en", "ja", "vi", "id")
CHAT_TIMEOUT_SECONDS = 30


class AgentAssistant:
    """One caller's view of the agent: a shared channel, the caller's token on each call."""

    def __init__(self, channel: grpc.aio.Channel, authorization: str, parent: str) -> None:
        self.stub = agent_pb2_grpc.AgentServiceStub(channel)
        self.metadata = (("authorization", authorization),) if authorization else ()
        self.parent = parent

    async def chat(self, text: str, language: str, conversation: str) -> AsyncIterator[AssistantEvent]:
        request = agent_pb2.ChatRequest(
            parent=self.parent,
            conversation=conversation,
            text=text[:4000],
            language_code=language if language in CHAT_LANGUAGES else "",
        )
        try:
            async for response in self.stub.Chat(request, metadata=self.metadata, timeout=CHAT_TIMEOUT_SECONDS):
                event = _event(response)
                if event is not None:
                    yield event
        except grpc.aio.AioRpcError as error:
            raise _domain_error(error) from None


def _event(response: Any) -> AssistantEvent | None:
    kind = response.WhichOneof("event")
    if kind == "started":
        s = response.started
        return ReplyStarted(s.conversation, s.language_code, s.intent)
    if kind == "text":
        return ReplyText(response.text)
    if kind == "tool_call":
        return ToolUsed(response.tool_call.name, response.tool_call)
    if kind == "confirmation":
        return ConfirmationAsked(response.confirmation.prompt, response.confirmation)
    if kind == "done":
        return ReplyComplete(response.done.text)
    return None


def _domain_error(error: grpc.aio.AioRpcError) -> DomainError:
    code, details = error.code(), error.details() or "the assistant failed"
    kinds: dict[grpc.StatusCode, type[DomainError]] = {
        grpc.StatusCode.NOT_FOUND: NotFound,
        grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
        grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
        grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
        grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    }
    return kinds.get(code, Unavailable)(f"assistant: {details}")
