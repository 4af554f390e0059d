"""Contract messages built from the agent's rows and domain results."""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2
from google.type import date_pb2

from iworkz.agent.v1 import agent_pb2 as pb
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types
from services.agent import store
from services.agent.domain.resume import Draft
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


# --- skills and résumés -------------------------------------------------------------------


def extracted_skill(found: Any) -> pb.ExtractedSkill:
    return pb.ExtractedSkill(
        skill=pb.EscoSkill(uri=found.uri, label=found.label),
        confidence=found.confidence,
        span=pb.TextSpan(start=found.span.start, end=found.span.end, text=found.span.text),
        method=found.method,
    )


def _date(value: tuple[int, ...] | None) -> date_pb2.Date | None:
    if not value:
        return None
    year, month, *day = value
    return date_pb2.Date(year=year, month=month, day=day[0] if day else 0)


def _set_field(profile: mp.WorkerProfile, licences: list[pb.Licence], path: str, value: Any) -> None:
    """Put one parsed value where it belongs in the suggested profile (or the licences)."""
    if path in ("display_name", "email", "phone", "address", "nationality"):
        setattr(profile, path, value)
    elif path == "birth_date":
        profile.birth_date.CopyFrom(_date(value))
    elif path == "visa_status":
        profile.visa_status = types.VisaStatus.Value(f"VISA_STATUS_{value}")
    elif path == "ssw_field":
        profile.ssw_field = types.SswField.Value(f"SSW_FIELD_{value}")
    elif path.startswith("languages["):
        profile.languages.add(
            language=value.code,
            proficiency=mp.Proficiency.Value(f"PROFICIENCY_{value.proficiency}") if value.proficiency else 0,
            jlpt_level=types.JapaneseLevel.Value(f"JAPANESE_LEVEL_{value.jlpt}") if value.jlpt else 0,
        )
    elif path.startswith("experience["):
        experience = profile.experience.add(employer_name=value.employer[:200] or "?", title=value.title[:200] or "?")
        if value.period.start:
            experience.start_date.CopyFrom(_date(value.period.start))
        if value.period.end:
            experience.end_date.CopyFrom(_date(value.period.end))
    elif path.startswith("education["):
        profile.education.add(
            institution=value.institution[:200], qualification=value.qualification[:200], graduation_year=value.year
        )
    elif path.startswith("licences["):
        licences.append(
            pb.Licence(kind=pb.LicenceKind.Value(f"LICENCE_KIND_{value.kind}"), name=value.name, year=value.year)
        )


def draft(worker: str, parsed: Draft, skills: list[Any]) -> pb.ResumeDraft:
    """The contract's draft from the parser's fields and the skills found in the text."""
    profile = mp.WorkerProfile(name=worker)
    licences: list[pb.Licence] = []
    fields: list[pb.FieldEvidence] = []
    for item in parsed.fields:
        _set_field(profile, licences, item.path, item.value)
        evidence = [pb.Evidence(page=e.page, start=e.start, end=e.end, quote=e.quote) for e in item.evidence]
        fields.append(pb.FieldEvidence(field=item.path, confidence=item.confidence, evidence=evidence))
    if profile.visa_status not in (types.VISA_STATUS_SSW_1, types.VISA_STATUS_SSW_2) and profile.ssw_field:
        profile.ssw_field = 0
    for index, found in enumerate(skills):
        profile.skills.add(taxonomy_id=found.uri, label=found.label[:100])
        fields.append(
            pb.FieldEvidence(
                field=f"skills[{index}]",
                confidence=found.confidence,
                evidence=[pb.Evidence(page=1, start=found.span.start, end=found.span.end, quote=found.span.text)],
            )
        )
    warnings = []
    if profile.visa_status in (types.VISA_STATUS_SSW_1, types.VISA_STATUS_SSW_2) and not profile.ssw_field:
        warnings.append("an SSW status was found but not its field: choose the field before saving")
    if not parsed.get("display_name"):
        warnings.append("no name was found")
    return pb.ResumeDraft(
        profile=profile,
        licences=licences,
        fields=fields,
        language_code=parsed.language,
        page_count=parsed.page_count,
        warnings=warnings,
    )


def esco(uri: str, label: str) -> pb.EscoSkill:
    return pb.EscoSkill(uri=uri, label=label)
