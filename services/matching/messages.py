"""Matching's domain results as contract messages (and the few conversions back)."""

from __future__ import annotations

from iworkz.matching.v1 import matching_pb2 as pb
from iworkz.type.v1 import profile_types_pb2 as types
from services.eligibility import contracts
from services.eligibility.facts import Job, Worker
from services.eligibility.rules import Eligibility
from services.matching.domain.ranking import Ranked
from services.matching.domain.scoring import Component, Score, SkillVerdict

EVIDENCE = {
    "verified": pb.EVIDENCE_LEVEL_VERIFIED,
    "self-declared": pb.EVIDENCE_LEVEL_SELF_DECLARED,
    "none": pb.EVIDENCE_LEVEL_NONE,
}


def language(code: str) -> str:
    return "ja" if code.startswith("ja") else "en"


def component(c: Component) -> int:
    return int(pb.Component.Value(f"COMPONENT_{c.value}"))


def breakdown(score: Score) -> pb.ScoreBreakdown:
    return pb.ScoreBreakdown(
        total=score.total,
        weights_version=score.weights_version,
        components=[
            pb.ComponentScore(
                component=component(c),
                value=score.values[c],
                weight=score.weights.get(c, 0.0),
                contribution=score.contribution(c),
            )
            for c in Component
        ],
    )


def skill(v: SkillVerdict) -> pb.SkillMatch:
    return pb.SkillMatch(
        taxonomy_id=v.skill.taxonomy_id, label=v.skill.label, required=v.skill.required, evidence=EVIDENCE[v.evidence]
    )


def reasons(score: Score, lang: str) -> list[pb.Reason]:
    return [pb.Reason(component=component(r.component), text=r.text.in_language(lang)) for r in score.reasons]


def location(place: object) -> types.Location:
    out = types.Location(prefecture=getattr(place, "prefecture", ""), city=getattr(place, "city", ""))
    return out


def job_match(ranked: Ranked, job: Job, lang: str) -> pb.JobMatch:
    match = pb.JobMatch(
        job=job.name,
        title=job.title,
        employer_display_name=job.employer_display_name,
        location=location(job.place),
        score=breakdown(ranked.score),
        matched_skills=[skill(v) for v in ranked.score.matched],
        missing_skills=[skill(v) for v in ranked.score.missing],
        reasons=reasons(ranked.score, lang),
    )
    if job.published is not None:
        match.publish_time.FromDatetime(job.published)
    return match


def worker_match(ranked: Ranked, worker: Worker, lang: str) -> pb.WorkerMatch:
    """A candidate for an employer: no residence card, birth date, phone or address."""
    return pb.WorkerMatch(
        worker=worker.name,
        display_name=worker.display_name,
        visa_status=contracts.status_value(worker.status),
        ssw_field=contracts.field_value(worker.designated_field) if worker.designated_field else 0,
        japanese_level=_jlpt_value(worker.japanese_level),
        location=location(worker.place),
        score=breakdown(ranked.score),
        matched_skills=[skill(v) for v in ranked.score.matched],
        missing_skills=[skill(v) for v in ranked.score.missing],
        reasons=reasons(ranked.score, lang),
    )


def _jlpt_value(rank: int) -> int:
    for value, r in contracts.JLPT_RANK.items():
        if r == rank and value != types.JAPANESE_LEVEL_UNSPECIFIED:
            return int(value)
    return int(types.JAPANESE_LEVEL_NONE)


def explanation(worker: Worker, job: Job, eligibility: Eligibility, score: Score, lang: str) -> pb.ExplainMatchResponse:
    return pb.ExplainMatchResponse(
        worker=worker.name,
        job=job.name,
        eligible=eligibility.eligible,
        rules=[
            pb.RuleCheck(
                rule=int(pb.HardRule.Value(f"HARD_RULE_{v.rule.value}")),
                passed=v.passed,
                reason=v.reason.in_language(lang),
                fix=v.fix.in_language(lang) if v.fix else "",
            )
            for v in eligibility.verdicts
        ],
        score=breakdown(score),
        matched_skills=[skill(v) for v in score.matched],
        missing_skills=[skill(v) for v in score.missing],
        reasons=reasons(score, lang),
    )
