from buf.validate import validate_pb2 as _validate_pb2
from google.type import latlng_pb2 as _latlng_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JapaneseLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JAPANESE_LEVEL_UNSPECIFIED: _ClassVar[JapaneseLevel]
    JAPANESE_LEVEL_NONE: _ClassVar[JapaneseLevel]
    JAPANESE_LEVEL_N5: _ClassVar[JapaneseLevel]
    JAPANESE_LEVEL_N4: _ClassVar[JapaneseLevel]
    JAPANESE_LEVEL_N3: _ClassVar[JapaneseLevel]
    JAPANESE_LEVEL_N2: _ClassVar[JapaneseLevel]
    JAPANESE_LEVEL_N1: _ClassVar[JapaneseLevel]
    JAPANESE_LEVEL_NATIVE: _ClassVar[JapaneseLevel]

class VisaStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VISA_STATUS_UNSPECIFIED: _ClassVar[VisaStatus]
    VISA_STATUS_JAPANESE_NATIONAL: _ClassVar[VisaStatus]
    VISA_STATUS_PERMANENT_RESIDENT: _ClassVar[VisaStatus]
    VISA_STATUS_SPOUSE_OR_CHILD: _ClassVar[VisaStatus]
    VISA_STATUS_LONG_TERM_RESIDENT: _ClassVar[VisaStatus]
    VISA_STATUS_SSW_1: _ClassVar[VisaStatus]
    VISA_STATUS_SSW_2: _ClassVar[VisaStatus]
    VISA_STATUS_TECHNICAL_INTERN: _ClassVar[VisaStatus]
    VISA_STATUS_ENGINEER_SPECIALIST: _ClassVar[VisaStatus]
    VISA_STATUS_STUDENT: _ClassVar[VisaStatus]
    VISA_STATUS_NEEDS_SPONSORSHIP: _ClassVar[VisaStatus]
    VISA_STATUS_DEPENDENT: _ClassVar[VisaStatus]
    VISA_STATUS_DESIGNATED_ACTIVITIES: _ClassVar[VisaStatus]
    VISA_STATUS_NURSING_CARE: _ClassVar[VisaStatus]
    VISA_STATUS_HIGHLY_SKILLED_PROFESSIONAL: _ClassVar[VisaStatus]
    VISA_STATUS_SKILL_DEVELOPMENT: _ClassVar[VisaStatus]

class SswField(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SSW_FIELD_UNSPECIFIED: _ClassVar[SswField]
    SSW_FIELD_NURSING_CARE: _ClassVar[SswField]
    SSW_FIELD_BUILDING_CLEANING: _ClassVar[SswField]
    SSW_FIELD_MANUFACTURING: _ClassVar[SswField]
    SSW_FIELD_CONSTRUCTION: _ClassVar[SswField]
    SSW_FIELD_SHIPBUILDING: _ClassVar[SswField]
    SSW_FIELD_AUTOMOBILE_MAINTENANCE: _ClassVar[SswField]
    SSW_FIELD_AVIATION: _ClassVar[SswField]
    SSW_FIELD_ACCOMMODATION: _ClassVar[SswField]
    SSW_FIELD_AGRICULTURE: _ClassVar[SswField]
    SSW_FIELD_FISHERY: _ClassVar[SswField]
    SSW_FIELD_FOOD_MANUFACTURING: _ClassVar[SswField]
    SSW_FIELD_FOOD_SERVICE: _ClassVar[SswField]
    SSW_FIELD_TRANSPORTATION: _ClassVar[SswField]
    SSW_FIELD_RAILWAY: _ClassVar[SswField]
    SSW_FIELD_FORESTRY: _ClassVar[SswField]
    SSW_FIELD_WOOD_INDUSTRY: _ClassVar[SswField]

class Relocation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELOCATION_UNSPECIFIED: _ClassVar[Relocation]
    RELOCATION_NONE: _ClassVar[Relocation]
    RELOCATION_REGION: _ClassVar[Relocation]
    RELOCATION_ANYWHERE: _ClassVar[Relocation]

class EmploymentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EMPLOYMENT_TYPE_UNSPECIFIED: _ClassVar[EmploymentType]
    EMPLOYMENT_TYPE_FULL_TIME: _ClassVar[EmploymentType]
    EMPLOYMENT_TYPE_PART_TIME: _ClassVar[EmploymentType]
    EMPLOYMENT_TYPE_CONTRACT: _ClassVar[EmploymentType]
    EMPLOYMENT_TYPE_TEMPORARY: _ClassVar[EmploymentType]
    EMPLOYMENT_TYPE_INTERNSHIP: _ClassVar[EmploymentType]

class WagePeriod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WAGE_PERIOD_UNSPECIFIED: _ClassVar[WagePeriod]
    WAGE_PERIOD_HOURLY: _ClassVar[WagePeriod]
    WAGE_PERIOD_DAILY: _ClassVar[WagePeriod]
    WAGE_PERIOD_MONTHLY: _ClassVar[WagePeriod]
    WAGE_PERIOD_ANNUAL: _ClassVar[WagePeriod]
JAPANESE_LEVEL_UNSPECIFIED: JapaneseLevel
JAPANESE_LEVEL_NONE: JapaneseLevel
JAPANESE_LEVEL_N5: JapaneseLevel
JAPANESE_LEVEL_N4: JapaneseLevel
JAPANESE_LEVEL_N3: JapaneseLevel
JAPANESE_LEVEL_N2: JapaneseLevel
JAPANESE_LEVEL_N1: JapaneseLevel
JAPANESE_LEVEL_NATIVE: JapaneseLevel
VISA_STATUS_UNSPECIFIED: VisaStatus
VISA_STATUS_JAPANESE_NATIONAL: VisaStatus
VISA_STATUS_PERMANENT_RESIDENT: VisaStatus
VISA_STATUS_SPOUSE_OR_CHILD: VisaStatus
VISA_STATUS_LONG_TERM_RESIDENT: VisaStatus
VISA_STATUS_SSW_1: VisaStatus
VISA_STATUS_SSW_2: VisaStatus
VISA_STATUS_TECHNICAL_INTERN: VisaStatus
VISA_STATUS_ENGINEER_SPECIALIST: VisaStatus
VISA_STATUS_STUDENT: VisaStatus
VISA_STATUS_NEEDS_SPONSORSHIP: VisaStatus
VISA_STATUS_DEPENDENT: VisaStatus
VISA_STATUS_DESIGNATED_ACTIVITIES: VisaStatus
VISA_STATUS_NURSING_CARE: VisaStatus
VISA_STATUS_HIGHLY_SKILLED_PROFESSIONAL: VisaStatus
VISA_STATUS_SKILL_DEVELOPMENT: VisaStatus
SSW_FIELD_UNSPECIFIED: SswField
SSW_FIELD_NURSING_CARE: SswField
SSW_FIELD_BUILDING_CLEANING: SswField
SSW_FIELD_MANUFACTURING: SswField
SSW_FIELD_CONSTRUCTION: SswField
SSW_FIELD_SHIPBUILDING: SswField
SSW_FIELD_AUTOMOBILE_MAINTENANCE: SswField
SSW_FIELD_AVIATION: SswField
SSW_FIELD_ACCOMMODATION: SswField
SSW_FIELD_AGRICULTURE: SswField
SSW_FIELD_FISHERY: SswField
SSW_FIELD_FOOD_MANUFACTURING: SswField
SSW_FIELD_FOOD_SERVICE: SswField
SSW_FIELD_TRANSPORTATION: SswField
SSW_FIELD_RAILWAY: SswField
SSW_FIELD_FORESTRY: SswField
SSW_FIELD_WOOD_INDUSTRY: SswField
RELOCATION_UNSPECIFIED: Relocation
RELOCATION_NONE: Relocation
RELOCATION_REGION: Relocation
RELOCATION_ANYWHERE: Relocation
EMPLOYMENT_TYPE_UNSPECIFIED: EmploymentType
EMPLOYMENT_TYPE_FULL_TIME: EmploymentType
EMPLOYMENT_TYPE_PART_TIME: EmploymentType
EMPLOYMENT_TYPE_CONTRACT: EmploymentType
EMPLOYMENT_TYPE_TEMPORARY: EmploymentType
EMPLOYMENT_TYPE_INTERNSHIP: EmploymentType
WAGE_PERIOD_UNSPECIFIED: WagePeriod
WAGE_PERIOD_HOURLY: WagePeriod
WAGE_PERIOD_DAILY: WagePeriod
WAGE_PERIOD_MONTHLY: WagePeriod
WAGE_PERIOD_ANNUAL: WagePeriod

class Location(_message.Message):
    __slots__ = ("prefecture", "city", "coordinates")
    PREFECTURE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    COORDINATES_FIELD_NUMBER: _ClassVar[int]
    prefecture: str
    city: str
    coordinates: _latlng_pb2.LatLng
    def __init__(self, prefecture: _Optional[str] = ..., city: _Optional[str] = ..., coordinates: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ...) -> None: ...
