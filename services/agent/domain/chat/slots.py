"""Slot filling by rules: which job (by its number in the last list), where, what trade, yes or no."""

from __future__ import annotations

import re

_ORDINALS = {
    1: r"first|1st|最初|一番目|1つ目|一つ目|đầu tiên|thứ nhất|pertama|una",
    2: r"second|2nd|二番目|2つ目|二つ目|thứ hai|kedua|ikalawa",
    3: r"third|3rd|三番目|3つ目|三つ目|thứ ba|ketiga|ikatlo",
    4: r"fourth|4th|四番目|4つ目|thứ tư|keempat",
    5: r"fifth|5th|五番目|5つ目|thứ năm|kelima",
}
_NUMBERED = re.compile(
    r"(?:job|no\.?|number|#|việc(?: làm)?(?: số)?|công việc(?: số)?|số|nomor|pekerjaan(?: nomor)?|lowongan(?: nomor)?"
    r"|trabaho)\s*#?\s*(\d{1,2})\b|(\d{1,2})\s*(?:番目?|つ目)",
    re.IGNORECASE,
)
_JOB_NAME = re.compile(r"employers/[0-9a-f-]{36}/jobs/[0-9a-f-]{36}")

PREFECTURES = {
    "JP-01": r"hokkaido|北海道",
    "JP-04": r"miyagi|sendai|宮城|仙台",
    "JP-11": r"saitama|埼玉",
    "JP-12": r"chiba|千葉",
    "JP-13": r"tokyo|東京|tô-ky-ô",
    "JP-14": r"kanagawa|yokohama|kawasaki|神奈川|横浜|川崎",
    "JP-15": r"niigata|新潟",
    "JP-20": r"nagano|長野",
    "JP-21": r"gifu|岐阜",
    "JP-22": r"shizuoka|hamamatsu|静岡|浜松",
    "JP-23": r"aichi|nagoya|toyota|愛知|名古屋|豊田",
    "JP-24": r"mie|三重",
    "JP-26": r"kyoto|京都",
    "JP-27": r"osaka|大阪|higashiosaka|東大阪",
    "JP-28": r"hyogo|kobe|兵庫|神戸",
    "JP-29": r"nara|奈良",
    "JP-34": r"hiroshima|広島",
    "JP-40": r"fukuoka|kitakyushu|福岡|北九州",
    "JP-43": r"kumamoto|熊本",
    "JP-47": r"okinawa|沖縄",
    "JP-09": r"tochigi|栃木",
    "JP-08": r"ibaraki|茨城",
    "JP-10": r"gunma|群馬",
}

# Trades: words in the platform's languages -> search keywords (Japanese first: most jobs are written in it).
TRADES: dict[str, tuple[str, tuple[str, ...]]] = {
    r"weld|溶接|hàn\b|\blas\b|hinang": ("welding", ("溶接", "weld")),
    r"care|nursing|介護|caregiver|điều dưỡng|chăm sóc|perawat|lansia|kaigo": ("care", ("介護", "care")),
    r"construct|建設|建築|xây dựng|konstruksi|scaffold|とび|鉄筋": ("construction", ("建設", "construction")),
    r"factory|manufactur|工場|製造|nhà máy|pabrik|pabrika": ("factory", ("製造", "factory")),
    r"food|食品|弁当|thực phẩm|makanan|pagkain": ("food", ("食品", "food")),
    r"clean|清掃|掃除|dọn|vệ sinh|kebersihan|paglilinis": ("cleaning", ("清掃", "cleaning")),
    r"cook|chef|kitchen|調理|料理|厨房|nấu ăn|đầu bếp|masak|tagaluto": ("cooking", ("調理", "cook")),
    r"farm|agricultur|農業|収穫|nông|pertanian|bukid": ("agriculture", ("農業", "farm")),
    r"software|engineer|developer|programm|エンジニア|開発|lập trình|pengembang|programmer": (
        "software",
        ("エンジニア", "software"),
    ),
    r"forklift|warehouse|倉庫|フォークリフト|kho|gudang|bodega": ("warehouse", ("倉庫", "warehouse")),
    r"hotel|宿泊|ホテル|khách sạn|perhotelan": ("hotel", ("ホテル", "hotel")),
}

_YES = re.compile(
    r"^\s*(?:yes|yeah|yep|ok(?:ay)?|sure|confirm(?:ed)?|do it|go ahead|please do|はい|ええ|お願いします|"
    r"お願い|いいです|ok です|có|vâng|đồng ý|được|ừ|ya|iya|boleh|setuju|oo|opo)\b[\s!.。！]*",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(?:no|nope|cancel|stop|don't|do not|いいえ|やめて|キャンセル|結構です|không|thôi|hủy|"
    r"tidak|jangan|batal|hindi)\b",
    re.IGNORECASE,
)


def job_index(text: str) -> int | None:
    """1-based position in the last list of jobs the user means, if any."""
    if m := _NUMBERED.search(text):
        return int(m.group(1) or m.group(2))
    for number, pattern in _ORDINALS.items():
        if re.search(pattern, text, re.IGNORECASE):
            return number
    return None


def job_name(text: str) -> str | None:
    m = _JOB_NAME.search(text)
    return m.group() if m else None


def prefecture(text: str) -> str | None:
    for code, pattern in PREFECTURES.items():
        if re.search(pattern, text, re.IGNORECASE):
            return code
    return None


def trade(text: str) -> tuple[str, tuple[str, ...]] | None:
    for pattern, value in TRADES.items():
        if re.search(pattern, text, re.IGNORECASE):
            return value
    return None


def is_yes(text: str) -> bool:
    return bool(_YES.match(text)) and not _NO.match(text)


def is_no(text: str) -> bool:
    return bool(_NO.match(text))
