"""ESCO skill extraction: domain rules, then candidate phrases matched to skill labels by embedding.

1. Rules (`skill_rules`) find domain terms whose meaning embeddings blur:
   welding processes, care tasks, JLPT levels, licences, trades.
2. The text is cut into candidate phrases (clauses split at punctuation
   and conjunctions, long clauses into overlapping windows) in any language.
3. Each phrase is embedded as a query, centred, and compared with the
   centred vectors of every ESCO skill's preferred label (computed once and
   cached). A phrase whose best cosine passes the threshold shows that
   skill; confidence grows with the cosine and with the margin over the
   runner-up label.

One entry per skill, with its best evidence span, most confident first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from services.agent.domain.encoder import Encoder, Vectors, normalise
from services.agent.domain.esco import Concept, Taxonomy
from services.agent.domain.skill_rules import RULES

# Centred cosines: below THRESHOLD a phrase shows no skill (calibrated on data/skills_eval.jsonl).
THRESHOLD = 0.40
# Phrases embedded per text: a long text's first clauses (skills come early in résumés and postings).
MAX_CANDIDATES = 96
_CLAUSE = re.compile(
    r"[。、，,.;；:：\n・/()（）「」『』\[\]!?！？•\-–—]+|\s+(?:and|or|và|hoặc|dan|atau|at)\s+", re.IGNORECASE
)
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class FoundSkill:
    uri: str
    label: str
    confidence: float
    span: Span
    method: str  # "rule" or "embedding"


def candidate_phrases(text: str, window: int = 6, cjk_window: int = 14) -> list[Span]:
    """Clauses of `text`, long ones cut into overlapping windows (words, or characters for CJK)."""
    spans: list[Span] = []
    start = 0
    for match in [*_CLAUSE.finditer(text), None]:
        end = match.start() if match else len(text)
        _windows(text, start, end, window, cjk_window, spans)
        if match:
            start = match.end()
    return spans


def _windows(text: str, start: int, end: int, window: int, cjk_window: int, out: list[Span]) -> None:
    clause = text[start:end]
    stripped = clause.strip()
    if len(stripped) < 2:
        return
    offset = start + clause.index(stripped)
    if _CJK.search(stripped) and " " not in stripped:
        step = cjk_window // 2
        for i in range(0, max(1, len(stripped) - step), step):
            piece = stripped[i : i + cjk_window]
            out.append(Span(offset + i, offset + i + len(piece), piece))
        return
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", stripped)]
    if len(words) <= window:
        out.append(Span(offset, offset + len(stripped), stripped))
        return
    step = max(1, window // 2)
    for i in range(0, len(words) - step, step):
        chunk = words[i : i + window]
        a, b = chunk[0][0], chunk[-1][1]
        out.append(Span(offset + a, offset + b, stripped[a:b]))


def _distinct(spans: list[Span]) -> list[Span]:
    """The first span of each distinct phrase (repeated lines are embedded once)."""
    seen: set[str] = set()
    out = []
    for span in spans:
        key = span.text.strip().lower()
        if key not in seen:
            seen.add(key)
            out.append(span)
    return out


def confidence_from(cosine: float, margin: float) -> float:
    """Map a centred cosine (and its margin over the runner-up) to 0..1."""
    value = 1 / (1 + np.exp(-12 * (cosine - THRESHOLD - 0.05))) + min(margin, 0.1)
    return float(min(0.99, max(0.0, value)))


class SkillExtractor:
    """Finds ESCO skills in texts with the rules and the label vectors."""

    def __init__(self, encoder: Encoder, taxonomy: Taxonomy, label_vectors: Vectors) -> None:
        self.encoder = encoder
        self.taxonomy = taxonomy
        self.skills = taxonomy.skills
        self._by_uri = {c.uri: c for c in self.skills}
        self.vectors = encoder.centre(label_vectors, "passage")

    def label(self, uri: str) -> str:
        concept = self._by_uri.get(uri)
        return concept.label if concept else ""

    def rules(self, text: str) -> list[FoundSkill]:
        found = []
        for rule in RULES:
            for match in rule.pattern.finditer(text):
                for uri in rule.uris:
                    if uri in self._by_uri:
                        found.append(
                            FoundSkill(
                                uri,
                                self.label(uri),
                                rule.confidence,
                                Span(match.start(), match.end(), match.group()),
                                "rule",
                            )
                        )
                break  # the first occurrence is evidence enough
        return found

    def nearest(self, phrases: list[str], top: int = 1) -> list[list[tuple[int, float]]]:
        """For each phrase, the `top` nearest skills as (index, centred cosine)."""
        if not phrases:
            return []
        queries = self.encoder.encode(phrases, "query", centered=True)
        scores = queries @ self.vectors.T
        best = np.argpartition(-scores, top, axis=1)[:, : top + 1]
        result = []
        for row, candidates in enumerate(best):
            ordered = sorted(candidates, key=lambda j: -scores[row, j])
            result.append([(int(j), float(scores[row, j])) for j in ordered])
        return result

    def extract(self, text: str, min_confidence: float = 0.5, limit: int = 20) -> list[FoundSkill]:
        found: dict[str, FoundSkill] = {}
        for item in self.rules(text):
            if item.uri not in found or found[item.uri].confidence < item.confidence:
                found[item.uri] = item
        spans = _distinct(candidate_phrases(text))[:MAX_CANDIDATES]
        for span, neighbours in zip(spans, self.nearest([s.text for s in spans], top=1), strict=True):
            (index, cosine), runner_up = neighbours[0], neighbours[1] if len(neighbours) > 1 else (0, 0.0)
            if cosine < THRESHOLD:
                continue
            concept = self.skills[index]
            confidence = confidence_from(cosine, cosine - runner_up[1])
            current = found.get(concept.uri)
            if current is None or current.confidence < confidence:
                found[concept.uri] = FoundSkill(concept.uri, concept.label, confidence, span, "embedding")
        ranked = sorted(found.values(), key=lambda f: (-f.confidence, f.span.start))
        return [f for f in ranked if f.confidence >= min_confidence][:limit]


def skill_vectors_text(skills: list[Concept]) -> list[str]:
    """What is embedded per skill: its preferred label."""
    return [c.label for c in skills]


__all__ = ["FoundSkill", "SkillExtractor", "Span", "candidate_phrases", "normalise", "skill_vectors_text"]
