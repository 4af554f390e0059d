"""The closed spoken command set, in English, Japanese, Vietnamese, Indonesian, Tagalog and Nepali.

These are the few words a voice interface must understand by itself, before
or without the agent: the answer to a confirmation (yes / no), "stop"
(barge-in by voice), "repeat", "next", and which item of a list was meant
("the second one", "二番目", "cái thứ hai", "yang kedua", "ang pangalawa",
"दोस्रो"). Everything else is free speech and goes to the agent's Chat as it
was heard.

Tagalog and Nepali callers often answer in English ("okay", "yes po",
"ok हुन्छ"), so the English words count in those two languages as well.
Nepali words are listed both in Devanagari and romanised ("ho", "hunchha"):
a recogniser writes either.

`JSGF_GRAMMAR` is the English form of the set for pocketsphinx, the fast
path: it decodes these commands in tens of milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

LANGUAGES = ("en", "ja", "vi", "id", "tl", "ne")

# Languages whose Latin-script words are matched with diacritics folded away.
_FOLDED = ("vi", "id", "tl", "ne")
# Languages in which the English command words count too.
_WITH_ENGLISH = ("tl", "ne")


class Kind(Enum):
    YES = "yes"
    NO = "no"
    STOP = "stop"
    REPEAT = "repeat"
    NEXT = "next"
    APPLY = "apply"  # apply [to item n]
    SELECT = "select"  # "the second one", "number two"


@dataclass(frozen=True)
class Command:
    kind: Kind
    index: int | None = None  # 1-based item of the list last read out; -1 = the last one


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def normalize(text: str, language: str) -> str:
    """Lower case, NFKC, punctuation removed; Latin-script diacritics kept (they carry meaning in vi).

    Japanese katakana become hiragana: a recogniser writes はい as ハイ as often as not.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    if language == "ja":
        text = _hiragana(text)
    # Letters, digits and combining marks stay (Devanagari vowel signs and virama are marks, not \w).
    text = "".join(c if c.isalnum() or c in "'_" or unicodedata.category(c)[0] == "M" else " " for c in text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """Diacritics removed (đ -> d), for matching Latin-script words a recogniser may spell loosely."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


# Words per language and command. Latin-script entries are matched as whole
# words on diacritic-folded text; Japanese entries as substrings.
_WORDS: dict[str, dict[Kind, tuple[str, ...]]] = {
    "en": {
        Kind.YES: ("yes", "yeah", "yep", "sure", "okay", "ok", "correct", "please do", "go ahead", "do it"),
        Kind.NO: ("no", "nope", "not now", "don't", "do not", "cancel", "never mind"),
        Kind.STOP: ("stop", "wait", "be quiet", "quiet", "pause"),
        Kind.REPEAT: ("repeat", "say that again", "again", "pardon"),
        Kind.NEXT: ("next", "more", "show more", "other jobs", "something else"),
        Kind.APPLY: ("apply",),
    },
    "ja": {
        Kind.YES: ("はい", "ええ", "うん", "そうです", "お願いします", "おねがいします", "おっけー"),
        Kind.NO: ("いいえ", "いや", "やめて", "やめます", "きゃんせる", "結構です", "けっこうです", "しません"),
        Kind.STOP: ("止めて", "とめて", "すとっぷ", "待って", "まって", "静かに"),
        Kind.REPEAT: ("もう一度", "もういちど", "繰り返して", "くりかえして"),
        Kind.NEXT: ("次", "つぎ", "他の", "ほかの", "もっと"),
        Kind.APPLY: ("応募", "おうぼ", "申し込", "もうしこ"),
    },
    "vi": {
        Kind.YES: ("có", "vâng", "dạ", "đúng", "đúng rồi", "đồng ý", "ừ", "ok", "được"),
        Kind.NO: ("không", "thôi", "hủy", "không cần", "đừng"),
        Kind.STOP: ("dừng", "dừng lại", "đợi", "chờ", "im"),
        Kind.REPEAT: ("nhắc lại", "lặp lại", "nói lại"),
        Kind.NEXT: ("tiếp", "tiếp theo", "khác", "thêm"),
        Kind.APPLY: ("ứng tuyển", "nộp đơn", "đăng ký"),
    },
    "id": {
        Kind.YES: ("ya", "iya", "betul", "benar", "setuju", "boleh", "oke", "ok", "tentu"),
        Kind.NO: ("tidak", "nggak", "enggak", "jangan", "batal", "tidak usah"),
        Kind.STOP: ("berhenti", "stop", "tunggu", "diam"),
        Kind.REPEAT: ("ulangi", "sekali lagi"),
        Kind.NEXT: ("berikutnya", "selanjutnya", "lainnya", "lagi", "yang lain"),
        Kind.APPLY: ("lamar", "melamar", "daftar", "mendaftar"),
    },
    "tl": {
        Kind.YES: ("oo", "opo", "oho", "oo po", "sige", "sige po", "tama", "tama po", "payag ako", "oke", "okey"),
        Kind.NO: ("hindi", "hindi po", "huwag", "wag", "huwag na", "wag na", "ayoko", "ayaw ko", "kanselahin"),
        Kind.STOP: ("tigil", "tumigil", "hinto", "teka", "sandali"),
        Kind.REPEAT: ("ulitin", "ulit", "pakiulit", "isa pa ulit"),
        Kind.NEXT: ("susunod", "iba pa", "iba naman", "marami pa"),
        Kind.APPLY: ("mag apply", "mag aplay", "aplay", "apply"),
    },
    "ne": {
        Kind.YES: (
            "हो",
            "हजुर",
            "हुन्छ",
            "ठीक छ",
            "ठिक छ",
            "ho",
            "hajur",
            "huncha",
            "hunchha",
            "hunxa",
            "thik cha",
            "thik chha",
        ),
        Kind.NO: (
            "होइन",
            "हैन",
            "हुँदैन",
            "हुदैन",
            "पर्दैन",
            "चाहिँदैन",
            "चाहिदैन",
            "नाइँ",
            "hoina",
            "haina",
            "hoena",
            "hudaina",
            "hundaina",
            "pardaina",
            "chahidaina",
            "nai",
        ),
        Kind.STOP: ("रोक्नुहोस्", "रोक", "पर्खनुहोस्", "पर्ख", "roka", "roknus", "parkhanus"),
        Kind.REPEAT: ("फेरि भन्नुहोस्", "फेरि", "दोहोर्याउनुहोस्", "pheri", "feri"),
        Kind.NEXT: ("अर्को", "अरू", "अरु", "arko", "aru"),
        Kind.APPLY: ("आवेदन", "निवेदन", "एप्लाई", "aavedan", "awedan", "nibedan", "apply"),
    },
}

# Ordinals and numbers that pick an item (1-based; -1 = last).
_ORDINALS: dict[str, tuple[tuple[str, int], ...]] = {
    "en": (
        ("first", 1),
        ("1st", 1),
        ("second", 2),
        ("2nd", 2),
        ("third", 3),
        ("3rd", 3),
        ("fourth", 4),
        ("4th", 4),
        ("fifth", 5),
        ("5th", 5),
        ("last", -1),
        ("number one", 1),
        ("number 1", 1),
        ("number two", 2),
        ("number 2", 2),
        ("number three", 3),
        ("number 3", 3),
        ("number four", 4),
        ("number 4", 4),
        ("number five", 5),
        ("number 5", 5),
    ),
    "ja": (
        ("一番目", 1),
        ("1番目", 1),
        ("いちばんめ", 1),
        ("最初", 1),
        ("さいしょ", 1),
        ("一つ目", 1),
        ("1つ目", 1),
        ("二番目", 2),
        ("2番目", 2),
        ("にばんめ", 2),
        ("二つ目", 2),
        ("2つ目", 2),
        ("三番目", 3),
        ("3番目", 3),
        ("さんばんめ", 3),
        ("三つ目", 3),
        ("3つ目", 3),
        ("四番目", 4),
        ("4番目", 4),
        ("五番目", 5),
        ("5番目", 5),
        ("最後", -1),
        ("さいご", -1),
    ),
    "vi": (
        ("đầu tiên", 1),
        ("thứ nhất", 1),
        ("số một", 1),
        ("số 1", 1),
        ("thứ hai", 2),
        ("số hai", 2),
        ("số 2", 2),
        ("thứ ba", 3),
        ("số ba", 3),
        ("số 3", 3),
        ("thứ tư", 4),
        ("số bốn", 4),
        ("số 4", 4),
        ("thứ năm", 5),
        ("số năm", 5),
        ("số 5", 5),
        ("cuối cùng", -1),
    ),
    "id": (
        ("pertama", 1),
        ("nomor satu", 1),
        ("nomor 1", 1),
        ("kedua", 2),
        ("nomor dua", 2),
        ("nomor 2", 2),
        ("ketiga", 3),
        ("nomor tiga", 3),
        ("nomor 3", 3),
        ("keempat", 4),
        ("nomor empat", 4),
        ("nomor 4", 4),
        ("kelima", 5),
        ("nomor lima", 5),
        ("nomor 5", 5),
        ("terakhir", -1),
    ),
    "tl": (
        ("una", 1),
        ("unang", 1),
        ("pang una", 1),
        ("numero uno", 1),
        ("numero isa", 1),
        ("pangalawa", 2),
        ("ikalawa", 2),
        ("numero dos", 2),
        ("numero dalawa", 2),
        ("pangatlo", 3),
        ("ikatlo", 3),
        ("numero tres", 3),
        ("numero tatlo", 3),
        ("pang apat", 4),
        ("ikaapat", 4),
        ("panglima", 5),
        ("ikalima", 5),
        ("huli", -1),
        ("huling", -1),
    ),
    "ne": (
        ("पहिलो", 1),
        ("पहिलोमा", 1),
        ("नम्बर एक", 1),
        ("pahilo", 1),
        ("दोस्रो", 2),
        ("दोस्रोमा", 2),
        ("नम्बर दुई", 2),
        ("dosro", 2),
        ("तेस्रो", 3),
        ("तेस्रोमा", 3),
        ("नम्बर तीन", 3),
        ("tesro", 3),
        ("चौथो", 4),
        ("chautho", 4),
        ("पाँचौं", 5),
        ("पाँचौँ", 5),
        ("panchau", 5),
        ("अन्तिम", -1),
        ("antim", -1),
    ),
}

# Question words: an utterance with one of these is a question, never a yes or a no.
_QUESTION_WORDS = {
    "en": {"how", "what", "where", "when", "why", "who", "which"},
    "id": {"berapa", "apa", "apakah", "mana", "kapan", "bagaimana", "kenapa", "mengapa", "siapa"},
    "tl": {"ano", "magkano", "bakit", "saan", "kailan", "paano", "sino", "ilan"},
    "ne": {fold(w) for w in ("के", "कति", "किन", "कहाँ", "कहिले", "कसरी", "ke", "kati", "kina", "kaha", "kasari")},
}

# The same, as phrases matched on the normalised text (Vietnamese with its tones, Japanese as substrings).
_QUESTION_PHRASES = {
    "vi": ("bao nhiêu", "ở đâu", "gì", "thế nào", "tại sao", "khi nào", "mấy", "sao"),
    "ja": ("いくら", "どこ", "なに", "なん", "いつ", "どう", "ですか", "ますか"),
}

# What the voice service forwards to the agent for a confirmed answer (in the agent's reply
# language: the agent answers in en, ja, vi and id, so a Tagalog "oo" is forwarded as "yes").
CANONICAL = {
    "en": {Kind.YES: "yes", Kind.NO: "no"},
    "ja": {Kind.YES: "はい", Kind.NO: "いいえ"},
    "vi": {Kind.YES: "có", Kind.NO: "không"},
    "id": {Kind.YES: "ya", Kind.NO: "tidak"},
}

SAY_YES_OR_NO = {
    "en": "Say yes or no.",
    "ja": "はい か いいえ で こたえて ください。",
    "vi": "Hãy nói có hoặc không.",
    "id": "Katakan ya atau tidak.",
    "tl": "Sabihin ang oo o hindi.",
    "ne": "हो वा होइन भन्नुहोस्।",
}

DID_NOT_CATCH = {
    "en": "Sorry, I did not catch that. Please say yes or no.",
    "ja": "すみません、ききとれませんでした。はい か いいえ で こたえて ください。",
    "vi": "Xin lỗi, tôi nghe không rõ. Hãy nói có hoặc không.",
    "id": "Maaf, saya tidak menangkapnya. Katakan ya atau tidak.",
    "tl": "Pasensya, hindi ko narinig nang malinaw. Sabihin ang oo o hindi.",
    "ne": "माफ गर्नुहोस्, मैले बुझिनँ। हो वा होइन भन्नुहोस्।",
}

CANCELLED = {
    "en": "Okay, I did nothing.",
    "ja": "わかりました。なにも していません。",
    "vi": "Được rồi, tôi không làm gì cả.",
    "id": "Baik, saya tidak melakukan apa pun.",
    "tl": "Sige, wala akong ginawa.",
    "ne": "ठीक छ, मैले केही गरिनँ।",
}


_WORD_CHAR = r"[\w\u0900-\u097f]"  # a word goes on through Devanagari marks


def _has(text: str, folded: str, phrase: str, language: str) -> bool:
    if language == "ja":
        return phrase in text
    target = fold(phrase) if language in _FOLDED else phrase
    haystack = folded if language in _FOLDED else text
    return re.search(rf"(?<!{_WORD_CHAR}){re.escape(target)}(?!{_WORD_CHAR})", haystack) is not None


def words_of(language: str) -> dict[Kind, tuple[str, ...]]:
    """The command words of `language` (with the English ones where they count)."""
    words = _WORDS.get(language, _WORDS["en"])
    if language in _WITH_ENGLISH:
        return {kind: phrases + _WORDS["en"][kind] for kind, phrases in words.items()}
    return words


def find(text: str, language: str, kind: Kind) -> bool:
    """Whether `text` contains a word for `kind` in `language`."""
    norm = normalize(text, language)
    phrases = words_of(language)[kind]
    if (language, kind) == ("vi", Kind.YES):
        # A Vietnamese yes keeps its tones: folded, "dạ" (yes) would match "đã" (already), "có" "cô" or "cỏ".
        return any(_has(norm, norm, phrase, "vi-toned") for phrase in phrases)
    folded = fold(norm)
    return any(_has(norm, folded, phrase, language) for phrase in phrases)


# A Vietnamese answer that is nothing but one of these, tones aside ("Cô" for "Có"), is a yes:
# short answers lose their tone most often, and alone these words answer nothing else.
_VI_YES_TONELESS = ("có", "vâng", "đồng ý", "đúng rồi")


def _found(text: str, language: str, kind: Kind) -> list[str]:
    """The phrases for `kind` that `text` contains."""
    norm = normalize(text, language)
    folded = fold(norm)
    return [phrase for phrase in words_of(language)[kind] if _has(norm, folded, phrase, language)]


def _opens_with_yes(norm: str, language: str) -> bool:
    if language == "vi" and fold(norm) in {fold(word) for word in _VI_YES_TONELESS}:
        return True
    for phrase in words_of(language)[Kind.YES]:
        if language == "ja":
            if norm.startswith(phrase):
                return True
            continue
        toned = language == "vi" or language not in _FOLDED
        text, target = (norm, phrase) if toned else (fold(norm), fold(phrase))
        if re.match(rf"{re.escape(target)}(?!{_WORD_CHAR})", text):
            return True
    return False


def ordinals_of(language: str) -> tuple[tuple[str, int], ...]:
    """The ordinals of `language` as (phrase, 1-based index; -1 = the last), English too where it counts."""
    ordinals = _ORDINALS.get(language, _ORDINALS["en"])
    return ordinals + _ORDINALS["en"] if language in _WITH_ENGLISH else ordinals


def item_index(text: str, language: str) -> int | None:
    """The list item `text` points at ("the second one" -> 2), if any."""
    norm = normalize(text, language)
    folded = fold(norm)
    best: tuple[int, int] | None = None  # (phrase length, index): the longest phrase wins
    for phrase, index in ordinals_of(language):
        if _has(norm, folded, phrase, language) and (best is None or len(phrase) > best[0]):
            best = (len(phrase), index)
    return None if best is None else best[1]


def yes_or_no(text: str, language: str) -> Kind | None:
    """YES, NO, or None when the answer is neither or both ("yes... no")."""
    norm = normalize(text, language)
    # Vietnamese "có ... không" is a question form, and "không" inside it is not a refusal.
    if language == "vi" and re.search(r"\bcó\b.*\bkhông\b", norm) and len(norm.split()) > 3:
        return None
    # A question is not an answer: Nepali "कति तलब हो?" (how much is the pay?) holds हो ("yes"/"is").
    if set(fold(norm).split()) & _QUESTION_WORDS.get(language, set()):
        return None
    asked = _QUESTION_PHRASES.get(language, ())
    if any(_has(norm, norm, phrase, "ja" if language == "ja" else "toned") for phrase in asked):
        return None
    # Consent opens the answer ("yes please", "はい、お願いします", "Vâng, đồng ý"): a yes word
    # further in ("Hap hajap di ya", Whisper's "Berapa gajinya?") is not one.
    yes = _opens_with_yes(norm, language)
    no = find(text, language, Kind.NO) or find(text, language, Kind.STOP)
    if language == "ja" and "いいえ" in norm:
        yes = False
    if yes == no:
        return None
    return Kind.YES if yes else Kind.NO


def read(text: str, language: str) -> Command | None:
    """The command a short utterance is, or None for free speech.

    Only short utterances are commands: "yes, and show me care jobs in
    Nagoya" is free speech for the agent.
    """
    norm = normalize(text, language)
    if not norm:
        return None
    size = len(norm) if language == "ja" else len(norm.split())
    if size > (14 if language == "ja" else 6):
        return None
    index = item_index(text, language)
    if find(text, language, Kind.APPLY):
        return Command(Kind.APPLY, index)
    answer = yes_or_no(text, language)
    if answer is not None:
        return Command(answer)
    # The longer phrase wins: Indonesian "sekali lagi" (repeat) holds "lagi" (more).
    found = [(len(phrase), kind) for kind in (Kind.NEXT, Kind.REPEAT) for phrase in _found(text, language, kind)]
    if found:
        return Command(max(found, key=lambda hit: hit[0])[1])
    if index is not None:
        return Command(Kind.SELECT, index)
    return None


JSGF_GRAMMAR = """#JSGF V1.0;
grammar commands;
public <command> = <yes> | <no> | <stop> | <repeat> | <next> | <apply> | <select>;
<yes> = yes [please] | yeah | yep | sure | okay | correct | go ahead;
<no> = no [thanks | thank you] | nope | not now | cancel | never mind;
<stop> = stop | wait;
<repeat> = repeat [that] | say that again | again;
<next> = next [one | job | jobs | please] | more [jobs] | show more;
<ordinal> = first | second | third | fourth | fifth | last;
<number> = one | two | three | four | five;
<apply> = apply [to] [the] [<ordinal> [one | job]] | apply [to] number <number>;
<select> = [the] <ordinal> [one | job] | number <number>;
"""
