"""Skill gaps and career paths: which ESCO skills a target needs that a worker lacks.

A target (a job or an ESCO occupation) needs skills with an importance:
a job's required skills 1.0, its preferred skills 0.6, and skills found in
its title and description by the extractor, at their confidence × 0.5; an
occupation's skills are those found in its labels and description. A
worker has a skill when their profile names its URI, or when one of their
profile's skills or job titles embeds close to the skill's label (centred
cosine at least `HAS_SKILL`), or when the extractor finds it in their
profile text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from services.agent.domain.skills import SkillExtractor

HAS_SKILL = 0.55


@dataclass(frozen=True)
class Need:
    uri: str
    label: str
    importance: float
    reason: str


@dataclass(frozen=True)
class WorkerSkills:
    uris: frozenset[str]
    phrases: list[str]  # skill labels, job titles, free text
    text: str  # the profile as text, for extraction


@dataclass
class GapResult:
    title: str
    missing: list[Need] = field(default_factory=list)
    matched: list[Need] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        total = sum(n.importance for n in [*self.missing, *self.matched])
        return sum(n.importance for n in self.matched) / total if total else 1.0


@dataclass(frozen=True)
class TargetSkill:
    """A skill of a job as the job states it: a taxonomy URI (maybe empty) and a label."""

    uri: str
    label: str


def job_needs(
    extractor: SkillExtractor, required: list[TargetSkill], preferred: list[TargetSkill], text: str
) -> list[Need]:
    needs: dict[str, Need] = {}

    def add(need: Need) -> None:
        if need.uri not in needs or needs[need.uri].importance < need.importance:
            needs[need.uri] = need

    for skills, weight, why in ((required, 1.0, "required by the job"), (preferred, 0.6, "preferred by the job")):
        for skill in skills:
            uri = skill.uri or _resolve(extractor, skill.label)
            if uri:
                add(Need(uri, extractor.label(uri) or skill.label, weight, f"{why}: {skill.label}"))
    for found in extractor.extract(text, min_confidence=0.55, limit=15):
        add(
            Need(
                found.uri,
                found.label,
                round(found.confidence * 0.5, 3),
                f"the job description mentions it: \u201c{found.span.text}\u201d",
            )
        )
    return sorted(needs.values(), key=lambda n: -n.importance)


def occupation_needs(extractor: SkillExtractor, occupation_uri: str) -> tuple[str, list[Need]]:
    occupation = extractor.taxonomy.get(occupation_uri)
    if occupation is None:
        return "", []
    needs = [
        Need(
            f.uri,
            f.label,
            round(f.confidence, 3),
            f"part of the ESCO description of {occupation.label}: \u201c{f.span.text}\u201d",
        )
        for f in extractor.extract(f"{occupation.labels}. {occupation.description}", min_confidence=0.55, limit=15)
    ]
    return occupation.label, needs


def _resolve(extractor: SkillExtractor, label: str) -> str:
    """The ESCO URI of a free-text skill label, if one is close enough."""
    found = extractor.extract(label, min_confidence=0.6, limit=1)
    return found[0].uri if found else ""


def worker_has(extractor: SkillExtractor, worker: WorkerSkills, needs: list[Need]) -> set[str]:
    """URIs of `needs` the worker has."""
    has = {n.uri for n in needs if n.uri in worker.uris}
    has |= {f.uri for f in extractor.extract(worker.text, min_confidence=0.55, limit=40)} if worker.text else set()
    open_needs = [n for n in needs if n.uri not in has]
    if open_needs and worker.phrases:
        encoder = extractor.encoder
        mine = encoder.encode(worker.phrases, "query", centered=True)
        theirs = encoder.encode([n.label for n in open_needs], "passage", centered=True)
        best = (mine @ theirs.T).max(axis=0)
        has |= {n.uri for n, score in zip(open_needs, best, strict=True) if float(score) >= HAS_SKILL}
    return {n.uri for n in needs} & has


def gap(extractor: SkillExtractor, title: str, needs: list[Need], worker: WorkerSkills) -> GapResult:
    has = worker_has(extractor, worker, needs)
    result = GapResult(title)
    for need in needs:
        (result.matched if need.uri in has else result.missing).append(need)
    return result


def nearest_occupation(extractor: SkillExtractor, title: str, vectors: np.ndarray, minimum: float = 0.5) -> str:
    """The URI of the ESCO occupation whose label is closest to `title`, if close enough."""
    if not title.strip() or vectors.size == 0:
        return ""
    query = extractor.encoder.encode([title], "query", centered=True)[0]
    scores = vectors @ query
    best = int(np.argmax(scores))
    return extractor.taxonomy.occupations[best].uri if float(scores[best]) >= minimum else ""
