"""A draft worker profile read from a résumé's text, each field with a confidence and evidence.

Rules do most of the work, because the values that matter here have fixed
shapes in every language: JLPT levels (`N3`, 日本語能力試験N2), statuses of
residence (特定技能1号, Specified Skilled Worker (i), Kỹ năng đặc định),
dates (2019年4月, 04/2019, tháng 4/2019, April 2019), phone numbers and
Japanese addresses (〒, 都道府県). Labels (`氏名`, `Name:`, `Họ và tên`,
`Nama`) say where names, nationality and birth dates are. Section headings
(職歴, Work experience, Kinh nghiệm, Pengalaman kerja ...) say which dated
lines are jobs and which are schools. Company names come from their legal
forms (株式会社, Co., Ltd., Công ty, PT), not from a named-entity model,
which mislabels them (and JLPT levels) in Japanese. A named-entity model
(`PersonFinder`, ja-ginza) only proposes a person's name when no label
gives one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from services.agent.domain.language import detect
from services.agent.domain.skill_rules import SSW_FIELDS

# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    page: int  # 1-based
    start: int
    end: int
    quote: str


@dataclass
class Field:
    """One value of the draft: a dotted field path, its value, confidence and evidence."""

    path: str
    value: object
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    start: tuple[int, int] | None  # (year, month); month 0 if unknown
    end: tuple[int, int] | None  # None while current


@dataclass(frozen=True)
class Job:
    employer: str
    title: str
    period: Period
    description: str = ""


@dataclass(frozen=True)
class School:
    institution: str
    qualification: str
    year: int


@dataclass(frozen=True)
class Language:
    code: str
    proficiency: str  # BASIC, CONVERSATIONAL, BUSINESS, NATIVE or ""
    jlpt: str  # N1..N5 or ""


@dataclass(frozen=True)
class Licence:
    kind: str  # FORKLIFT, DRIVING, WELDING, CRANE, CARE, SSW_SKILLS_TEST, OTHER
    name: str
    year: int


@dataclass
class Draft:
    language: str
    page_count: int
    fields: list[Field] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def get(self, path: str) -> Field | None:
        return next((f for f in self.fields if f.path == path), None)

    def values(self, prefix: str) -> list[object]:
        return [f.value for f in self.fields if f.path.startswith(prefix + "[")]


# --- the text, with positions ------------------------------------------------------


@dataclass(frozen=True)
class Line:
    page: int
    start: int  # offset in the page text
    text: str

    def evidence(self, start: int = 0, end: int | None = None) -> Evidence:
        end = len(self.text) if end is None else end
        return Evidence(self.page, self.start + start, self.start + end, self.text[start:end])


def lines_of(pages: list[str]) -> list[Line]:
    out = []
    for number, page in enumerate(pages, 1):
        offset = 0
        for raw in page.split("\n"):
            if raw.strip():
                lead = len(raw) - len(raw.lstrip())
                out.append(Line(number, offset + lead, raw.strip()))
            offset += len(raw) + 1
    return out


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# --- vocabularies ------------------------------------------------------------------

_LABEL_SEP = r"\s*[:：]?\s*"
NAME_LABELS = r"(?:氏\s*名|名\s*前|full name|name|họ và tên|họ tên|tên|nama lengkap|nama|pangalan|buong pangalan)"
NATIONALITY_LABELS = r"(?:国\s*籍|nationality|quốc tịch|kewarganegaraan|nasionalitas|nasyonalidad)"
BIRTH_LABELS = r"(?:生年月日|date of birth|birth ?date|born|ngày sinh|tanggal lahir|petsa ng kapanganakan)"
ADDRESS_LABELS = r"(?:現住所|住\s*所|address|địa chỉ|alamat|tirahan)"
VISA_LABELS = (
    r"(?:在留資格|status of residence|visa(?: status)?|residence status|tư cách lưu trú|loại visa|status visa"
    r"|status tinggal)"
)

NATIONALITIES = {
    "VN": r"ベトナム|vietnam(?:ese)?|việt nam",
    "ID": r"インドネシア|indonesia(?:n)?",
    "PH": r"フィリピン|philippines|filipino|pilipino|pilipinas",
    "NP": r"ネパール|nepal(?:i|ese)?",
    "MM": r"ミャンマー|myanmar|burmese",
    "CN": r"中国|china|chinese",
    "JP": r"日本(?!語)|japan(?:ese)?(?! language)",
    "TH": r"タイ(?!ル)|thailand|thai",
    "LK": r"スリランカ|sri lanka(?:n)?",
}

LANGUAGES = {
    "ja": r"日本語|japanese|tiếng nhật|bahasa jepang|nihongo|wikang hapon",
    "en": r"英語|english|tiếng anh|bahasa inggris|ingles",
    "vi": r"ベトナム語|vietnamese|tiếng việt|bahasa vietnam",
    "id": r"インドネシア語|indonesian|bahasa indonesia",
    "tl": r"タガログ語|フィリピノ語|tagalog|filipino",
    "zh": r"中国語|chinese|mandarin|tiếng trung|bahasa mandarin",
    "ne": r"ネパール語|nepali",
    "my": r"ミャンマー語|burmese|myanmar language",
    "ko": r"韓国語|korean|tiếng hàn",
    "jv": r"ジャワ語|javanese|bahasa jawa",
}

PROFICIENCY = (
    ("NATIVE", r"母国語|母語|ネイティブ|native|mother tongue|bản ngữ|tiếng mẹ đẻ|bahasa ibu|katutubo"),
    ("BUSINESS", r"ビジネス|流暢|fluent|business|thành thạo|lưu loát|fasih|lancar"),
    ("CONVERSATIONAL", r"日常会話|conversational|intermediate|giao tiếp|trung cấp|percakapan|menengah"),
    ("BASIC", r"初級|基礎|basic|beginner|elementary|cơ bản|sơ cấp|dasar|pemula"),
)

# Status of residence, most specific first. Values are VisaStatus enum names.
VISAS = (
    (
        "SSW_2",
        r"特定技能\s*2\s*号|特定技能\s*[(（]?\s*ii\s*[)）]?|specified skilled worker\s*\(?\s*(?:ii"
        r"|2)\s*\)?|\bSSW\s*-?\s*(?:\(?ii\)?|2)(?![\d])|kỹ năng đặc định\s*(?:số\s*)?2|tokutei ginou\s*2",
    ),
    (
        "SSW_1",
        r"特定技能\s*1\s*号|特定技能(?!\s*2)|specified skilled worker\s*\(?\s*(?:i|1)?\s*\)?"
        r"|\bSSW\s*-?\s*(?:\(?i\)?|1)?(?![\dI])|kỹ năng đặc định|tokutei ginou|pekerja berketerampilan spesifik",
    ),
    (
        "TECHNICAL_INTERN",
        r"技能実習|technical intern(?:ship)?(?: training)?|thực tập sinh(?: kỹ năng)?|magang(?: teknis)?|ginou jisshu",
    ),
    (
        "ENGINEER_SPECIALIST",
        r"技術・人文知識・国際業務|技人国|engineer\s*/\s*specialist"
        r"|engineer,? specialist in humanities|kỹ sư|visa kerja insinyur",
    ),
    ("PERMANENT_RESIDENT", r"永住者|permanent resident|vĩnh trú|penduduk tetap"),
    (
        "SPOUSE_OR_CHILD",
        r"日本人の配偶者等|永住者の配偶者等|spouse (?:or child )?of (?:a )?japanese|vợ/chồng người nhật",
    ),
    ("LONG_TERM_RESIDENT", r"定住者|long[- ]term resident|định cư"),
    ("STUDENT", r"留学|student visa|\bstudent\b|du học sinh|visa pelajar|\bpelajar\b"),
)

LICENCES = (
    ("FORKLIFT", r"フォークリフト|fork ?lift|xe nâng"),
    ("CRANE", r"クレーン|玉掛け|crane|slinging|cần cẩu|cẩu trục|móc cáp|derek"),
    ("WELDING", r"溶接|welding|welder|\bAWS\b|ISO ?9606|hàn|\blas\b|pengelasan"),
    (
        "CARE",
        r"介護福祉士|初任者研修|実務者研修|介護技能評価|nursing care|caregiver|care worker|kaigo|điều dưỡng|perawat|"
        r"caregiving|perawatan lansia",
    ),
    (
        "SSW_SKILLS_TEST",
        r"特定技能評価試験|技能測定試験|日本語評価試験|skills? (?:evaluation "
        r"|proficiency )?test|kỳ thi kỹ năng|ujian keterampilan",
    ),
    (
        "DRIVING",
        r"運転免許|普通自動車|driving licen[cs]e|driver'?s licen[cs]e"
        r"|bằng lái|giấy phép lái xe|\bSIM\s*[ABC]\b|lisensya",
    ),
    ("OTHER", r"食品衛生責任者|調理師|food hygiene|vệ sinh thực phẩm|sertifikat|certificate|chứng chỉ|免許|資格"),
)
_LICENCE_WORDS = re.compile(
    r"免許|資格|技能講習|修了|合格|取得|評価試験|研修|licen[cs]e|certif|qualified|passed|chứng chỉ|bằng|giấy phép|"
    r"sertifikat|lisensi|\bSIM\b|lisensya|sertipiko",
    re.IGNORECASE,
)

SECTIONS = (
    (
        "experience",
        r"職\s*歴|職務経歴|work (?:experience|history)|employment(?: history)?|experience|kinh nghiệm(?: làm việc)?"
        r"|quá trình làm việc|pengalaman(?: kerja)?|riwayat pekerjaan|karanasan sa trabaho",
    ),
    (
        "education",
        r"学\s*歴|education|học vấn|trình độ học vấn|quá trình học tập|pendidikan|riwayat pendidikan|edukasyon",
    ),
    (
        "licences",
        r"免許\s*[・/]?\s*資格|資\s*格|licen[cs]es?|certifications?|certificates?"
        r"|qualifications|chứng chỉ|bằng cấp|sertifikat|lisensi|mga sertipiko",
    ),
    ("languages", r"語\s*学|言語|languages?|ngôn ngữ|ngoại ngữ|bahasa|mga wika"),
    ("skills", r"スキル|技能|skills|kỹ năng|keterampilan|keahlian|kasanayan"),
    (
        "personal",
        r"個人情報|基本情報|personal (?:information|details)"
        r"|thông tin cá nhân|data (?:diri|pribadi)|personal na impormasyon",
    ),
    ("summary", r"自己PR|志望動機|summary|profile|objective|giới thiệu bản thân|mục tiêu|ringkasan|tentang saya"),
)
# A heading is a short line that starts with a section's word ("Licenses and certifications", "職歴").
_HEADINGS = [
    (
        name,
        re.compile(
            rf"^\s*(?:[■●◆▶#*\-]\s*)?(?:{pattern})(?:\s+(?:and|&|và|dan|at)\s+[\w ]{{1,30}})?"
            rf"\s*[:：]?\s*$",
            re.IGNORECASE,
        ),
    )
    for name, pattern in SECTIONS
]

COMPANY = re.compile(
    r"(?:株式会社|有限会社|合同会社|社会福祉法人|医療法人|学校法人|一般社団法人|\(株\)|（株）)\s*[^\s、,，()（）]{1,30}|[^\s、,，()（）]{1,30}\s*(?:株式会社|有限会社|合同会社|\(株\)|（株）)"
    r"|(?:Công ty|Cty|CÔNG TY)\s+[^,，;|–—]{2,60}?(?=\s*[,，;|–—]|\s+-\s|$)"
    r"|\bPT\.?\s+[A-Z][^,，;|–—]{2,50}?(?=\s*[,，;|–—]|\s+-\s|$)"
    r"|[A-Z][\w&.'-]*(?:\s+[A-Z&][\w&.'-]*){0,5},?\s+(?:Co\.,?\s*Ltd\.?|Inc\.?|Corp(?:oration)?\.?|Ltd\.?|LLC|JSC|K\.K\.)",
)
SCHOOL = re.compile(
    r"大学|高等学校|高校|専門学校|日本語学校|学院|university|college|school|institute|academy|"
    r"trường|đại học|cao đẳng|universitas|sekolah|SMK|SMA|politeknik|akademi|paaralan|unibersidad",
    re.IGNORECASE,
)

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            "",
            "jan|january|januari",
            "feb|february|februari",
            "mar|march|maret",
            "apr|april",
            "may|mei",
            "jun|june|juni",
            "jul|july|juli",
            "aug|august|agustus",
            "sep|sept|september",
            "oct|october|oktober",
            "nov|november|nopember",
            "dec|december|desember",
        ]
    )
    for m in names.split("|")
    if m
}
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NOW = r"現在|現職|至現在|present|now|current|hiện tại|nay|đến nay|sekarang|saat ini|kasalukuyan"
_DATE = (
    rf"(?:(?P<y1>(?:19|20)\d\d)\s*年\s*(?P<m1>\d{{1,2}})\s*月"
    rf"|(?:tháng|th\.?)\s*(?P<m2>\d{{1,2}})\s*[/.\-]\s*(?P<y2>(?:19|20)\d\d)"
    rf"|(?P<m3>\d{{1,2}})\s*[/.\-]\s*(?P<y3>(?:19|20)\d\d)"
    rf"|(?P<y4>(?:19|20)\d\d)\s*[/.\-]\s*(?P<m4>\d{{1,2}})(?![\d])"
    rf"|(?P<mw>{_MONTH_WORD})\.?\s+(?P<y5>(?:19|20)\d\d)"
    rf"|(?P<y6>(?:19|20)\d\d)\s*年?)"
)
DATE = re.compile(_DATE, re.IGNORECASE)
PERIOD = re.compile(
    rf"(?P<a>{_DATE.replace('?P<', '?P<a_')})\s*(?:[~〜～\-–—]|to|until|đến|sampai|hingga|hanggang)\s*"
    rf"(?P<b>{_DATE.replace('?P<', '?P<b_')}|{_NOW})",
    re.IGNORECASE,
)

PHONE = re.compile(
    r"(?<![\d+])(?:\+\d{1,3}[\s\-]?\(?0?\)?[\d\s\-]{7,14}\d|0\d{1,4}[\-\s]\d{1,4}[\-\s]\d{3,4}|0[789]0\d{8})(?!\d)"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
POSTCODE = re.compile(r"〒?\s*\d{3}-\d{4}")
PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|新潟県|富山県|"
    "石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|奈良県|和歌山県|鳥取県|島根県|"
    "岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
JP_ADDRESS = re.compile(rf"(?:〒\s*\d{{3}}-\d{{4}}\s*)?(?:{PREFECTURES})[^\s、,，]{{2,40}}")
JLPT = re.compile(
    r"(?:JLPT|日本語能力試験|Japanese[- ]Language Proficiency Test|N(?:ihongo )?N(?:ō|o)ryoku Shiken)?"
    r"\s*[(（:：]?\s*(?<![A-Za-z0-9])(?P<level>N[1-5])(?![A-Za-z0-9])|(?P<kanji>[1-5一二三四五])\s*級",
    re.IGNORECASE,
)

# --- the parser ---------------------------------------------------------------------

PersonFinder = Callable[[str], list[tuple[int, int]]]
# A line that is only a name in Japanese script: katakana with ・ or spaces, or kanji family + given name.
_JA_NAME = re.compile(
    r"^(?:[\u30a0-\u30ffー]+(?:[・=＝\s　][\u30a0-\u30ffー]+)+|[\u4e00-\u9fff]{1,4}[\s　][\u4e00-\u9fff]{1,4})$"
)


def _search(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.IGNORECASE)


def _labelled(line: Line, labels: str) -> tuple[int, str] | None:
    """(offset, value) of `Label: value` on a line, if the line starts with one of `labels`."""
    match = re.match(rf"^\s*(?:{labels}){_LABEL_SEP}(?P<value>.+)$", line.text, re.IGNORECASE)
    if not match or not match.group("value").strip():
        return None
    return match.start("value"), match.group("value").strip()


def _date(match: re.Match[str], prefix: str = "") -> tuple[int, int] | None:
    g = match.groupdict()
    for y, m in (("y1", "m1"), ("y2", "m2"), ("y3", "m3"), ("y4", "m4")):
        if g.get(prefix + y):
            month = int(g[prefix + m])
            return int(g[prefix + y]), month if 1 <= month <= 12 else 0
    if g.get(prefix + "y5"):
        return int(g[prefix + "y5"]), _MONTHS.get(g[prefix + "mw"].lower().rstrip("."), 0)
    if g.get(prefix + "y6"):
        return int(g[prefix + "y6"]), 0
    return None


def phone_e164(text: str, default_country: str = "81") -> str:
    """+<country><number>; a leading 0 is a Japanese trunk prefix unless a country code is given."""
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("+"):
        rest = digits[1:]
        cc_len = (
            2
            if rest[:2] in ("81", "84", "62", "63", "86", "95", "66", "94", "82", "65")
            else 3
            if rest[:3] == "977"
            else 1
            if rest[:1] == "1"
            else 2
        )
        country, national = rest[:cc_len], rest[cc_len:]
        return "+" + country + national.lstrip("0")
    return "+" + default_country + digits.lstrip("0")


class ResumeParser:
    """Turns résumé pages into a `Draft`. `people` proposes person-name spans (ja-ginza) when given."""

    def __init__(self, people: PersonFinder | None = None) -> None:
        self.people = people

    def warm_up(self) -> None:
        """Load the named-entity model before the first résumé needs it."""
        if self.people:
            self.people("山田太郎")

    def parse(self, pages: list[str]) -> Draft:
        text = "\n".join(pages)
        draft = Draft(language=detect(text), page_count=len(pages))
        lines = [Line(ln.page, ln.start, ln.text) for ln in lines_of(pages)]
        sections = self._sections(lines)
        self._name(lines, draft)
        self._contact(lines, draft)
        self._nationality_birth(lines, draft)
        self._languages(lines, draft)
        self._visa(lines, draft)
        self._licences(lines, sections, draft)
        self._history(lines, sections, draft)
        return draft

    # sections ----------------------------------------------------------------

    @staticmethod
    def _sections(lines: list[Line]) -> list[str]:
        """The section each line belongs to ("" before the first heading)."""
        current, out = "", []
        for line in lines:
            heading = next((name for name, pattern in _HEADINGS if pattern.match(_nfkc(line.text))), None)
            if heading:
                current = heading
                out.append("heading")
            else:
                out.append(current)
        return out

    # personal data -------------------------------------------------------------

    def _name(self, lines: list[Line], draft: Draft) -> None:
        for line in lines[:40]:
            found = _labelled(line, NAME_LABELS)
            if found:
                offset, value = found
                value = re.split(
                    r"\s{2,}|\t|[|｜]|\s*(?:性別|sex|gender|giới tính|jenis kelamin)\b", value, flags=re.IGNORECASE
                )[0].strip()
                if 1 < len(value) <= 60 and not re.search(r"[@\d]", value):
                    draft.fields.append(
                        Field("display_name", value, 0.95, [line.evidence(offset, offset + len(value))])
                    )
                    return
        japanese = draft.language == "ja"
        if japanese:
            for line in lines[:5]:
                if _JA_NAME.match(line.text):
                    draft.fields.append(Field("display_name", line.text, 0.75, [line.evidence()]))
                    return
        if self.people and japanese:
            head = lines[:15]
            text = "\n".join(line.text for line in head)
            for start, end in self.people(text):
                where, offset = self._locate(head, start)
                if where is not None:
                    value = text[start:end].strip()
                    # The model often stops inside a foreign name written in katakana
                    # (グエン・ヴァン|・アン): a short line holding the span is the name.
                    if len(where.text) <= 24 and not re.search(r"[\d:：@]", where.text):
                        value, offset = where.text, 0
                    draft.fields.append(
                        Field("display_name", value, 0.65, [where.evidence(offset, offset + len(value))])
                    )
                    return
        for line in lines[:5]:
            candidate = line.text.strip()
            words = candidate.split()
            if (
                2 <= len(words) <= 5
                and not re.search(r"[\d@:：/]", candidate)
                and all(w[:1].isupper() for w in words)
                and not any(p.match(candidate) for _, p in _HEADINGS)
                and not re.search(
                    r"curriculum|vitae|resume|résumé|履歴書|sơ yếu|lý lịch|daftar riwayat", candidate, re.IGNORECASE
                )
            ):
                draft.fields.append(Field("display_name", candidate, 0.7, [line.evidence()]))
                return

    @staticmethod
    def _locate(lines: list[Line], offset: int) -> tuple[Line | None, int]:
        position = 0
        for line in lines:
            if position <= offset < position + len(line.text) + 1:
                return line, offset - position
            position += len(line.text) + 1
        return None, 0

    @staticmethod
    def _contact(lines: list[Line], draft: Draft) -> None:
        for line in lines:
            if draft.get("email") is None and (m := EMAIL.search(line.text)):
                draft.fields.append(Field("email", m.group().lower(), 0.97, [line.evidence(m.start(), m.end())]))
            if draft.get("phone") is None and (m := PHONE.search(_nfkc(line.text))):
                if not PERIOD.search(line.text) and not re.search(r"生年月日|birth|ngày sinh|lahir", line.text, re.I):
                    draft.fields.append(Field("phone", phone_e164(m.group()), 0.9, [line.evidence(m.start(), m.end())]))
            if draft.get("address") is None:
                labelled = _labelled(line, ADDRESS_LABELS)
                jp = JP_ADDRESS.search(line.text)
                if jp:
                    draft.fields.append(
                        Field("address", jp.group().strip(), 0.9, [line.evidence(jp.start(), jp.end())])
                    )
                elif labelled:
                    offset, value = labelled
                    draft.fields.append(Field("address", value, 0.8, [line.evidence(offset, offset + len(value))]))

    @staticmethod
    def _nationality_birth(lines: list[Line], draft: Draft) -> None:
        for line in lines:
            if draft.get("nationality") is None and (found := _labelled(line, NATIONALITY_LABELS)):
                offset, value = found
                for code, pattern in NATIONALITIES.items():
                    if m := _search(pattern, value):
                        draft.fields.append(
                            Field("nationality", code, 0.95, [line.evidence(offset + m.start(), offset + m.end())])
                        )
                        break
            if draft.get("birth_date") is None and (found := _labelled(line, BIRTH_LABELS)):
                offset, value = found
                m = re.search(r"((?:19|20)\d\d)\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})", value) or re.search(
                    r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*((?:19|20)\d\d)", value
                )
                if m:
                    a, b, c = (int(x) for x in m.groups())
                    y, mo, d = (a, b, c) if a > 1900 else (c, b, a)  # day-first outside Japan's order
                    if 1 <= mo <= 12 and 1 <= d <= 31:
                        draft.fields.append(
                            Field("birth_date", (y, mo, d), 0.9, [line.evidence(offset + m.start(), offset + m.end())])
                        )

    # languages and JLPT ---------------------------------------------------------------

    @staticmethod
    def _languages(lines: list[Line], draft: Draft) -> None:
        found: dict[str, tuple[Language, float, list[Evidence]]] = {}
        for line in lines:
            text = line.text
            for code, pattern in LANGUAGES.items():
                for m in re.finditer(pattern, text, re.IGNORECASE):
                    # "Japanese" in "Japanese Language School" or a company name is not a language skill.
                    if code == "ja" and SCHOOL.search(text[m.end() : m.end() + 12]):
                        continue
                    window = text[m.start() : m.start() + 60]
                    proficiency = next((name for name, p in PROFICIENCY if _search(p, window)), "")
                    jlpt = ""
                    if code == "ja":
                        level = JLPT.search(text)
                        if level:
                            jlpt = (level.group("level") or "").upper() or _kanji_level(level.group("kanji"))
                    previous = found.get(code)
                    language = Language(
                        code,
                        proficiency or (previous[0].proficiency if previous else ""),
                        jlpt or (previous[0].jlpt if previous else ""),
                    )
                    evidence = [*(previous[2] if previous else []), line.evidence(m.start(), m.end())]
                    confidence = 0.9 if (proficiency or jlpt) else 0.75
                    found[code] = (language, max(confidence, previous[1] if previous else 0.0), evidence[:3])
                    break
            # A JLPT level with no language word on its line ("N3 合格", "JLPT N2").
            level = JLPT.search(text)
            if level and (level.group("level") or re.search(r"日本語|JLPT|能力試験", text)):
                if re.search(
                    r"JLPT|日本語|能力試験|Japanese|tiếng Nhật|bahasa Jepang|合格|passed|đỗ|lulus|level",
                    text,
                    re.IGNORECASE,
                ):
                    jlpt = (level.group("level") or "").upper() or _kanji_level(level.group("kanji"))
                    previous = found.get("ja")
                    language = Language("ja", previous[0].proficiency if previous else "", jlpt)
                    evidence = [*(previous[2] if previous else []), line.evidence(level.start(), level.end())]
                    found["ja"] = (language, 0.95, evidence[:3])
        for index, (language, confidence, evidence) in enumerate(found.values()):
            draft.fields.append(Field(f"languages[{index}]", language, confidence, evidence))

    # status of residence --------------------------------------------------------------

    @staticmethod
    def _visa(lines: list[Line], draft: Draft) -> None:
        best: tuple[int, str, float, Line, re.Match[str]] | None = None
        for line in lines:
            labelled = _labelled(line, VISA_LABELS)
            text = labelled[1] if labelled else line.text
            offset = labelled[0] if labelled else 0
            for rank, (status, pattern) in enumerate(VISAS):
                m = re.search(pattern, text, re.IGNORECASE)
                if not m:
                    continue
                if status == "STUDENT" and not labelled and "留学" not in m.group():
                    continue  # "student" in a sentence is not a status unless labelled
                # A labelled line wins over a mention; among mentions, the most specific status.
                score = (0 if labelled else 100) + rank
                if best is None or score < best[0]:
                    match = re.search(pattern, line.text[offset:], re.IGNORECASE)
                    assert match is not None
                    best = (score, status, 0.95 if labelled else 0.8, line, match)
                break
        if best is None:
            return
        _, status, confidence, line, m = best
        offset = line.text.find(m.group())
        draft.fields.append(Field("visa_status", status, confidence, [line.evidence(offset, offset + len(m.group()))]))
        if status in ("SSW_1", "SSW_2"):
            # The field is named on the status line, or else wherever the résumé names one.
            for candidate in [line, *lines]:
                for field_pattern, name in SSW_FIELDS:
                    if f := field_pattern.search(candidate.text):
                        draft.fields.append(
                            Field(
                                "ssw_field",
                                name,
                                0.85 if candidate is line else 0.6,
                                [candidate.evidence(f.start(), f.end())],
                            )
                        )
                        return

    # licences ---------------------------------------------------------------------------

    @staticmethod
    def _licences(lines: list[Line], sections: list[str], draft: Draft) -> None:
        seen: set[str] = set()
        index = 0
        for line, section in zip(lines, sections, strict=True):
            if section != "licences" and not _LICENCE_WORDS.search(line.text):
                continue
            if section in ("experience", "education") and not _LICENCE_WORDS.search(line.text):
                continue
            for kind, pattern in LICENCES:
                m = re.search(pattern, line.text, re.IGNORECASE)
                if not m or kind in seen:
                    continue
                if kind == "OTHER" and section != "licences":
                    continue
                if (
                    kind == "SSW_SKILLS_TEST"
                    or (kind != "OTHER" and section == "licences")
                    or _LICENCE_WORDS.search(line.text)
                ):
                    year = re.search(r"(?:19|20)\d\d", line.text)
                    name = (
                        re.sub(
                            r"^\s*(?:(?:19|20)\d\d\s*(?:年\s*(?:\d{1,2}\s*月)?|[/.\-]\s*\d{1,2})?\s*[:：\-–]?\s*)",
                            "",
                            line.text,
                        ).strip()
                        or line.text
                    )
                    draft.fields.append(
                        Field(
                            f"licences[{index}]",
                            Licence(kind, name[:200], int(year.group()) if year else 0),
                            0.9 if section == "licences" else 0.75,
                            [line.evidence()],
                        )
                    )
                    seen.add(kind)
                    index += 1
                    break

    # work history and education -------------------------------------------------------------

    @staticmethod
    def _history(lines: list[Line], sections: list[str], draft: Draft) -> None:
        jobs = schools = 0
        for line, section in zip(lines, sections, strict=True):
            text = _nfkc(line.text)
            period = PERIOD.search(text)
            single = None if period else DATE.search(text)
            if not period and not single:
                continue
            rest_start = (period or single).end()  # type: ignore[union-attr]
            rest = text[rest_start:].strip(" :：\t-–—|,、")
            before = text[: (period or single).start()].strip(" :：\t-–—|,、")  # type: ignore[union-attr]
            body = rest or before
            if not body:
                continue
            is_school = section == "education" or (section != "experience" and SCHOOL.search(body))
            if section in ("licences", "languages") or _LICENCE_WORDS.search(body) and section != "experience":
                continue
            if is_school and section != "experience":
                year = _year_of(period, single)
                institution, qualification = _split_role(body)
                draft.fields.append(
                    Field(f"education[{schools}]", School(institution, qualification, year), 0.8, [line.evidence()])
                )
                schools += 1
                continue
            if section != "experience" and not COMPANY.search(body):
                continue
            start = _date(period, "a_") if period else (_date(single) if single else None)
            end: tuple[int, int] | None = None
            if period:
                end = None if re.fullmatch(_NOW, period.group("b").strip(), re.IGNORECASE) else _date(period, "b_")
            company = COMPANY.search(body)
            if company:
                employer = company.group().strip(" ,，")
                title = (body[: company.start()] + " " + body[company.end() :]).strip(" ,，:：\t-–—|/、")
            else:
                employer, title = _split_role(body)
            title = re.sub(r"^(?:as|sebagai|làm|vị trí|bilang|として)\s+", "", title, flags=re.IGNORECASE)
            title = re.sub(r"\s*(?:入社|退社|入職|退職|として勤務|勤務)\s*$", "", title)
            confidence = 0.9 if company and title else 0.7
            draft.fields.append(
                Field(
                    f"experience[{jobs}]", Job(employer, title or "", Period(start, end)), confidence, [line.evidence()]
                )
            )
            jobs += 1


def _split_role(body: str) -> tuple[str, str]:
    parts = [p.strip() for p in re.split(r"\s*(?:[,，|｜/／–—]|\s-\s|　|\s{2,})\s*", body, maxsplit=1) if p.strip()]
    return (parts[0], parts[1]) if len(parts) > 1 else (parts[0] if parts else "", "")


def _year_of(period: re.Match[str] | None, single: re.Match[str] | None) -> int:
    if period:
        end = _date(period, "b_")
        return end[0] if end else 0
    found = _date(single) if single else None
    return found[0] if found else 0


def _kanji_level(value: str | None) -> str:
    digits = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}
    return f"N{digits.get(value or '', value or '')}" if value else ""
