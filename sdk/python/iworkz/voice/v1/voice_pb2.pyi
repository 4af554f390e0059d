from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from iworkz.agent.v1 import agent_pb2 as _agent_pb2
from iworkz.auth.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AudioEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIO_ENCODING_UNSPECIFIED: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_LINEAR16: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_OGG_OPUS: _ClassVar[AudioEncoding]

class RecognizerKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECOGNIZER_KIND_UNSPECIFIED: _ClassVar[RecognizerKind]
    RECOGNIZER_KIND_WHISPER: _ClassVar[RecognizerKind]
    RECOGNIZER_KIND_GRAMMAR: _ClassVar[RecognizerKind]
AUDIO_ENCODING_UNSPECIFIED: AudioEncoding
AUDIO_ENCODING_LINEAR16: AudioEncoding
AUDIO_ENCODING_OGG_OPUS: AudioEncoding
RECOGNIZER_KIND_UNSPECIFIED: RecognizerKind
RECOGNIZER_KIND_WHISPER: RecognizerKind
RECOGNIZER_KIND_GRAMMAR: RecognizerKind

class ConverseConfig(_message.Message):
    __slots__ = ("parent", "conversation", "language_code", "encoding", "sample_rate_hertz", "interim_results")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HERTZ_FIELD_NUMBER: _ClassVar[int]
    INTERIM_RESULTS_FIELD_NUMBER: _ClassVar[int]
    parent: str
    conversation: str
    language_code: str
    encoding: AudioEncoding
    sample_rate_hertz: int
    interim_results: bool
    def __init__(self, parent: _Optional[str] = ..., conversation: _Optional[str] = ..., language_code: _Optional[str] = ..., encoding: _Optional[_Union[AudioEncoding, str]] = ..., sample_rate_hertz: _Optional[int] = ..., interim_results: _Optional[bool] = ...) -> None: ...

class ConverseRequest(_message.Message):
    __slots__ = ("config", "audio", "end_of_utterance", "interrupt")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    END_OF_UTTERANCE_FIELD_NUMBER: _ClassVar[int]
    INTERRUPT_FIELD_NUMBER: _ClassVar[int]
    config: ConverseConfig
    audio: bytes
    end_of_utterance: bool
    interrupt: bool
    def __init__(self, config: _Optional[_Union[ConverseConfig, _Mapping]] = ..., audio: _Optional[bytes] = ..., end_of_utterance: _Optional[bool] = ..., interrupt: _Optional[bool] = ...) -> None: ...

class Transcript(_message.Message):
    __slots__ = ("utterance", "text", "is_final", "language_code", "recognizer", "end_offset_ms")
    UTTERANCE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IS_FINAL_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    RECOGNIZER_FIELD_NUMBER: _ClassVar[int]
    END_OFFSET_MS_FIELD_NUMBER: _ClassVar[int]
    utterance: int
    text: str
    is_final: bool
    language_code: str
    recognizer: RecognizerKind
    end_offset_ms: int
    def __init__(self, utterance: _Optional[int] = ..., text: _Optional[str] = ..., is_final: _Optional[bool] = ..., language_code: _Optional[str] = ..., recognizer: _Optional[_Union[RecognizerKind, str]] = ..., end_offset_ms: _Optional[int] = ...) -> None: ...

class SpeechEvent(_message.Message):
    __slots__ = ("kind", "offset_ms", "utterance")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[SpeechEvent.Kind]
        KIND_SPEECH_STARTED: _ClassVar[SpeechEvent.Kind]
        KIND_SPEECH_ENDED: _ClassVar[SpeechEvent.Kind]
    KIND_UNSPECIFIED: SpeechEvent.Kind
    KIND_SPEECH_STARTED: SpeechEvent.Kind
    KIND_SPEECH_ENDED: SpeechEvent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    OFFSET_MS_FIELD_NUMBER: _ClassVar[int]
    UTTERANCE_FIELD_NUMBER: _ClassVar[int]
    kind: SpeechEvent.Kind
    offset_ms: int
    utterance: int
    def __init__(self, kind: _Optional[_Union[SpeechEvent.Kind, str]] = ..., offset_ms: _Optional[int] = ..., utterance: _Optional[int] = ...) -> None: ...

class AudioChunk(_message.Message):
    __slots__ = ("utterance", "pcm", "sample_rate_hertz", "sequence", "text")
    UTTERANCE_FIELD_NUMBER: _ClassVar[int]
    PCM_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HERTZ_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    utterance: int
    pcm: bytes
    sample_rate_hertz: int
    sequence: int
    text: str
    def __init__(self, utterance: _Optional[int] = ..., pcm: _Optional[bytes] = ..., sample_rate_hertz: _Optional[int] = ..., sequence: _Optional[int] = ..., text: _Optional[str] = ...) -> None: ...

class Interrupted(_message.Message):
    __slots__ = ("utterance", "spoken_ms")
    UTTERANCE_FIELD_NUMBER: _ClassVar[int]
    SPOKEN_MS_FIELD_NUMBER: _ClassVar[int]
    utterance: int
    spoken_ms: int
    def __init__(self, utterance: _Optional[int] = ..., spoken_ms: _Optional[int] = ...) -> None: ...

class ConfirmationRequest(_message.Message):
    __slots__ = ("prompt", "action")
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    prompt: str
    action: _agent_pb2.ToolCall
    def __init__(self, prompt: _Optional[str] = ..., action: _Optional[_Union[_agent_pb2.ToolCall, _Mapping]] = ...) -> None: ...

class ReplyDone(_message.Message):
    __slots__ = ("utterance", "text", "language_code", "conversation", "intent", "awaiting_confirmation")
    UTTERANCE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    AWAITING_CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    utterance: int
    text: str
    language_code: str
    conversation: str
    intent: str
    awaiting_confirmation: bool
    def __init__(self, utterance: _Optional[int] = ..., text: _Optional[str] = ..., language_code: _Optional[str] = ..., conversation: _Optional[str] = ..., intent: _Optional[str] = ..., awaiting_confirmation: _Optional[bool] = ...) -> None: ...

class ConverseResponse(_message.Message):
    __slots__ = ("speech", "transcript", "reply_text", "tool_call", "confirmation", "audio", "interrupted", "done")
    SPEECH_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    REPLY_TEXT_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    INTERRUPTED_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    speech: SpeechEvent
    transcript: Transcript
    reply_text: str
    tool_call: _agent_pb2.ToolCall
    confirmation: ConfirmationRequest
    audio: AudioChunk
    interrupted: Interrupted
    done: ReplyDone
    def __init__(self, speech: _Optional[_Union[SpeechEvent, _Mapping]] = ..., transcript: _Optional[_Union[Transcript, _Mapping]] = ..., reply_text: _Optional[str] = ..., tool_call: _Optional[_Union[_agent_pb2.ToolCall, _Mapping]] = ..., confirmation: _Optional[_Union[ConfirmationRequest, _Mapping]] = ..., audio: _Optional[_Union[AudioChunk, _Mapping]] = ..., interrupted: _Optional[_Union[Interrupted, _Mapping]] = ..., done: _Optional[_Union[ReplyDone, _Mapping]] = ...) -> None: ...

class AskRequest(_message.Message):
    __slots__ = ("parent", "conversation", "language_code", "audio")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    parent: str
    conversation: str
    language_code: str
    audio: _httpbody_pb2.HttpBody
    def __init__(self, parent: _Optional[str] = ..., conversation: _Optional[str] = ..., language_code: _Optional[str] = ..., audio: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class AskResponse(_message.Message):
    __slots__ = ("transcript", "reply_text", "audio", "conversation", "language_code", "confirmation", "tool_calls", "intent")
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    REPLY_TEXT_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    transcript: Transcript
    reply_text: str
    audio: _httpbody_pb2.HttpBody
    conversation: str
    language_code: str
    confirmation: ConfirmationRequest
    tool_calls: _containers.RepeatedCompositeFieldContainer[_agent_pb2.ToolCall]
    intent: str
    def __init__(self, transcript: _Optional[_Union[Transcript, _Mapping]] = ..., reply_text: _Optional[str] = ..., audio: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ..., conversation: _Optional[str] = ..., language_code: _Optional[str] = ..., confirmation: _Optional[_Union[ConfirmationRequest, _Mapping]] = ..., tool_calls: _Optional[_Iterable[_Union[_agent_pb2.ToolCall, _Mapping]]] = ..., intent: _Optional[str] = ...) -> None: ...
