import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iworkz.auth.v1 import access_pb2 as _access_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as _marketplace_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EmbedKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EMBED_KIND_UNSPECIFIED: _ClassVar[EmbedKind]
    EMBED_KIND_QUERY: _ClassVar[EmbedKind]
    EMBED_KIND_PASSAGE: _ClassVar[EmbedKind]

class LicenceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LICENCE_KIND_UNSPECIFIED: _ClassVar[LicenceKind]
    LICENCE_KIND_FORKLIFT: _ClassVar[LicenceKind]
    LICENCE_KIND_DRIVING: _ClassVar[LicenceKind]
    LICENCE_KIND_WELDING: _ClassVar[LicenceKind]
    LICENCE_KIND_CRANE: _ClassVar[LicenceKind]
    LICENCE_KIND_CARE: _ClassVar[LicenceKind]
    LICENCE_KIND_SSW_SKILLS_TEST: _ClassVar[LicenceKind]
    LICENCE_KIND_OTHER: _ClassVar[LicenceKind]

class MessageRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_ROLE_UNSPECIFIED: _ClassVar[MessageRole]
    MESSAGE_ROLE_USER: _ClassVar[MessageRole]
    MESSAGE_ROLE_ASSISTANT: _ClassVar[MessageRole]
EMBED_KIND_UNSPECIFIED: EmbedKind
EMBED_KIND_QUERY: EmbedKind
EMBED_KIND_PASSAGE: EmbedKind
LICENCE_KIND_UNSPECIFIED: LicenceKind
LICENCE_KIND_FORKLIFT: LicenceKind
LICENCE_KIND_DRIVING: LicenceKind
LICENCE_KIND_WELDING: LicenceKind
LICENCE_KIND_CRANE: LicenceKind
LICENCE_KIND_CARE: LicenceKind
LICENCE_KIND_SSW_SKILLS_TEST: LicenceKind
LICENCE_KIND_OTHER: LicenceKind
MESSAGE_ROLE_UNSPECIFIED: MessageRole
MESSAGE_ROLE_USER: MessageRole
MESSAGE_ROLE_ASSISTANT: MessageRole

class EmbedRequest(_message.Message):
    __slots__ = ("texts", "kind", "centered")
    TEXTS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CENTERED_FIELD_NUMBER: _ClassVar[int]
    texts: _containers.RepeatedScalarFieldContainer[str]
    kind: EmbedKind
    centered: bool
    def __init__(self, texts: _Optional[_Iterable[str]] = ..., kind: _Optional[_Union[EmbedKind, str]] = ..., centered: _Optional[bool] = ...) -> None: ...

class Embedding(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, values: _Optional[_Iterable[float]] = ...) -> None: ...

class EmbedResponse(_message.Message):
    __slots__ = ("embeddings", "model", "model_version", "dimensions", "centered")
    EMBEDDINGS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    CENTERED_FIELD_NUMBER: _ClassVar[int]
    embeddings: _containers.RepeatedCompositeFieldContainer[Embedding]
    model: str
    model_version: str
    dimensions: int
    centered: bool
    def __init__(self, embeddings: _Optional[_Iterable[_Union[Embedding, _Mapping]]] = ..., model: _Optional[str] = ..., model_version: _Optional[str] = ..., dimensions: _Optional[int] = ..., centered: _Optional[bool] = ...) -> None: ...

class ParseResumeRequest(_message.Message):
    __slots__ = ("parent", "file")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    file: _httpbody_pb2.HttpBody
    def __init__(self, parent: _Optional[str] = ..., file: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class Evidence(_message.Message):
    __slots__ = ("page", "start", "end", "quote")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    page: int
    start: int
    end: int
    quote: str
    def __init__(self, page: _Optional[int] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., quote: _Optional[str] = ...) -> None: ...

class FieldEvidence(_message.Message):
    __slots__ = ("field", "confidence", "evidence")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    field: str
    confidence: float
    evidence: _containers.RepeatedCompositeFieldContainer[Evidence]
    def __init__(self, field: _Optional[str] = ..., confidence: _Optional[float] = ..., evidence: _Optional[_Iterable[_Union[Evidence, _Mapping]]] = ...) -> None: ...

class Licence(_message.Message):
    __slots__ = ("kind", "name", "year")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    kind: LicenceKind
    name: str
    year: int
    def __init__(self, kind: _Optional[_Union[LicenceKind, str]] = ..., name: _Optional[str] = ..., year: _Optional[int] = ...) -> None: ...

class ResumeDraft(_message.Message):
    __slots__ = ("profile", "licences", "fields", "language_code", "page_count", "warnings")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    LICENCES_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    PAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    profile: _marketplace_pb2.WorkerProfile
    licences: _containers.RepeatedCompositeFieldContainer[Licence]
    fields: _containers.RepeatedCompositeFieldContainer[FieldEvidence]
    language_code: str
    page_count: int
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, profile: _Optional[_Union[_marketplace_pb2.WorkerProfile, _Mapping]] = ..., licences: _Optional[_Iterable[_Union[Licence, _Mapping]]] = ..., fields: _Optional[_Iterable[_Union[FieldEvidence, _Mapping]]] = ..., language_code: _Optional[str] = ..., page_count: _Optional[int] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class ParseResumeResponse(_message.Message):
    __slots__ = ("draft",)
    DRAFT_FIELD_NUMBER: _ClassVar[int]
    draft: ResumeDraft
    def __init__(self, draft: _Optional[_Union[ResumeDraft, _Mapping]] = ...) -> None: ...

class TextSpan(_message.Message):
    __slots__ = ("start", "end", "text")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    text: str
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ..., text: _Optional[str] = ...) -> None: ...

class EscoSkill(_message.Message):
    __slots__ = ("uri", "label")
    URI_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    uri: str
    label: str
    def __init__(self, uri: _Optional[str] = ..., label: _Optional[str] = ...) -> None: ...

class ExtractedSkill(_message.Message):
    __slots__ = ("skill", "confidence", "span", "method")
    SKILL_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    skill: EscoSkill
    confidence: float
    span: TextSpan
    method: str
    def __init__(self, skill: _Optional[_Union[EscoSkill, _Mapping]] = ..., confidence: _Optional[float] = ..., span: _Optional[_Union[TextSpan, _Mapping]] = ..., method: _Optional[str] = ...) -> None: ...

class ExtractSkillsRequest(_message.Message):
    __slots__ = ("text", "language_code", "min_confidence", "max_skills")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    MIN_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    MAX_SKILLS_FIELD_NUMBER: _ClassVar[int]
    text: str
    language_code: str
    min_confidence: float
    max_skills: int
    def __init__(self, text: _Optional[str] = ..., language_code: _Optional[str] = ..., min_confidence: _Optional[float] = ..., max_skills: _Optional[int] = ...) -> None: ...

class ExtractSkillsResponse(_message.Message):
    __slots__ = ("skills", "language_code")
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    skills: _containers.RepeatedCompositeFieldContainer[ExtractedSkill]
    language_code: str
    def __init__(self, skills: _Optional[_Iterable[_Union[ExtractedSkill, _Mapping]]] = ..., language_code: _Optional[str] = ...) -> None: ...

class SkillGapRequest(_message.Message):
    __slots__ = ("worker", "job", "occupation")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    OCCUPATION_FIELD_NUMBER: _ClassVar[int]
    worker: str
    job: str
    occupation: str
    def __init__(self, worker: _Optional[str] = ..., job: _Optional[str] = ..., occupation: _Optional[str] = ...) -> None: ...

class MissingSkill(_message.Message):
    __slots__ = ("skill", "importance", "reason")
    SKILL_FIELD_NUMBER: _ClassVar[int]
    IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    skill: EscoSkill
    importance: float
    reason: str
    def __init__(self, skill: _Optional[_Union[EscoSkill, _Mapping]] = ..., importance: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class SkillGapResponse(_message.Message):
    __slots__ = ("target_title", "missing", "matched", "coverage")
    TARGET_TITLE_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    target_title: str
    missing: _containers.RepeatedCompositeFieldContainer[MissingSkill]
    matched: _containers.RepeatedCompositeFieldContainer[EscoSkill]
    coverage: float
    def __init__(self, target_title: _Optional[str] = ..., missing: _Optional[_Iterable[_Union[MissingSkill, _Mapping]]] = ..., matched: _Optional[_Iterable[_Union[EscoSkill, _Mapping]]] = ..., coverage: _Optional[float] = ...) -> None: ...

class CareerPathsRequest(_message.Message):
    __slots__ = ("worker", "max_paths")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    MAX_PATHS_FIELD_NUMBER: _ClassVar[int]
    worker: str
    max_paths: int
    def __init__(self, worker: _Optional[str] = ..., max_paths: _Optional[int] = ...) -> None: ...

class CareerPath(_message.Message):
    __slots__ = ("title", "occupation_uri", "job", "fit", "skills_matched", "skills_to_learn", "reason")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    OCCUPATION_URI_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    FIT_FIELD_NUMBER: _ClassVar[int]
    SKILLS_MATCHED_FIELD_NUMBER: _ClassVar[int]
    SKILLS_TO_LEARN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    title: str
    occupation_uri: str
    job: str
    fit: float
    skills_matched: _containers.RepeatedCompositeFieldContainer[EscoSkill]
    skills_to_learn: _containers.RepeatedCompositeFieldContainer[EscoSkill]
    reason: str
    def __init__(self, title: _Optional[str] = ..., occupation_uri: _Optional[str] = ..., job: _Optional[str] = ..., fit: _Optional[float] = ..., skills_matched: _Optional[_Iterable[_Union[EscoSkill, _Mapping]]] = ..., skills_to_learn: _Optional[_Iterable[_Union[EscoSkill, _Mapping]]] = ..., reason: _Optional[str] = ...) -> None: ...

class CareerPathsResponse(_message.Message):
    __slots__ = ("paths",)
    PATHS_FIELD_NUMBER: _ClassVar[int]
    paths: _containers.RepeatedCompositeFieldContainer[CareerPath]
    def __init__(self, paths: _Optional[_Iterable[_Union[CareerPath, _Mapping]]] = ...) -> None: ...

class ChatRequest(_message.Message):
    __slots__ = ("parent", "conversation", "text", "language_code")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    conversation: str
    text: str
    language_code: str
    def __init__(self, parent: _Optional[str] = ..., conversation: _Optional[str] = ..., text: _Optional[str] = ..., language_code: _Optional[str] = ...) -> None: ...

class ToolCall(_message.Message):
    __slots__ = ("name", "arguments", "ok", "summary")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    name: str
    arguments: _struct_pb2.Struct
    ok: bool
    summary: str
    def __init__(self, name: _Optional[str] = ..., arguments: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., ok: _Optional[bool] = ..., summary: _Optional[str] = ...) -> None: ...

class Confirmation(_message.Message):
    __slots__ = ("action", "prompt")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    action: ToolCall
    prompt: str
    def __init__(self, action: _Optional[_Union[ToolCall, _Mapping]] = ..., prompt: _Optional[str] = ...) -> None: ...

class ChatStarted(_message.Message):
    __slots__ = ("conversation", "language_code", "intent")
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    conversation: str
    language_code: str
    intent: str
    def __init__(self, conversation: _Optional[str] = ..., language_code: _Optional[str] = ..., intent: _Optional[str] = ...) -> None: ...

class ChatDone(_message.Message):
    __slots__ = ("text", "message")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    text: str
    message: str
    def __init__(self, text: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class ChatResponse(_message.Message):
    __slots__ = ("started", "text", "tool_call", "confirmation", "done")
    STARTED_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    started: ChatStarted
    text: str
    tool_call: ToolCall
    confirmation: Confirmation
    done: ChatDone
    def __init__(self, started: _Optional[_Union[ChatStarted, _Mapping]] = ..., text: _Optional[str] = ..., tool_call: _Optional[_Union[ToolCall, _Mapping]] = ..., confirmation: _Optional[_Union[Confirmation, _Mapping]] = ..., done: _Optional[_Union[ChatDone, _Mapping]] = ...) -> None: ...

class ConversationMessage(_message.Message):
    __slots__ = ("name", "role", "text", "intent", "tool_calls", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: MessageRole
    text: str
    intent: str
    tool_calls: _containers.RepeatedCompositeFieldContainer[ToolCall]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[MessageRole, str]] = ..., text: _Optional[str] = ..., intent: _Optional[str] = ..., tool_calls: _Optional[_Iterable[_Union[ToolCall, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Conversation(_message.Message):
    __slots__ = ("name", "title", "language_code", "create_time", "update_time", "messages")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    language_code: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    messages: _containers.RepeatedCompositeFieldContainer[ConversationMessage]
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., language_code: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., messages: _Optional[_Iterable[_Union[ConversationMessage, _Mapping]]] = ...) -> None: ...

class ListConversationsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListConversationsResponse(_message.Message):
    __slots__ = ("conversations", "next_page_token")
    CONVERSATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    conversations: _containers.RepeatedCompositeFieldContainer[Conversation]
    next_page_token: str
    def __init__(self, conversations: _Optional[_Iterable[_Union[Conversation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetConversationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetConversationResponse(_message.Message):
    __slots__ = ("conversation",)
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    conversation: Conversation
    def __init__(self, conversation: _Optional[_Union[Conversation, _Mapping]] = ...) -> None: ...

class DeleteConversationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteConversationResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
