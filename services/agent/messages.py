"""Contract messages built from the agent's rows and domain results."""

from __future__ import annotations

from google.protobuf import struct_pb2

from iworkz.agent.v1 import agent_pb2 as pb
from services.agent import store
from services.runtime.timestamps import timestamp


def conversation_name(row: dict) -> str:
    return f"users/{row['user_id']}/conversations/{row['id']}"


def tool_call(item: dict) -> pb.ToolCall:
    arguments = struct_pb2.Struct()
    arguments.update(item.get("arguments") or {})
    return pb.ToolCall(
        name=item.get("name", ""), arguments=arguments, ok=bool(item.get("ok")), summary=item.get("summary", "")
    )


def message(conversation: dict, row: dict) -> pb.ConversationMessage:
    role = pb.MESSAGE_ROLE_USER if row["role"] == store.ROLE_USER else pb.MESSAGE_ROLE_ASSISTANT
    return pb.ConversationMessage(
        name=f"{conversation_name(conversation)}/messages/{row['id']}",
        role=role,
        text=row["text"],
        intent=row["intent"],
        tool_calls=[tool_call(t) for t in row["tool_calls"] or []],
        create_time=timestamp(row["created_at"]),
    )


def conversation(row: dict, messages: list[dict] | None = None) -> pb.Conversation:
    return pb.Conversation(
        name=conversation_name(row),
        title=row["title"],
        language_code=row["language"],
        create_time=timestamp(row["created_at"]),
        update_time=timestamp(row["updated_at"]),
        messages=[message(row, m) for m in messages or []],
    )
