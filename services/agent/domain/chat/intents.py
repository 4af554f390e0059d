"""Intent classification by nearest neighbours over labelled example utterances.

Each example is embedded once (E5 `query:` prefix, centred on the corpus
mean). A message is embedded the same way; its k nearest examples vote,
weighted by cosine. Below `threshold` the intent is `unknown`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from services.agent.domain.encoder import Encoder, Vectors

INTENTS = (
    "greeting",
    "help",
    "search_jobs",
    "job_eligibility",
    "application_status",
    "apply",
    "profile_hints",
    "skill_gap",
    "recommend_jobs",
    "explain_match",
)


@dataclass(frozen=True)
class Example:
    intent: str
    language: str
    text: str


@dataclass(frozen=True)
class Prediction:
    intent: str
    score: float  # best cosine among the winning intent's neighbours


class IntentClassifier:
    def __init__(
        self, encoder: Encoder, examples: list[Example], vectors: Vectors, k: int = 5, threshold: float = 0.25
    ) -> None:
        self.encoder = encoder
        self.examples = examples
        self.vectors = encoder.centre(vectors, "query")
        self.k = k
        self.threshold = threshold

    def classify(self, text: str) -> Prediction:
        return self.classify_many([text])[0]

    def classify_many(self, texts: list[str]) -> list[Prediction]:
        queries = self.encoder.encode(texts, "query", centered=True)
        scores = queries @ self.vectors.T
        k = min(self.k, len(self.examples))
        out = []
        for row in scores:
            nearest = np.argpartition(-row, k - 1)[:k]
            votes: dict[str, float] = defaultdict(float)
            best: dict[str, float] = defaultdict(float)
            for j in nearest:
                intent = self.examples[int(j)].intent
                weight = max(float(row[j]), 0.0)
                votes[intent] += weight
                best[intent] = max(best[intent], float(row[j]))
            winner = max(votes, key=lambda name: votes[name])
            score = best[winner]
            out.append(Prediction(winner if score >= self.threshold else "unknown", score))
        return out


def read_examples(lines: list[str]) -> list[Example]:
    """`intent<TAB>language<TAB>text` lines (comments and blanks already removed)."""
    out = []
    for line in lines:
        intent, language, text = line.split("\t", 2)
        out.append(Example(intent, language, text))
    return out
