"""Reading transcripts: slots by sound as well as spelling, and what stays strict (consent)."""

from __future__ import annotations

import pytest

from voice.domain import commands, reading
from voice.domain.commands import Kind
from voice.domain.dialogue import Dialogue


@pytest.mark.parametrize(
    ("text", "language", "intent", "slots"),
    [
        ("Find welding jobs in Osaka", "en", "search_jobs", {"trade": "welding", "place": "Osaka"}),
        ("Có việc hàn ở Osaka không?", "vi", "search_jobs", {"trade": "welding", "place": "Osaka"}),
        ("Tìm viec han o Osaka", "vi", "search_jobs", {"trade": "welding", "place": "Osaka"}),  # tones lost
        ("溶接の仕事、大阪で", "ja", "search_jobs", {"trade": "welding", "place": "Osaka"}),
        ("ようせつのしごと、オーサカで", "ja", "search_jobs", {"trade": "welding", "place": "Osaka"}),  # kana
        ("よくはまの工事", "ja", "search_jobs", {"place": "Yokohama"}),  # one kana off
        ("溶接、高押して広しまねは", "ja", "search_jobs", {"trade": "welding", "place": "Hiroshima"}),
        ("Tôi muốn làm việc chăm nhờ máy", "vi", "search_jobs", {"trade": "manufacturing"}),  # nhờ for nhà
        ("Tổ việc xây dựng hà lơ, yò khao hà mà", "vi", "search_jobs", {"trade": "construction", "place": "Yokohama"}),
        ("Lowongan perawat di Yokohamah", "id", "search_jobs", {"trade": "caregiving", "place": "Yokohama"}),
        ("応募した仕事の状況はどうですか", "ja", "application_status", {}),  # holds 応募, is about status
        ("Bagaimana status lamaran saya?", "id", "application_status", {}),
        ("二番目に応募したい", "ja", "apply", {"job_index": 2}),
        ("Tiếp thêu", "vi", "next", {}),  # one letter off a command that is not consent
        ("Kobi", "en", "other", {}),  # short names are never read loosely
        ("Sekali lagi.", "id", "repeat", {}),  # holds "lagi" (more), but the longer phrase is "repeat"
        ("Yang lain", "id", "next", {}),
    ],
)
def test_reading(text: str, language: str, intent: str, slots: dict[str, object]) -> None:
    found = reading.read(text, language)
    assert (found.intent, found.slots) == (intent, slots)


def test_near_misses_are_forwarded_with_the_catalogue_word() -> None:
    assert reading.for_agent("よくはまの工事", "ja") == "よくはまの工事 (横浜)"
    assert reading.for_agent("Lowongan perawat di Yokohamah", "id") == "Lowongan perawat di Yokohamah (yokohama)"
    assert reading.for_agent("溶接の仕事、大阪で", "ja") == "溶接の仕事、大阪で"  # exact: unchanged


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hap hajap di ya.", "id"),  # Whisper's "Berapa gajinya?": a yes word not at the start
        ("Ya, berapa?", "id"),  # a question
        ("Chúng ta đã biên", "vi"),  # đã (already) is not dạ (yes)
        ("Cô ấy đã đi", "vi"),  # "cô" (she) in a sentence is not "có"
        ("給料はいくらですか", "ja"),
        ("How much is it, yes?", "en"),
        ("Lương bao nhiêu, có không?", "vi"),
    ],
)
def test_what_is_never_consent(text: str, language: str) -> None:
    assert commands.yes_or_no(text, language) is not Kind.YES
    dialogue = Dialogue(language=language)
    dialogue.confirmation_prompt("Apply?", language)
    assert dialogue.on_utterance(text, language).answer is not Kind.YES


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Yes please", "en"),
        ("はい、お願いします", "ja"),
        ("Vâng, đồng ý", "vi"),
        ("Có", "vi"),
        ("Cô", "vi"),  # a one-word answer that lost its tone
        ("Iya, setuju", "id"),
    ],
)
def test_clear_yes_still_opens_the_answer(text: str, language: str) -> None:
    assert commands.yes_or_no(text, language) is Kind.YES


def test_free_speech_reaches_the_agent_with_the_words_it_was_read_as() -> None:
    dialogue = Dialogue(language="ja")
    assert dialogue.on_utterance("よくはまの工事、ありますか", "ja").forward == "よくはまの工事、ありますか (横浜)"
    assert dialogue.on_utterance("Find welding jobs in Osaka", "en").forward == "Find welding jobs in Osaka"
