import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.type import money_pb2 as _money_pb2
from iworkz.auth.v1 import access_pb2 as _access_pb2
from iworkz.type.v1 import audit_pb2 as _audit_pb2
from iworkz.type.v1 import profile_types_pb2 as _profile_types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Proficiency(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROFICIENCY_UNSPECIFIED: _ClassVar[Proficiency]
    PROFICIENCY_BASIC: _ClassVar[Proficiency]
    PROFICIENCY_CONVERSATIONAL: _ClassVar[Proficiency]
    PROFICIENCY_BUSINESS: _ClassVar[Proficiency]
    PROFICIENCY_NATIVE: _ClassVar[Proficiency]

class JobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STATE_UNSPECIFIED: _ClassVar[JobState]
    JOB_STATE_DRAFT: _ClassVar[JobState]
    JOB_STATE_OPEN: _ClassVar[JobState]
    JOB_STATE_CLOSED: _ClassVar[JobState]

class ApplicationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPLICATION_STATUS_UNSPECIFIED: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_APPLIED: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_SHORTLISTED: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_INTERVIEW: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_OFFER: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_HIRED: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_REJECTED: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_WITHDRAWN: _ClassVar[ApplicationStatus]
PROFICIENCY_UNSPECIFIED: Proficiency
PROFICIENCY_BASIC: Proficiency
PROFICIENCY_CONVERSATIONAL: Proficiency
PROFICIENCY_BUSINESS: Proficiency
PROFICIENCY_NATIVE: Proficiency
JOB_STATE_UNSPECIFIED: JobState
JOB_STATE_DRAFT: JobState
JOB_STATE_OPEN: JobState
JOB_STATE_CLOSED: JobState
APPLICATION_STATUS_UNSPECIFIED: ApplicationStatus
APPLICATION_STATUS_APPLIED: ApplicationStatus
APPLICATION_STATUS_SHORTLISTED: ApplicationStatus
APPLICATION_STATUS_INTERVIEW: ApplicationStatus
APPLICATION_STATUS_OFFER: ApplicationStatus
APPLICATION_STATUS_HIRED: ApplicationStatus
APPLICATION_STATUS_REJECTED: ApplicationStatus
APPLICATION_STATUS_WITHDRAWN: ApplicationStatus

class LanguageSkill(_message.Message):
    __slots__ = ("language", "proficiency", "jlpt_level")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PROFICIENCY_FIELD_NUMBER: _ClassVar[int]
    JLPT_LEVEL_FIELD_NUMBER: _ClassVar[int]
    language: str
    proficiency: Proficiency
    jlpt_level: _profile_types_pb2.JapaneseLevel
    def __init__(self, language: _Optional[str] = ..., proficiency: _Optional[_Union[Proficiency, str]] = ..., jlpt_level: _Optional[_Union[_profile_types_pb2.JapaneseLevel, str]] = ...) -> None: ...

class Skill(_message.Message):
    __slots__ = ("taxonomy_id", "label", "years")
    TAXONOMY_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    YEARS_FIELD_NUMBER: _ClassVar[int]
    taxonomy_id: str
    label: str
    years: int
    def __init__(self, taxonomy_id: _Optional[str] = ..., label: _Optional[str] = ..., years: _Optional[int] = ...) -> None: ...

class Licence(_message.Message):
    __slots__ = ("taxonomy_id", "label")
    TAXONOMY_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    taxonomy_id: str
    label: str
    def __init__(self, taxonomy_id: _Optional[str] = ..., label: _Optional[str] = ...) -> None: ...

class Experience(_message.Message):
    __slots__ = ("employer_name", "title", "start_date", "end_date", "description", "country")
    EMPLOYER_NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    employer_name: str
    title: str
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    description: str
    country: str
    def __init__(self, employer_name: _Optional[str] = ..., title: _Optional[str] = ..., start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., description: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class Education(_message.Message):
    __slots__ = ("institution", "qualification", "field_of_study", "graduation_year")
    INSTITUTION_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATION_FIELD_NUMBER: _ClassVar[int]
    FIELD_OF_STUDY_FIELD_NUMBER: _ClassVar[int]
    GRADUATION_YEAR_FIELD_NUMBER: _ClassVar[int]
    institution: str
    qualification: str
    field_of_study: str
    graduation_year: int
    def __init__(self, institution: _Optional[str] = ..., qualification: _Optional[str] = ..., field_of_study: _Optional[str] = ..., graduation_year: _Optional[int] = ...) -> None: ...

class Availability(_message.Message):
    __slots__ = ("available_from", "hours_per_week", "employment_types")
    AVAILABLE_FROM_FIELD_NUMBER: _ClassVar[int]
    HOURS_PER_WEEK_FIELD_NUMBER: _ClassVar[int]
    EMPLOYMENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    available_from: _date_pb2.Date
    hours_per_week: int
    employment_types: _containers.RepeatedScalarFieldContainer[_profile_types_pb2.EmploymentType]
    def __init__(self, available_from: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., hours_per_week: _Optional[int] = ..., employment_types: _Optional[_Iterable[_Union[_profile_types_pb2.EmploymentType, str]]] = ...) -> None: ...

class WorkerProfile(_message.Message):
    __slots__ = ("name", "display_name", "email", "phone", "address", "birth_date", "residence_card_number", "nationality", "languages", "skills", "experience", "education", "location", "desired_wage", "desired_wage_period", "availability", "visa_status", "ssw_field", "visa_expiry_date", "summary", "create_time", "update_time", "relocation", "licences", "discoverable", "work_permission", "current_employer")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BIRTH_DATE_FIELD_NUMBER: _ClassVar[int]
    RESIDENCE_CARD_NUMBER_FIELD_NUMBER: _ClassVar[int]
    NATIONALITY_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    EXPERIENCE_FIELD_NUMBER: _ClassVar[int]
    EDUCATION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESIRED_WAGE_FIELD_NUMBER: _ClassVar[int]
    DESIRED_WAGE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    VISA_STATUS_FIELD_NUMBER: _ClassVar[int]
    SSW_FIELD_FIELD_NUMBER: _ClassVar[int]
    VISA_EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RELOCATION_FIELD_NUMBER: _ClassVar[int]
    LICENCES_FIELD_NUMBER: _ClassVar[int]
    DISCOVERABLE_FIELD_NUMBER: _ClassVar[int]
    WORK_PERMISSION_FIELD_NUMBER: _ClassVar[int]
    CURRENT_EMPLOYER_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    email: str
    phone: str
    address: str
    birth_date: _date_pb2.Date
    residence_card_number: str
    nationality: str
    languages: _containers.RepeatedCompositeFieldContainer[LanguageSkill]
    skills: _containers.RepeatedCompositeFieldContainer[Skill]
    experience: _containers.RepeatedCompositeFieldContainer[Experience]
    education: _containers.RepeatedCompositeFieldContainer[Education]
    location: _profile_types_pb2.Location
    desired_wage: _money_pb2.Money
    desired_wage_period: _profile_types_pb2.WagePeriod
    availability: Availability
    visa_status: _profile_types_pb2.VisaStatus
    ssw_field: _profile_types_pb2.SswField
    visa_expiry_date: _date_pb2.Date
    summary: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    relocation: _profile_types_pb2.Relocation
    licences: _containers.RepeatedCompositeFieldContainer[Licence]
    discoverable: bool
    work_permission: bool
    current_employer: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., address: _Optional[str] = ..., birth_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., residence_card_number: _Optional[str] = ..., nationality: _Optional[str] = ..., languages: _Optional[_Iterable[_Union[LanguageSkill, _Mapping]]] = ..., skills: _Optional[_Iterable[_Union[Skill, _Mapping]]] = ..., experience: _Optional[_Iterable[_Union[Experience, _Mapping]]] = ..., education: _Optional[_Iterable[_Union[Education, _Mapping]]] = ..., location: _Optional[_Union[_profile_types_pb2.Location, _Mapping]] = ..., desired_wage: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., desired_wage_period: _Optional[_Union[_profile_types_pb2.WagePeriod, str]] = ..., availability: _Optional[_Union[Availability, _Mapping]] = ..., visa_status: _Optional[_Union[_profile_types_pb2.VisaStatus, str]] = ..., ssw_field: _Optional[_Union[_profile_types_pb2.SswField, str]] = ..., visa_expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., summary: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., relocation: _Optional[_Union[_profile_types_pb2.Relocation, str]] = ..., licences: _Optional[_Iterable[_Union[Licence, _Mapping]]] = ..., discoverable: _Optional[bool] = ..., work_permission: _Optional[bool] = ..., current_employer: _Optional[str] = ...) -> None: ...

class GetWorkerProfileRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetWorkerProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: WorkerProfile
    def __init__(self, profile: _Optional[_Union[WorkerProfile, _Mapping]] = ...) -> None: ...

class UpdateWorkerProfileRequest(_message.Message):
    __slots__ = ("profile", "update_mask")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    profile: WorkerProfile
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, profile: _Optional[_Union[WorkerProfile, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateWorkerProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: WorkerProfile
    def __init__(self, profile: _Optional[_Union[WorkerProfile, _Mapping]] = ...) -> None: ...

class EmployerProfile(_message.Message):
    __slots__ = ("name", "display_name", "description", "industry", "location", "website", "supports_ssw", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_SSW_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    industry: str
    location: _profile_types_pb2.Location
    website: str
    supports_ssw: bool
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., industry: _Optional[str] = ..., location: _Optional[_Union[_profile_types_pb2.Location, _Mapping]] = ..., website: _Optional[str] = ..., supports_ssw: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetEmployerProfileRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetEmployerProfileResponse(_message.Message):
    __slots__ = ("employer",)
    EMPLOYER_FIELD_NUMBER: _ClassVar[int]
    employer: EmployerProfile
    def __init__(self, employer: _Optional[_Union[EmployerProfile, _Mapping]] = ...) -> None: ...

class UpdateEmployerProfileRequest(_message.Message):
    __slots__ = ("employer", "update_mask")
    EMPLOYER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    employer: EmployerProfile
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, employer: _Optional[_Union[EmployerProfile, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateEmployerProfileResponse(_message.Message):
    __slots__ = ("employer",)
    EMPLOYER_FIELD_NUMBER: _ClassVar[int]
    employer: EmployerProfile
    def __init__(self, employer: _Optional[_Union[EmployerProfile, _Mapping]] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("name", "title", "description", "required_skills", "preferred_skills", "min_japanese_level", "location", "wage_min", "wage_max", "wage_period", "employment_type", "headcount", "start_date", "eligible_visa_statuses", "eligible_ssw_fields", "offers_visa_sponsorship", "state", "employer_display_name", "create_time", "update_time", "publish_time", "hours_per_week", "licences_required", "accepts_self_declared_licences", "manual_work")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    MIN_JAPANESE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    WAGE_MIN_FIELD_NUMBER: _ClassVar[int]
    WAGE_MAX_FIELD_NUMBER: _ClassVar[int]
    WAGE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    EMPLOYMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    HEADCOUNT_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_VISA_STATUSES_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_SSW_FIELDS_FIELD_NUMBER: _ClassVar[int]
    OFFERS_VISA_SPONSORSHIP_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    EMPLOYER_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    HOURS_PER_WEEK_FIELD_NUMBER: _ClassVar[int]
    LICENCES_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    ACCEPTS_SELF_DECLARED_LICENCES_FIELD_NUMBER: _ClassVar[int]
    MANUAL_WORK_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    description: str
    required_skills: _containers.RepeatedCompositeFieldContainer[Skill]
    preferred_skills: _containers.RepeatedCompositeFieldContainer[Skill]
    min_japanese_level: _profile_types_pb2.JapaneseLevel
    location: _profile_types_pb2.Location
    wage_min: _money_pb2.Money
    wage_max: _money_pb2.Money
    wage_period: _profile_types_pb2.WagePeriod
    employment_type: _profile_types_pb2.EmploymentType
    headcount: int
    start_date: _date_pb2.Date
    eligible_visa_statuses: _containers.RepeatedScalarFieldContainer[_profile_types_pb2.VisaStatus]
    eligible_ssw_fields: _containers.RepeatedScalarFieldContainer[_profile_types_pb2.SswField]
    offers_visa_sponsorship: bool
    state: JobState
    employer_display_name: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    publish_time: _timestamp_pb2.Timestamp
    hours_per_week: int
    licences_required: _containers.RepeatedScalarFieldContainer[str]
    accepts_self_declared_licences: bool
    manual_work: bool
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., required_skills: _Optional[_Iterable[_Union[Skill, _Mapping]]] = ..., preferred_skills: _Optional[_Iterable[_Union[Skill, _Mapping]]] = ..., min_japanese_level: _Optional[_Union[_profile_types_pb2.JapaneseLevel, str]] = ..., location: _Optional[_Union[_profile_types_pb2.Location, _Mapping]] = ..., wage_min: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., wage_max: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., wage_period: _Optional[_Union[_profile_types_pb2.WagePeriod, str]] = ..., employment_type: _Optional[_Union[_profile_types_pb2.EmploymentType, str]] = ..., headcount: _Optional[int] = ..., start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., eligible_visa_statuses: _Optional[_Iterable[_Union[_profile_types_pb2.VisaStatus, str]]] = ..., eligible_ssw_fields: _Optional[_Iterable[_Union[_profile_types_pb2.SswField, str]]] = ..., offers_visa_sponsorship: _Optional[bool] = ..., state: _Optional[_Union[JobState, str]] = ..., employer_display_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hours_per_week: _Optional[int] = ..., licences_required: _Optional[_Iterable[str]] = ..., accepts_self_declared_licences: _Optional[bool] = ..., manual_work: _Optional[bool] = ...) -> None: ...

class CreateJobRequest(_message.Message):
    __slots__ = ("parent", "job", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    job: Job
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., job: _Optional[_Union[Job, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class UpdateJobRequest(_message.Message):
    __slots__ = ("job", "update_mask")
    JOB_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    job: Job
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class PublishJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class PublishJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class CloseJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CloseJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "state")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    state: JobState
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[JobState, str]] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs", "next_page_token")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    next_page_token: str
    def __init__(self, jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SearchJobsRequest(_message.Message):
    __slots__ = ("query", "prefecture", "wage_at_least", "wage_period", "employment_type", "visa_status", "ssw_field", "japanese_level", "order_by", "page_size", "page_token")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PREFECTURE_FIELD_NUMBER: _ClassVar[int]
    WAGE_AT_LEAST_FIELD_NUMBER: _ClassVar[int]
    WAGE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    EMPLOYMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    VISA_STATUS_FIELD_NUMBER: _ClassVar[int]
    SSW_FIELD_FIELD_NUMBER: _ClassVar[int]
    JAPANESE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    prefecture: str
    wage_at_least: _money_pb2.Money
    wage_period: _profile_types_pb2.WagePeriod
    employment_type: _profile_types_pb2.EmploymentType
    visa_status: _profile_types_pb2.VisaStatus
    ssw_field: _profile_types_pb2.SswField
    japanese_level: _profile_types_pb2.JapaneseLevel
    order_by: str
    page_size: int
    page_token: str
    def __init__(self, query: _Optional[str] = ..., prefecture: _Optional[str] = ..., wage_at_least: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., wage_period: _Optional[_Union[_profile_types_pb2.WagePeriod, str]] = ..., employment_type: _Optional[_Union[_profile_types_pb2.EmploymentType, str]] = ..., visa_status: _Optional[_Union[_profile_types_pb2.VisaStatus, str]] = ..., ssw_field: _Optional[_Union[_profile_types_pb2.SswField, str]] = ..., japanese_level: _Optional[_Union[_profile_types_pb2.JapaneseLevel, str]] = ..., order_by: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchJobsResponse(_message.Message):
    __slots__ = ("jobs", "next_page_token", "total_size")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    next_page_token: str
    total_size: int
    def __init__(self, jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class Application(_message.Message):
    __slots__ = ("name", "worker", "job", "status", "cover_letter", "job_title", "worker_display_name", "create_time", "update_time", "history")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COVER_LETTER_FIELD_NUMBER: _ClassVar[int]
    JOB_TITLE_FIELD_NUMBER: _ClassVar[int]
    WORKER_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    name: str
    worker: str
    job: str
    status: ApplicationStatus
    cover_letter: str
    job_title: str
    worker_display_name: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    history: _containers.RepeatedCompositeFieldContainer[ApplicationEvent]
    def __init__(self, name: _Optional[str] = ..., worker: _Optional[str] = ..., job: _Optional[str] = ..., status: _Optional[_Union[ApplicationStatus, str]] = ..., cover_letter: _Optional[str] = ..., job_title: _Optional[str] = ..., worker_display_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., history: _Optional[_Iterable[_Union[ApplicationEvent, _Mapping]]] = ...) -> None: ...

class ApplicationEvent(_message.Message):
    __slots__ = ("from_status", "to_status", "actor", "note", "create_time")
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    from_status: ApplicationStatus
    to_status: ApplicationStatus
    actor: str
    note: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, from_status: _Optional[_Union[ApplicationStatus, str]] = ..., to_status: _Optional[_Union[ApplicationStatus, str]] = ..., actor: _Optional[str] = ..., note: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateApplicationRequest(_message.Message):
    __slots__ = ("parent", "cover_letter", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    COVER_LETTER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    cover_letter: str
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., cover_letter: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class GetApplicationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class ListWorkerApplicationsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListWorkerApplicationsResponse(_message.Message):
    __slots__ = ("applications", "next_page_token")
    APPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    applications: _containers.RepeatedCompositeFieldContainer[Application]
    next_page_token: str
    def __init__(self, applications: _Optional[_Iterable[_Union[Application, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListJobApplicationsRequest(_message.Message):
    __slots__ = ("parent", "status", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    status: ApplicationStatus
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., status: _Optional[_Union[ApplicationStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListJobApplicationsResponse(_message.Message):
    __slots__ = ("applications", "next_page_token")
    APPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    applications: _containers.RepeatedCompositeFieldContainer[Application]
    next_page_token: str
    def __init__(self, applications: _Optional[_Iterable[_Union[Application, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WithdrawApplicationRequest(_message.Message):
    __slots__ = ("name", "note")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    note: str
    def __init__(self, name: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class WithdrawApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class UpdateApplicationStatusRequest(_message.Message):
    __slots__ = ("name", "status", "note")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    status: ApplicationStatus
    note: str
    def __init__(self, name: _Optional[str] = ..., status: _Optional[_Union[ApplicationStatus, str]] = ..., note: _Optional[str] = ...) -> None: ...

class UpdateApplicationStatusResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class ListAuditEventsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "actor", "target", "action", "start_time", "end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    actor: str
    target: str
    action: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., actor: _Optional[str] = ..., target: _Optional[str] = ..., action: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAuditEventsResponse(_message.Message):
    __slots__ = ("audit_events", "next_page_token")
    AUDIT_EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    audit_events: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditEvent]
    next_page_token: str
    def __init__(self, audit_events: _Optional[_Iterable[_Union[_audit_pb2.AuditEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
