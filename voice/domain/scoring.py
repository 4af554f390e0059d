"""Error rates of transcripts against what was said.

Word error rate for languages written with spaces (en, vi, id). Japanese has
no spaces and mixes kanji and kana (Whisper may write 大阪 or おおさか), so
it is scored as a character error rate over the hiragana reading of both
texts (pykakasi): the figure says whether the right sounds were heard.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from voice.domain.commands import normalize

_kakasi: Any = None
_kakasi_lock = threading.Lock()


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def reading(text: str) -> str:
    """Hiragana reading of Japanese text, without spaces or punctuation."""
    global _kakasi
    with _kakasi_lock:
        if _kakasi is None:
            import pykakasi

            _kakasi = pykakasi.kakasi()  # type: ignore[no-untyped-call]
        kana = "".join(str(item["hira"]) for item in _kakasi.convert(text))
    return normalize(kana, "ja").replace(" ", "")


def tokens(text: str, language: str) -> list[str]:
    """What errors are counted over: words, or for Japanese the characters of the reading."""
    if language == "ja":
        return list(reading(text))
    return normalize(text, language).split()


def errors(reference: str, hypothesis: str, language: str) -> tuple[int, int]:
    """(edits, reference length): sum these over a set, then divide, for the set's rate."""
    ref = tokens(reference, language)
    return edit_distance(ref, tokens(hypothesis, language)), len(ref)
