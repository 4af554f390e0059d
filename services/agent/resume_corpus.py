"""Render the résumé records of `data/resumes_eval.json` to PDF and DOCX, as workers would upload them.

    .venv/bin/python -m services.agent.resume_corpus build/agent-resumes

Each record is written in its language (ja, en, vi, id) and layout (`table`:
labelled fields and headed sections; `free`: the name alone on the first
line and looser wording), then saved as `<id>.pdf` (fpdf2, with the IPAex
Gothic font for Japanese and DejaVu Sans otherwise, both shipped in Python
packages) and `<id>.docx` (python-docx). The parser sees only these files;
the records are the expected answers. `two_page_pdf()` makes the benchmark's
two-page résumé.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys

DATA = pathlib.Path(__file__).parent / "data"

VISA = {
    "ja": {
        "SSW_1": "特定技能1号",
        "SSW_2": "特定技能2号",
        "TECHNICAL_INTERN": "技能実習2号",
        "STUDENT": "留学",
        "ENGINEER_SPECIALIST": "技術・人文知識・国際業務",
        "PERMANENT_RESIDENT": "永住者",
    },
    "en": {
        "SSW_1": "Specified Skilled Worker (i)",
        "SSW_2": "Specified Skilled Worker (ii)",
        "TECHNICAL_INTERN": "Technical Intern Training",
        "STUDENT": "Student",
        "ENGINEER_SPECIALIST": "Engineer/Specialist in Humanities/International Services",
        "PERMANENT_RESIDENT": "Permanent resident",
    },
    "vi": {
        "SSW_1": "Kỹ năng đặc định số 1",
        "SSW_2": "Kỹ năng đặc định số 2",
        "TECHNICAL_INTERN": "Thực tập sinh kỹ năng",
        "STUDENT": "Du học sinh",
    },
    "id": {
        "SSW_1": "Specified Skilled Worker (SSW) 1",
        "SSW_2": "Specified Skilled Worker (SSW) 2",
        "TECHNICAL_INTERN": "Magang teknis (Technical Intern)",
        "STUDENT": "Pelajar",
    },
}
SSW_FIELD = {
    "ja": {
        "MANUFACTURING": "工業製品製造業",
        "NURSING_CARE": "介護",
        "CONSTRUCTION": "建設",
        "AGRICULTURE": "農業",
        "FOOD_MANUFACTURING": "飲食料品製造業",
        "FOOD_SERVICE": "外食業",
    },
    "en": {
        "MANUFACTURING": "industrial products manufacturing",
        "NURSING_CARE": "nursing care",
        "CONSTRUCTION": "construction",
        "AGRICULTURE": "agriculture",
        "FOOD_MANUFACTURING": "food manufacturing",
        "FOOD_SERVICE": "food service",
    },
    "vi": {
        "MANUFACTURING": "chế tạo",
        "NURSING_CARE": "điều dưỡng",
        "CONSTRUCTION": "xây dựng",
        "AGRICULTURE": "nông nghiệp",
        "FOOD_MANUFACTURING": "chế biến thực phẩm",
        "FOOD_SERVICE": "nhà hàng",
    },
    "id": {
        "NURSING_CARE": "perawatan lansia (kaigo)",
        "CONSTRUCTION": "konstruksi",
        "AGRICULTURE": "pertanian",
        "FOOD_MANUFACTURING": "pengolahan makanan",
        "FOOD_SERVICE": "restoran",
    },
}
NATIONALITY = {
    "ja": {
        "VN": "ベトナム",
        "ID": "インドネシア",
        "JP": "日本",
        "MM": "ミャンマー",
        "NP": "ネパール",
        "PH": "フィリピン",
        "CN": "中国",
    },
    "en": {
        "VN": "Vietnamese",
        "ID": "Indonesian",
        "PH": "Filipino",
        "NP": "Nepalese",
        "CN": "Chinese",
        "JP": "Japanese",
    },
    "vi": {"VN": "Việt Nam"},
    "id": {"ID": "Indonesia"},
}
LANGUAGE = {
    "ja": {
        "vi": "ベトナム語",
        "ja": "日本語",
        "en": "英語",
        "id": "インドネシア語",
        "my": "ミャンマー語",
        "ne": "ネパール語",
    },
    "en": {
        "tl": "Tagalog",
        "en": "English",
        "ja": "Japanese",
        "vi": "Vietnamese",
        "ne": "Nepali",
        "id": "Indonesian",
        "zh": "Chinese",
    },
    "vi": {"vi": "Tiếng Việt", "ja": "Tiếng Nhật", "en": "Tiếng Anh"},
    "id": {"id": "Bahasa Indonesia", "jv": "Bahasa Jawa", "ja": "Bahasa Jepang", "en": "Bahasa Inggris"},
}
LEVEL = {
    "ja": {"NATIVE": "母国語", "BUSINESS": "ビジネスレベル", "CONVERSATIONAL": "日常会話", "BASIC": "初級"},
    "en": {"NATIVE": "native", "BUSINESS": "fluent", "CONVERSATIONAL": "conversational", "BASIC": "basic"},
    "vi": {"NATIVE": "bản ngữ", "BUSINESS": "thành thạo", "CONVERSATIONAL": "giao tiếp", "BASIC": "cơ bản"},
    "id": {"NATIVE": "bahasa ibu", "BUSINESS": "fasih", "CONVERSATIONAL": "percakapan", "BASIC": "dasar"},
}
HEAD = {
    "ja": dict(
        title="履 歴 書",
        name="氏名",
        birth="生年月日",
        nat="国籍",
        addr="現住所",
        tel="電話番号",
        mail="メール",
        visa="在留資格",
        edu="学歴",
        work="職歴",
        lic="免許・資格",
        lang="語学",
        skills="スキル",
        now="現在",
    ),
    "en": dict(
        title="CURRICULUM VITAE",
        name="Name",
        birth="Date of birth",
        nat="Nationality",
        addr="Address",
        tel="Phone",
        mail="Email",
        visa="Status of residence",
        edu="Education",
        work="Work experience",
        lic="Licenses and certifications",
        lang="Languages",
        skills="Skills",
        now="Present",
    ),
    "vi": dict(
        title="SƠ YẾU LÝ LỊCH",
        name="Họ và tên",
        birth="Ngày sinh",
        nat="Quốc tịch",
        addr="Địa chỉ",
        tel="Điện thoại",
        mail="Email",
        visa="Tư cách lưu trú",
        edu="Học vấn",
        work="Kinh nghiệm làm việc",
        lic="Chứng chỉ",
        lang="Ngoại ngữ",
        skills="Kỹ năng",
        now="nay",
    ),
    "id": dict(
        title="DAFTAR RIWAYAT HIDUP",
        name="Nama",
        birth="Tanggal lahir",
        nat="Kewarganegaraan",
        addr="Alamat",
        tel="Telepon",
        mail="Email",
        visa="Status visa",
        edu="Pendidikan",
        work="Pengalaman kerja",
        lic="Sertifikat",
        lang="Bahasa",
        skills="Keahlian",
        now="sekarang",
    ),
}
_ID_MONTHS = [
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
_EN_MONTHS = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def records() -> list[dict]:
    return list(json.loads((DATA / "resumes_eval.json").read_text(encoding="utf-8"))["resumes"])


def _month(lang: str, ym: list[int] | None, layout: str) -> str:
    if ym is None:
        return HEAD[lang]["now"]
    y, m = ym
    if lang == "ja":
        return f"{y}年{m}月"
    if lang == "en":
        return f"{_EN_MONTHS[m]} {y}" if layout == "free" else f"{m:02d}/{y}"
    if lang == "vi":
        return f"tháng {m}/{y}" if layout == "free" else f"{m:02d}/{y}"
    return f"{_ID_MONTHS[m]} {y}" if layout == "free" else f"{m:02d}/{y}"


def _birth(lang: str, birth: list[int]) -> str:
    y, m, d = birth
    return (
        f"{y}年{m}月{d}日"
        if lang == "ja"
        else f"{d:02d}/{m:02d}/{y}"
        if lang in ("en", "vi")
        else f"{d:02d}-{m:02d}-{y}"
    )


def lines(record: dict) -> list[str]:
    """The résumé's lines in its language and layout."""
    lang, layout, h = record["language"], record["layout"], HEAD[record["language"]]
    out: list[str] = []
    if layout == "table":
        out += [h["title"], f"{h['name']}: {record['name']}"]
    else:
        out += [record["name"]]
    out += [f"{h['birth']}: {_birth(lang, record['birth'])}"]
    nationality = NATIONALITY.get(lang, {}).get(record["nationality"])
    if nationality:
        out.append(f"{h['nat']}: {nationality}")
    if layout == "table":
        out += [
            f"{h['addr']}: {record['address']}",
            f"{h['tel']}: {record['phone']}",
            f"{h['mail']}: {record['email']}",
        ]
    else:
        out += [record["address"], f"{record['phone']} / {record['email']}"]
    if record["visa"]:
        visa = VISA[lang][record["visa"]]
        field = SSW_FIELD[lang].get(record["ssw_field"], "")
        out.append(
            f"{h['visa']}: {visa}" + (f"（{field}）" if lang == "ja" and field else f" - {field}" if field else "")
        )
    out += ["", h["work"]]
    for employer, title, start, end in record["jobs"]:
        period = (
            f"{_month(lang, start, layout)} ～ {_month(lang, end, layout)}"
            if lang == "ja"
            else f"{_month(lang, start, layout)} - {_month(lang, end, layout)}"
        )
        if lang == "ja":
            out.append(f"{period}　{employer}　{title}")
        elif layout == "table":
            out.append(f"{period}: {employer}, {title}")
        else:
            out.append(f"{period}  {employer} — {title}")
    out += ["", h["edu"]]
    for institution, qualification, year in record["schools"]:
        out.append(
            f"{year}年3月　{institution}　{qualification}"
            if lang == "ja"
            else f"{year}: {institution}, {qualification}"
        )
    if record["licences"]:
        out += ["", h["lic"]]
        for _, name, year in record["licences"]:
            out.append(f"{year}年　{name}" if lang == "ja" else f"{year} - {name}")
    out += ["", h["lang"]]
    for code, level in record["languages"]:
        text = (
            f"{LANGUAGE[lang][code]}（{LEVEL[lang][level]}）"
            if lang == "ja"
            else f"{LANGUAGE[lang][code]}: {LEVEL[lang][level]}"
        )
        if code == "ja" and record["jlpt"]:
            text += f"　日本語能力試験{record['jlpt']} 合格" if lang == "ja" else f" (JLPT {record['jlpt']})"
        out.append(text)
    out += ["", h["skills"], record["skills"]]
    return out


def expected(record: dict) -> dict:
    """What a correct parse of the record's files finds."""
    return {
        "display_name": record["name"],
        "languages": sorted({code for code, _ in record["languages"]}),
        "jlpt": record["jlpt"],
        "visa_status": record["visa"],
        "ssw_field": record["ssw_field"],
        "licences": sorted({kind for kind, _, _ in record["licences"]}),
        "email": record["email"],
        "employers": [employer for employer, *_ in record["jobs"]],
    }


def _font(language: str) -> pathlib.Path:
    if language == "ja":
        spec = importlib.util.find_spec("japanize_matplotlib")
        assert spec and spec.origin, "japanize-matplotlib (dev dependency) ships the IPAex Gothic font"
        return pathlib.Path(spec.origin).parent / "fonts" / "ipaexg.ttf"
    spec = importlib.util.find_spec("matplotlib")
    assert spec and spec.origin, "matplotlib ships the DejaVu Sans font"
    return pathlib.Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"


def pdf(text_lines: list[str], language: str, filler_pages: int = 0) -> bytes:
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.add_font("body", fname=str(_font(language)))
    document.add_font("cjk", fname=str(_font("ja")))
    document.set_font("body", size=11)
    document.set_fallback_fonts(["cjk"])  # Japanese addresses in résumés written in other languages
    document.add_page()
    for line in text_lines:
        document.multi_cell(0, 7, line or " ", new_x="LMARGIN", new_y="NEXT")
    for _ in range(filler_pages):
        document.add_page()
        for i in range(30):
            document.multi_cell(0, 7, SUMMARY[language][i % len(SUMMARY[language])], new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def docx(text_lines: list[str]) -> bytes:
    import io

    import docx as python_docx

    document = python_docx.Document()
    for line in text_lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def photo(text_lines: list[str], language: str, seed: int = 0) -> bytes:
    """The résumé printed on paper and photographed with a cheap phone: a little turned, out of
    focus, grainy, unevenly lit, saved as a JPEG."""
    import io

    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    body = ImageFont.truetype(str(_font(language)), 30)
    cjk = ImageFont.truetype(str(_font("ja")), 30)
    page = Image.new("L", (1240, 60 + 46 * len(text_lines)), 238)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(text_lines):
        has_cjk = any("\u3040" <= ch <= "\u9fff" for ch in line)
        draw.text((60, 30 + 46 * i), line, font=cjk if has_cjk else body, fill=35)
    rng = np.random.default_rng(seed)
    page = page.rotate(float(rng.uniform(-2.5, 2.5)), expand=True, fillcolor=190, resample=Image.Resampling.BICUBIC)
    page = page.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.6, 1.1))))
    pixels = np.asarray(page).astype(np.float64)
    light = np.linspace(1.0, float(rng.uniform(0.75, 0.9)), pixels.shape[1])[None, :]  # a shadow across the page
    pixels = pixels * light + rng.normal(0, 9, pixels.shape)
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB").save(out, "JPEG", quality=72)
    return out.getvalue()


SUMMARY = {
    "ja": [
        "自己PR：責任感が強く、チームワークを大切にしています。",
        "安全第一で作業し、報告・連絡・相談を徹底しています。",
    ],
    "en": [
        "Summary: reliable, careful with safety rules and good at working in a team.",
        "I keep my work area clean and report problems early to my supervisor.",
    ],
    "vi": [
        "Giới thiệu bản thân: chăm chỉ, có trách nhiệm và làm việc nhóm tốt.",
        "Tôi luôn tuân thủ quy tắc an toàn và báo cáo kịp thời.",
    ],
    "id": [
        "Tentang saya: rajin, bertanggung jawab dan bisa bekerja dalam tim.",
        "Saya selalu mematuhi aturan keselamatan kerja.",
    ],
}


def two_page_pdf() -> bytes:
    """A two-page résumé (the first record, with a page of self-introduction) for the benchmark."""
    record = records()[0]
    return pdf(lines(record), record["language"], filler_pages=1)


def build(directory: pathlib.Path) -> list[tuple[dict, pathlib.Path, pathlib.Path]]:
    """Write every record as PDF and DOCX into `directory`; (record, pdf path, docx path) each."""
    directory.mkdir(parents=True, exist_ok=True)
    made = []
    for record in records():
        text = lines(record)
        pdf_path, docx_path = directory / f"{record['id']}.pdf", directory / f"{record['id']}.docx"
        pdf_path.write_bytes(pdf(text, record["language"]))
        docx_path.write_bytes(docx(text))
        made.append((record, pdf_path, docx_path))
    return made


if __name__ == "__main__":
    target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build/agent-resumes")
    print(f"{len(build(target))} résumés as PDF and DOCX in {target}")
