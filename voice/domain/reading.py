"""Reading a transcript for its intent and slots, tolerant of how a recogniser misspells the platform's words.

Whisper base on synthetic speech often keeps a word's sound but not its
spelling: "よくはま" for 横浜, "広しま" for 広島, "nhờ máy" for "nhà máy",
"Yokohamah". Each transcript and each catalogue word are turned into a
comparable key:

- Japanese: the hiragana reading (pykakasi for kanji, katakana folded to
  hiragana), without long-vowel marks and punctuation;
- Latin script (vi, id, tl, en): lower case, diacritics and tones folded
  away, spaces and hyphens squeezed out; in Vietnamese also a few
  spellings of one sound made one (kh/c/k/q, ph/f, gi/d/z, tr/ch, y/i).

A catalogue word is found when its key occurs in the transcript's key with
at most `max_edits` edits (none for keys of fewer than five letters, one
up to seven, two from eight; in kana none under four, one up to six:
"よくはま" is one edit from "よこはま", "iokaohama" one from "iokohama"); an exact match always wins over a near
one, and among near ones the closest.

Only slots (trade, place) and the non-consent commands are read this way.
A yes is never read loosely: the confirmation gate (`voice.domain.dialogue`)
reads answers with `voice.domain.commands` alone, so a near-miss can at
worst be asked again, never taken for consent.

`for_agent` gives the text the voice service forwards to the agent's Chat:
the transcript as heard, followed by the catalogue words it was read as when
they were found only loosely, so that the agent's own (exact) slot rules see
"横浜" in "よくはまの工事…".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from voice.domain import commands
from voice.domain.commands import Kind

# Trades, in the agent's search vocabulary, with the words for them per language.
TRADES: dict[str, dict[str, tuple[str, ...]]] = {
    "welding": {
        "en": ("weld", "welder", "welding"),
        "ja": ("溶接", "ようせつ"),
        "vi": ("hàn", "thợ hàn"),
        "id": ("las", "pengelasan", "welder", "tukang las"),
        "tl": ("hinang", "welder", "welding"),
    },
    "caregiving": {
        "en": ("care", "caregiver", "caregiving", "nursing"),
        "ja": ("介護", "かいご", "介護士", "看護"),
        "vi": ("điều dưỡng", "chăm sóc", "hộ lý"),
        "id": ("perawat", "perawatan", "pengasuh", "lansia"),
        "tl": ("caregiver", "tagapag-alaga", "nars"),
    },
    "construction": {
        "en": ("construction", "builder", "building"),
        "ja": ("建設", "けんせつ", "建築", "けんちく", "土木"),
        "vi": ("xây dựng",),
        "id": ("konstruksi", "bangunan"),
        "tl": ("konstruksyon", "construction"),
    },
    "food_service": {
        "en": ("restaurant", "food", "kitchen", "cook"),
        "ja": ("レストラン", "飲食", "外食", "厨房", "調理", "料理"),
        "vi": ("nhà hàng", "nấu ăn", "đầu bếp", "thực phẩm"),
        "id": ("restoran", "makanan", "dapur", "masak", "koki"),
        "tl": ("restawran", "restaurant", "kusinero", "pagkain"),
    },
    "manufacturing": {
        "en": ("factory", "manufacturing"),
        "ja": ("工場", "こうじょう", "製造", "せいぞう"),
        "vi": ("nhà máy", "sản xuất"),
        "id": ("pabrik", "manufaktur"),
        "tl": ("pabrika", "factory"),
    },
    "agriculture": {
        "en": ("farm", "farming", "agriculture"),
        "ja": ("農業", "のうぎょう", "農家", "農場"),
        "vi": ("nông nghiệp", "nông trại", "trang trại"),
        "id": ("pertanian", "petani", "perkebunan"),
        "tl": ("bukid", "pagsasaka", "farm"),
    },
    "cleaning": {
        "en": ("cleaning", "cleaner", "janitor"),
        "ja": ("清掃", "せいそう", "掃除", "そうじ"),
        "vi": ("dọn dẹp", "vệ sinh"),
        "id": ("kebersihan", "pembersih", "cleaning service"),
        "tl": ("paglilinis", "janitor"),
    },
    "hotel": {
        "en": ("hotel", "hotels"),
        "ja": ("ホテル", "旅館", "宿泊"),
        "vi": ("khách sạn",),
        "id": ("hotel", "perhotelan"),
        "tl": ("hotel", "otel"),
    },
}
TRADE_ALIASES = {"care": "caregiving", "factory": "manufacturing", "farming": "agriculture", "food": "food_service"}

# Places: cities and prefectures the platform's jobs are in, as the catalogue names them, and how they are written.
PLACES: dict[str, tuple[str, ...]] = {
    "Osaka": ("osaka", "大阪", "おおさか"),
    "Tokyo": ("tokyo", "東京", "とうきょう"),
    "Nagoya": ("nagoya", "名古屋", "なごや"),
    "Fukuoka": ("fukuoka", "福岡", "ふくおか"),
    "Kyoto": ("kyoto", "京都", "きょうと"),
    "Yokohama": ("yokohama", "横浜", "よこはま"),
    "Kobe": ("kobe", "神戸", "こうべ"),
    "Hiroshima": ("hiroshima", "広島", "ひろしま"),
    "Hokkaido": ("hokkaido", "北海道", "ほっかいどう"),
    "Sapporo": ("sapporo", "札幌", "さっぽろ"),
    "Sendai": ("sendai", "仙台", "せんだい"),
    "Aichi": ("aichi", "愛知", "あいち"),
    "Chiba": ("chiba", "千葉", "ちば"),
    "Saitama": ("saitama", "埼玉", "さいたま"),
    "Kanagawa": ("kanagawa", "神奈川", "かながわ"),
    "Shizuoka": ("shizuoka", "静岡", "しずおか"),
    "Hamamatsu": ("hamamatsu", "浜松", "はままつ"),
    "Okinawa": ("okinawa", "沖縄", "おきなわ"),
    "Kumamoto": ("kumamoto", "熊本", "くまもと"),
    "Niigata": ("niigata", "新潟", "にいがた"),
    "Nagano": ("nagano", "長野", "ながの"),
    "Gifu": ("gifu", "岐阜", "ぎふ"),
    "Mie": ("三重", "みえ"),
    "Nara": ("nara", "奈良", "なら"),
    "Hyogo": ("hyogo", "兵庫", "ひょうご"),
    "Kitakyushu": ("kitakyushu", "北九州", "きたきゅうしゅう"),
    "Toyota": ("toyota", "豊田", "とよた"),
    "Kawasaki": ("kawasaki", "川崎", "かわさき"),
    "Tochigi": ("tochigi", "栃木", "とちぎ"),
    "Ibaraki": ("ibaraki", "茨城", "いばらき"),
    "Gunma": ("gunma", "群馬", "ぐんま"),
    "Miyagi": ("miyagi", "宮城", "みやぎ"),
}
PLACE_ALIASES: dict[str, str] = {}

# Words that make an utterance a question about the caller's own applications.
STATUS: dict[str, tuple[str, ...]] = {
    "en": ("status", "my application", "my applications", "applied"),
    "ja": ("状況", "じょうきょう", "ステータス", "応募した", "結果"),
    "vi": ("hồ sơ", "trạng thái", "tình trạng"),
    "id": ("status", "lamaran saya", "lamaranku"),
    "tl": ("status", "aplikasyon ko"),
}

_INTENT_OF = {
    Kind.YES: "yes",
    Kind.NO: "no",
    Kind.STOP: "stop",
    Kind.NEXT: "next",
    Kind.REPEAT: "repeat",
    Kind.APPLY: "apply",
    Kind.SELECT: "select",
}

_VI_SOUNDS = (
    ("ngh", "ng"),
    ("kh", "k"),
    ("ph", "f"),
    ("gi", "z"),
    ("tr", "ch"),
    ("ch", "C"),  # kept apart from c/k while those merge
    ("q", "k"),
    ("c", "k"),
    ("C", "ch"),
    ("d", "z"),
)


@functools.cache
def _kakasi() -> Any:
    import pykakasi  # a 10 MB dictionary: loaded on first Japanese reading

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def key(text: str, language: str) -> str:
    """The comparable form of `text` (see the module docstring)."""
    if language == "ja":
        norm = commands.normalize(text, "ja")
        reading = "".join(part["hira"] or part["orig"] for part in _kakasi().convert(norm))
        reading = commands.normalize(reading, "ja")  # katakana left by pykakasi become hiragana
        return re.sub(r"[\sー]", "", reading)
    folded = commands.fold(commands.normalize(text, language))
    squeezed = re.sub(r"[\s\-']", "", folded)
    if language == "vi":
        for sound, same in _VI_SOUNDS:
            squeezed = squeezed.replace(sound, same)
        squeezed = squeezed.replace("y", "i")
    return squeezed


def max_edits(length: int, language: str = "") -> int:
    """How many edits a key of this length may be away and still count (kana are syllables: fewer)."""
    if language == "ja":
        return 0 if length < 4 else 1 if length < 7 else 2
    return 0 if length < 5 else 1 if length < 8 else 2


def _near(pattern: str, text: str) -> int:
    """Edits between `pattern` and its best-matching substring of `text` (Sellers' algorithm)."""
    previous = [0] * (len(text) + 1)
    for i, p in enumerate(pattern, 1):
        current = [i] + [0] * len(text)
        for j, t in enumerate(text, 1):
            current[j] = min(previous[j - 1] + (p != t), previous[j] + 1, current[j - 1] + 1)
        previous = current
    return min(previous)


def _exact(text: str, word: str, language: str) -> int:
    """Where `word` occurs as a whole word in the normalised text (Japanese: as a substring), or -1."""
    norm = commands.normalize(text, language)
    if language == "ja":
        return norm.find(commands.normalize(word, "ja"))
    target = commands.normalize(word, language)
    if language != "en":
        norm, target = commands.fold(norm), commands.fold(target)
    match = re.search(rf"(?<!\w){re.escape(target)}(?!\w)", norm)
    return -1 if match is None else match.start()


def _near_any(text: str, language: str, words: tuple[str, ...]) -> bool:
    """Whether one of `words` (long enough to be read loosely) is near a part of `text`.

    Not in English: tiny.en spells it well, and "happy" is one edit from "apply"."""
    if language == "en":
        return False
    text_key = key(text, language)
    for word in words:
        word_key = key(word, language)
        allowed = max_edits(len(word_key), language)
        if allowed and _near(word_key, text_key) <= allowed:
            return True
    return False


@dataclass(frozen=True)
class Found:
    value: str  # the catalogue's name (trade or place)
    word: str  # the word it was read as, in the transcript's language
    edits: int  # between the keys (0 = sounds the same)
    exact: bool = False  # spelled as in the catalogue, as a whole word


def find(text: str, catalogue: dict[str, tuple[str, ...]]) -> Found | None:
    """The catalogue entry `text` names, exactly (any language) or nearly (by key); the closest wins."""
    return _find(text, "", catalogue)


def _find(text: str, language: str, catalogue: dict[str, tuple[str, ...]]) -> Found | None:
    lang = language or "en"
    first: tuple[int, Found] | None = None  # several named ("福岡、名古屋…"): the first one said
    for value, words in catalogue.items():
        for word in words:
            at = _exact(text, word, lang)
            if at >= 0 and (first is None or at < first[0]):
                first = (at, Found(value, word, 0, exact=True))
    if first is not None:
        return first[1]
    text_key = key(text, lang)
    best: Found | None = None
    for value, words in catalogue.items():
        for word in words:
            if lang != "ja" and _is_japanese(word):
                continue
            word_key = key(word, lang)
            allowed = max_edits(len(word_key), lang)
            if not allowed or len(word_key) > len(text_key) + allowed:
                continue
            edits = _near(word_key, text_key)
            if edits <= allowed and (best is None or edits < best.edits):  # the closest; ties: the first
                best = Found(value, word, edits)
    return best


def _is_japanese(word: str) -> bool:
    return any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in word)


def trade(text: str, language: str) -> Found | None:
    """The trade `text` asks about, if any."""
    words = {name: forms.get(language, ()) + forms["en"] for name, forms in TRADES.items()}
    return _find(text, language, words)


def place(text: str, language: str) -> Found | None:
    """The place `text` names, if any."""
    names = {name: tuple(n for n in forms if language == "ja" or n.isascii()) for name, forms in PLACES.items()}
    return _find(text, language, names)


@dataclass(frozen=True)
class Reading:
    intent: str  # search_jobs, application_status, apply, select, next, repeat, stop, yes, no, other
    slots: dict[str, Any] = field(default_factory=dict)
    loose: tuple[Found, ...] = ()  # slots found only by a near match


def read(text: str, language: str) -> Reading:
    """Intent and slots of free speech or a command (not an answer to a confirmation: see `dialogue`)."""
    command = commands.read(text, language)
    # "Saya mau melamang pekerjaan kedua": an ordinal and an apply word one letter off is an application.
    if command is not None and not (command.kind is Kind.SELECT and _near_any(text, language, _apply_words(language))):
        return Reading(_INTENT_OF[command.kind], {} if command.index is None else {"job_index": command.index})
    # A question about one's applications may hold an apply word ("応募した仕事の状況は").
    status = STATUS.get(language, ())
    if any(_exact(text, w, language) >= 0 for w in status) or _near_any(text, language, status):
        return Reading("application_status")
    if commands.find(text, language, Kind.APPLY) or _near_any(text, language, _apply_words(language)):
        index = commands.item_index(text, language) or _near_index(text, language)
        return Reading("apply", {} if index is None else {"job_index": index})
    slots: dict[str, Any] = {}
    loose: list[Found] = []
    for name, found in (("trade", trade(text, language)), ("place", place(text, language))):
        if found is not None:
            slots[name] = found.value
            if not found.exact:
                loose.append(found)
    if slots:
        return Reading("search_jobs", slots, tuple(loose))
    near = _near_command(text, language)
    if near is not None:
        return near
    index = _near_index(text, language) if len(key(text, language)) <= 16 else None
    return Reading("other") if index is None else Reading("select", {"job_index": index})


def _apply_words(language: str) -> tuple[str, ...]:
    return commands.words_of(language)[Kind.APPLY]


def _near_index(text: str, language: str) -> int | None:
    """The list item a loosely heard ordinal points at ("Yang kati ga?" -> ketiga -> 3)."""
    for phrase, index in commands.ordinals_of(language):
        if _near_any(text, language, (phrase,)):
            return index
    return None


def _near_command(text: str, language: str) -> Reading | None:
    """A short utterance one edit from a non-consent command word ("Công" for "Không" is not read here:
    answers go through the gate), e.g. "Tiếp theo" heard as "Tiếp thêu"."""
    text_key = key(text, language)
    if not text_key or len(text_key) > 12:
        return None
    for kind in (Kind.NEXT, Kind.REPEAT, Kind.STOP):
        for word in commands.words_of(language)[kind]:
            word_key = key(word, language)
            allowed = max_edits(len(word_key), language)
            if allowed and _near(word_key, text_key) <= allowed and len(text_key) <= len(word_key) + 2:
                return Reading(_INTENT_OF[kind])
    return None


def for_agent(text: str, language: str) -> str:
    """What to forward to the agent's Chat: the transcript, plus the catalogue words read loosely."""
    loose = read(text, language).loose
    if not loose:
        return text
    return f"{text} ({', '.join(found.word for found in loose)})"
