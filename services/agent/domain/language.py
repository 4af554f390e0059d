"""Which language a text is in, from its script and a few very common words.

Enough to pick a reply language and tokenisation: Japanese (kana), Chinese
(Han without kana), Burmese and Nepali (their scripts), Vietnamese (its
diacritics), Indonesian, Tagalog, else English.
"""

from __future__ import annotations

import re

_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_MYANMAR = re.compile(r"[\u1000-\u109f]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
_WORDS = re.compile(r"[^\W\d_]+")
_VIETNAMESE_WORDS = {
    "xin",
    "chào",
    "tôi",
    "bạn",
    "việc",
    "làm",
    "không",
    "có",
    "được",
    "của",
    "và",
    "cho",
    "tìm",
    "cảm",
    "ơn",
    "anh",
    "chị",
    "em",
}
_INDONESIAN = {
    "saya",
    "dan",
    "yang",
    "di",
    "dengan",
    "untuk",
    "bekerja",
    "pengalaman",
    "tahun",
    "bisa",
    "ini",
    "apa",
    "ada",
    "tidak",
    "mau",
    "kerja",
    "lowongan",
    "pekerjaan",
    "melamar",
    "status",
    "lamaran",
    "cari",
    "carikan",
    "tolong",
    "bagaimana",
    "berapa",
    "sebagai",
    "memiliki",
    "bahasa",
    "aku",
    "kami",
}
_TAGALOG = {"ako", "ng", "sa", "mga", "nagtrabaho", "ang", "na", "ko", "ay", "bilang", "trabaho", "may", "po"}
_ENGLISH = {
    "the",
    "and",
    "i",
    "to",
    "of",
    "a",
    "in",
    "for",
    "my",
    "is",
    "with",
    "have",
    "job",
    "jobs",
    "work",
    "what",
    "how",
    "can",
    "apply",
    "please",
    "show",
    "find",
}


def detect(text: str) -> str:
    """A BCP 47 code: `ja`, `zh`, `my`, `ne`, `vi`, `id`, `tl` or `en`."""
    if _KANA.search(text):
        return "ja"
    if _MYANMAR.search(text):
        return "my"
    if _DEVANAGARI.search(text):
        return "ne"
    if _HAN.search(text):
        return "zh"
    words = [w.lower() for w in _WORDS.findall(text)]
    if _VIETNAMESE.search(text) or any(w in _VIETNAMESE_WORDS for w in words if not w.isascii()):
        return "vi"
    scores = {
        "id": sum(w in _INDONESIAN for w in words),
        "tl": sum(w in _TAGALOG for w in words),
        "en": sum(w in _ENGLISH for w in words),
    }
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0 else "en"
