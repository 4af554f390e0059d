import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iworkz.auth.v1 import access_pb2 as _access_pb2
from iworkz.type.v1 import profile_types_pb2 as _profile_types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Component(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPONENT_UNSPECIFIED: _ClassVar[Component]
    COMPONENT_SEMANTIC: _ClassVar[Component]
    COMPONENT_SKILLS: _ClassVar[Component]
    COMPONENT_LANGUAGE: _ClassVar[Component]
    COMPONENT_WAGE: _ClassVar[Component]
    COMPONENT_LOCATION: _ClassVar[Component]
    COMPONENT_EXPERIENCE: _ClassVar[Component]
    COMPONENT_EVIDENCE: _ClassVar[Component]
    COMPONENT_FRESHNESS: _ClassVar[Component]
    COMPONENT_EXPOSURE: _ClassVar[Component]

class HardRule(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HARD_RULE_UNSPECIFIED: _ClassVar[HardRule]
    HARD_RULE_STATUS_OF_RESIDENCE: _ClassVar[HardRule]
    HARD_RULE_SSW_FIELD: _ClassVar[HardRule]
    HARD_RULE_JAPANESE_LEVEL: _ClassVar[HardRule]
    HARD_RULE_EMPLOYMENT_TYPE: _ClassVar[HardRule]
    HARD_RULE_HOURS: _ClassVar[HardRule]
    HARD_RULE_LOCATION: _ClassVar[HardRule]
    HARD_RULE_AVAILABILITY: _ClassVar[HardRule]
    HARD_RULE_LICENCES: _ClassVar[HardRule]
    HARD_RULE_SPONSORSHIP: _ClassVar[HardRule]
    HARD_RULE_EMPLOYER_CHANGE: _ClassVar[HardRule]
    HARD_RULE_KIND_OF_WORK: _ClassVar[HardRule]

class EvidenceLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVIDENCE_LEVEL_UNSPECIFIED: _ClassVar[EvidenceLevel]
    EVIDENCE_LEVEL_NONE: _ClassVar[EvidenceLevel]
    EVIDENCE_LEVEL_SELF_DECLARED: _ClassVar[EvidenceLevel]
    EVIDENCE_LEVEL_VERIFIED: _ClassVar[EvidenceLevel]

class AllocationMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALLOCATION_MODE_UNSPECIFIED: _ClassVar[AllocationMode]
    ALLOCATION_MODE_OPTIMAL: _ClassVar[AllocationMode]
    ALLOCATION_MODE_STABLE: _ClassVar[AllocationMode]

class FeedbackKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEEDBACK_KIND_UNSPECIFIED: _ClassVar[FeedbackKind]
    FEEDBACK_KIND_SAVED: _ClassVar[FeedbackKind]
    FEEDBACK_KIND_NOT_INTERESTED: _ClassVar[FeedbackKind]
COMPONENT_UNSPECIFIED: Component
COMPONENT_SEMANTIC: Component
COMPONENT_SKILLS: Component
COMPONENT_LANGUAGE: Component
COMPONENT_WAGE: Component
COMPONENT_LOCATION: Component
COMPONENT_EXPERIENCE: Component
COMPONENT_EVIDENCE: Component
COMPONENT_FRESHNESS: Component
COMPONENT_EXPOSURE: Component
HARD_RULE_UNSPECIFIED: HardRule
HARD_RULE_STATUS_OF_RESIDENCE: HardRule
HARD_RULE_SSW_FIELD: HardRule
HARD_RULE_JAPANESE_LEVEL: HardRule
HARD_RULE_EMPLOYMENT_TYPE: HardRule
HARD_RULE_HOURS: HardRule
HARD_RULE_LOCATION: HardRule
HARD_RULE_AVAILABILITY: HardRule
HARD_RULE_LICENCES: HardRule
HARD_RULE_SPONSORSHIP: HardRule
HARD_RULE_EMPLOYER_CHANGE: HardRule
HARD_RULE_KIND_OF_WORK: HardRule
EVIDENCE_LEVEL_UNSPECIFIED: EvidenceLevel
EVIDENCE_LEVEL_NONE: EvidenceLevel
EVIDENCE_LEVEL_SELF_DECLARED: EvidenceLevel
EVIDENCE_LEVEL_VERIFIED: EvidenceLevel
ALLOCATION_MODE_UNSPECIFIED: AllocationMode
ALLOCATION_MODE_OPTIMAL: AllocationMode
ALLOCATION_MODE_STABLE: AllocationMode
FEEDBACK_KIND_UNSPECIFIED: FeedbackKind
FEEDBACK_KIND_SAVED: FeedbackKind
FEEDBACK_KIND_NOT_INTERESTED: FeedbackKind

class ScoreBreakdown(_message.Message):
    __slots__ = ("total", "components", "weights_version")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_VERSION_FIELD_NUMBER: _ClassVar[int]
    total: float
    components: _containers.RepeatedCompositeFieldContainer[ComponentScore]
    weights_version: str
    def __init__(self, total: _Optional[float] = ..., components: _Optional[_Iterable[_Union[ComponentScore, _Mapping]]] = ..., weights_version: _Optional[str] = ...) -> None: ...

class ComponentScore(_message.Message):
    __slots__ = ("component", "value", "weight", "contribution")
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    component: Component
    value: float
    weight: float
    contribution: float
    def __init__(self, component: _Optional[_Union[Component, str]] = ..., value: _Optional[float] = ..., weight: _Optional[float] = ..., contribution: _Optional[float] = ...) -> None: ...

class SkillMatch(_message.Message):
    __slots__ = ("taxonomy_id", "label", "required", "evidence")
    TAXONOMY_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    taxonomy_id: str
    label: str
    required: bool
    evidence: EvidenceLevel
    def __init__(self, taxonomy_id: _Optional[str] = ..., label: _Optional[str] = ..., required: _Optional[bool] = ..., evidence: _Optional[_Union[EvidenceLevel, str]] = ...) -> None: ...

class Reason(_message.Message):
    __slots__ = ("component", "text")
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    component: Component
    text: str
    def __init__(self, component: _Optional[_Union[Component, str]] = ..., text: _Optional[str] = ...) -> None: ...

class JobMatch(_message.Message):
    __slots__ = ("job", "title", "employer_display_name", "location", "score", "matched_skills", "missing_skills", "reasons", "publish_time")
    JOB_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    EMPLOYER_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MATCHED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    MISSING_SKILLS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    job: str
    title: str
    employer_display_name: str
    location: _profile_types_pb2.Location
    score: ScoreBreakdown
    matched_skills: _containers.RepeatedCompositeFieldContainer[SkillMatch]
    missing_skills: _containers.RepeatedCompositeFieldContainer[SkillMatch]
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    publish_time: _timestamp_pb2.Timestamp
    def __init__(self, job: _Optional[str] = ..., title: _Optional[str] = ..., employer_display_name: _Optional[str] = ..., location: _Optional[_Union[_profile_types_pb2.Location, _Mapping]] = ..., score: _Optional[_Union[ScoreBreakdown, _Mapping]] = ..., matched_skills: _Optional[_Iterable[_Union[SkillMatch, _Mapping]]] = ..., missing_skills: _Optional[_Iterable[_Union[SkillMatch, _Mapping]]] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WorkerMatch(_message.Message):
    __slots__ = ("worker", "display_name", "visa_status", "ssw_field", "japanese_level", "location", "score", "matched_skills", "missing_skills", "reasons")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    VISA_STATUS_FIELD_NUMBER: _ClassVar[int]
    SSW_FIELD_FIELD_NUMBER: _ClassVar[int]
    JAPANESE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MATCHED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    MISSING_SKILLS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    worker: str
    display_name: str
    visa_status: _profile_types_pb2.VisaStatus
    ssw_field: _profile_types_pb2.SswField
    japanese_level: _profile_types_pb2.JapaneseLevel
    location: _profile_types_pb2.Location
    score: ScoreBreakdown
    matched_skills: _containers.RepeatedCompositeFieldContainer[SkillMatch]
    missing_skills: _containers.RepeatedCompositeFieldContainer[SkillMatch]
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    def __init__(self, worker: _Optional[str] = ..., display_name: _Optional[str] = ..., visa_status: _Optional[_Union[_profile_types_pb2.VisaStatus, str]] = ..., ssw_field: _Optional[_Union[_profile_types_pb2.SswField, str]] = ..., japanese_level: _Optional[_Union[_profile_types_pb2.JapaneseLevel, str]] = ..., location: _Optional[_Union[_profile_types_pb2.Location, _Mapping]] = ..., score: _Optional[_Union[ScoreBreakdown, _Mapping]] = ..., matched_skills: _Optional[_Iterable[_Union[SkillMatch, _Mapping]]] = ..., missing_skills: _Optional[_Iterable[_Union[SkillMatch, _Mapping]]] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ...) -> None: ...

class RuleCheck(_message.Message):
    __slots__ = ("rule", "passed", "reason", "fix")
    RULE_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FIX_FIELD_NUMBER: _ClassVar[int]
    rule: HardRule
    passed: bool
    reason: str
    fix: str
    def __init__(self, rule: _Optional[_Union[HardRule, str]] = ..., passed: _Optional[bool] = ..., reason: _Optional[str] = ..., fix: _Optional[str] = ...) -> None: ...

class RecommendJobsRequest(_message.Message):
    __slots__ = ("worker", "page_size", "page_token", "language_code", "prefecture")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    PREFECTURE_FIELD_NUMBER: _ClassVar[int]
    worker: str
    page_size: int
    page_token: str
    language_code: str
    prefecture: str
    def __init__(self, worker: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., language_code: _Optional[str] = ..., prefecture: _Optional[str] = ...) -> None: ...

class RecommendJobsResponse(_message.Message):
    __slots__ = ("matches", "next_page_token", "weights_version")
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_VERSION_FIELD_NUMBER: _ClassVar[int]
    matches: _containers.RepeatedCompositeFieldContainer[JobMatch]
    next_page_token: str
    weights_version: str
    def __init__(self, matches: _Optional[_Iterable[_Union[JobMatch, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., weights_version: _Optional[str] = ...) -> None: ...

class RecommendWorkersRequest(_message.Message):
    __slots__ = ("job", "page_size", "page_token", "language_code")
    JOB_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    job: str
    page_size: int
    page_token: str
    language_code: str
    def __init__(self, job: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., language_code: _Optional[str] = ...) -> None: ...

class RecommendWorkersResponse(_message.Message):
    __slots__ = ("matches", "next_page_token", "weights_version")
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_VERSION_FIELD_NUMBER: _ClassVar[int]
    matches: _containers.RepeatedCompositeFieldContainer[WorkerMatch]
    next_page_token: str
    weights_version: str
    def __init__(self, matches: _Optional[_Iterable[_Union[WorkerMatch, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., weights_version: _Optional[str] = ...) -> None: ...

class ExplainMatchRequest(_message.Message):
    __slots__ = ("worker", "job", "language_code")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    worker: str
    job: str
    language_code: str
    def __init__(self, worker: _Optional[str] = ..., job: _Optional[str] = ..., language_code: _Optional[str] = ...) -> None: ...

class ExplainMatchResponse(_message.Message):
    __slots__ = ("worker", "job", "eligible", "rules", "score", "matched_skills", "missing_skills", "reasons")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MATCHED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    MISSING_SKILLS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    worker: str
    job: str
    eligible: bool
    rules: _containers.RepeatedCompositeFieldContainer[RuleCheck]
    score: ScoreBreakdown
    matched_skills: _containers.RepeatedCompositeFieldContainer[SkillMatch]
    missing_skills: _containers.RepeatedCompositeFieldContainer[SkillMatch]
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    def __init__(self, worker: _Optional[str] = ..., job: _Optional[str] = ..., eligible: _Optional[bool] = ..., rules: _Optional[_Iterable[_Union[RuleCheck, _Mapping]]] = ..., score: _Optional[_Union[ScoreBreakdown, _Mapping]] = ..., matched_skills: _Optional[_Iterable[_Union[SkillMatch, _Mapping]]] = ..., missing_skills: _Optional[_Iterable[_Union[SkillMatch, _Mapping]]] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ...) -> None: ...

class WatchMatchesRequest(_message.Message):
    __slots__ = ("parent", "last_event_id", "min_score", "language_code")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    last_event_id: str
    min_score: float
    language_code: str
    def __init__(self, parent: _Optional[str] = ..., last_event_id: _Optional[str] = ..., min_score: _Optional[float] = ..., language_code: _Optional[str] = ...) -> None: ...

class MatchEvent(_message.Message):
    __slots__ = ("event_id", "worker", "job", "title", "score", "reasons", "time")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    worker: str
    job: str
    title: str
    score: ScoreBreakdown
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    time: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[str] = ..., worker: _Optional[str] = ..., job: _Optional[str] = ..., title: _Optional[str] = ..., score: _Optional[_Union[ScoreBreakdown, _Mapping]] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("time", "last_event_id")
    TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    last_event_id: str
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_event_id: _Optional[str] = ...) -> None: ...

class WatchMatchesResponse(_message.Message):
    __slots__ = ("match", "heartbeat")
    MATCH_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    match: MatchEvent
    heartbeat: Heartbeat
    def __init__(self, match: _Optional[_Union[MatchEvent, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ...) -> None: ...

class CohortJob(_message.Message):
    __slots__ = ("job", "seats")
    JOB_FIELD_NUMBER: _ClassVar[int]
    SEATS_FIELD_NUMBER: _ClassVar[int]
    job: str
    seats: int
    def __init__(self, job: _Optional[str] = ..., seats: _Optional[int] = ...) -> None: ...

class WorkerPreference(_message.Message):
    __slots__ = ("worker", "jobs")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    worker: str
    jobs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, worker: _Optional[str] = ..., jobs: _Optional[_Iterable[str]] = ...) -> None: ...

class AllocateCohortRequest(_message.Message):
    __slots__ = ("parent", "workers", "jobs", "mode", "candidates_per_worker", "preferences", "min_score")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_PER_WORKER_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    workers: _containers.RepeatedScalarFieldContainer[str]
    jobs: _containers.RepeatedCompositeFieldContainer[CohortJob]
    mode: AllocationMode
    candidates_per_worker: int
    preferences: _containers.RepeatedCompositeFieldContainer[WorkerPreference]
    min_score: float
    def __init__(self, parent: _Optional[str] = ..., workers: _Optional[_Iterable[str]] = ..., jobs: _Optional[_Iterable[_Union[CohortJob, _Mapping]]] = ..., mode: _Optional[_Union[AllocationMode, str]] = ..., candidates_per_worker: _Optional[int] = ..., preferences: _Optional[_Iterable[_Union[WorkerPreference, _Mapping]]] = ..., min_score: _Optional[float] = ...) -> None: ...

class Assignment(_message.Message):
    __slots__ = ("worker", "job", "score")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    worker: str
    job: str
    score: float
    def __init__(self, worker: _Optional[str] = ..., job: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class AllocateCohortResponse(_message.Message):
    __slots__ = ("assignments", "total_score", "unfilled_seats", "unplaced_workers", "blocking_pairs", "solver", "weights_version")
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SCORE_FIELD_NUMBER: _ClassVar[int]
    UNFILLED_SEATS_FIELD_NUMBER: _ClassVar[int]
    UNPLACED_WORKERS_FIELD_NUMBER: _ClassVar[int]
    BLOCKING_PAIRS_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_VERSION_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[Assignment]
    total_score: float
    unfilled_seats: int
    unplaced_workers: _containers.RepeatedScalarFieldContainer[str]
    blocking_pairs: int
    solver: str
    weights_version: str
    def __init__(self, assignments: _Optional[_Iterable[_Union[Assignment, _Mapping]]] = ..., total_score: _Optional[float] = ..., unfilled_seats: _Optional[int] = ..., unplaced_workers: _Optional[_Iterable[str]] = ..., blocking_pairs: _Optional[int] = ..., solver: _Optional[str] = ..., weights_version: _Optional[str] = ...) -> None: ...

class RecordFeedbackRequest(_message.Message):
    __slots__ = ("worker", "job", "kind", "request_id")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    worker: str
    job: str
    kind: FeedbackKind
    request_id: str
    def __init__(self, worker: _Optional[str] = ..., job: _Optional[str] = ..., kind: _Optional[_Union[FeedbackKind, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RecordFeedbackResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
