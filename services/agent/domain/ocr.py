"""A photo of a paper résumé to text, offline: Tesseract OCR (Debian's `tesseract-ocr` with its
`-vie`, `-jpn` and `-nep` language data) run as a process.

A phone photo is first put upright from its EXIF orientation, turned grey, and scaled to at least
MIN_WIDTH pixels across. Then one model reads it at a time, each a full pass: Vietnamese's Latin
model first (it reads English, Indonesian and Tagalog as well as English's does and keeps
Vietnamese diacritics, which English's loses), then Japanese's, then Nepali's (Devanagari). The
first reading whose mean word confidence reaches CONFIDENT is taken, else the most confident.
A Latin page costs one pass, a Japanese page two. (Tesseract's own script detection, OSD, was
tried: on a 2-core machine it took longer than a reading.)
"""

from __future__ import annotations

import functools
import io
import pathlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from services.runtime.errors import FailedPrecondition, InvalidArgument

TIMEOUT_SECONDS = 90
MIN_WIDTH, MAX_SIDE = 1600, 3000  # kanji need more pixels than Latin letters to be read right
MODELS = ("vie", "jpn", "nep", "eng")  # in the order tried; only the installed ones
CONFIDENT = 70.0  # mean word confidence (0..100) taken as a good reading


@dataclass(frozen=True)
class Reading:
    text: str
    language: str
    confidence: float  # mean word confidence, weighted by word length


def _tesseract() -> str:
    found = shutil.which("tesseract")
    if not found:
        raise FailedPrecondition(
            "reading a photo needs the OCR engine on the server (Debian: apt-get install tesseract-ocr "
            "tesseract-ocr-vie tesseract-ocr-jpn tesseract-ocr-nep); upload a PDF, a DOCX or text"
        )
    return found


@functools.cache
def installed_models() -> tuple[str, ...]:
    listing = subprocess.run([_tesseract(), "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    installed = {line.strip() for line in listing.splitlines()[1:]}
    return tuple(model for model in MODELS if model in installed)


def prepare(data: bytes) -> bytes:
    """The photo upright, grey and large enough to read, as PNG; InvalidArgument if it is not an image."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(data))
        opened.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        problem = f"is not a readable image ({type(error).__name__})"
        raise InvalidArgument.field("file", problem, "resume.file") from None
    image: Image.Image = ImageOps.exif_transpose(opened).convert("L")
    scale = min(max(1.0, MIN_WIDTH / image.width), MAX_SIDE / max(image.size))
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def recognise(png: bytes, model: str) -> Reading:
    """One pass of one model: the text as Tesseract lays it out, and its mean word confidence."""
    with tempfile.TemporaryDirectory(prefix="iworkz-ocr-") as directory:
        base = pathlib.Path(directory) / "page"
        result = subprocess.run(
            [_tesseract(), "stdin", str(base), "-l", model, "--psm", "3", "txt", "tsv"],
            input=png,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            raise InvalidArgument.field(
                "file", "is an image the OCR engine could not read; send a PNG or JPEG photo", "resume.file"
            )
        text = base.with_suffix(".txt").read_text("utf-8", "replace")
        rows = [line.split("\t") for line in base.with_suffix(".tsv").read_text("utf-8", "replace").splitlines()[1:]]
    words = [(float(row[10]), len(row[11].strip())) for row in rows if len(row) > 11 and row[11].strip()]
    words = [(conf, size) for conf, size in words if conf >= 0]
    weight = sum(size for _, size in words)
    confidence = sum(conf * size for conf, size in words) / weight if weight else 0.0
    return Reading(text, model, confidence)


def read_image(data: bytes) -> str:
    """The text of a photographed page ("" when nothing could be read)."""
    png = prepare(data)
    best: Reading | None = None
    for model in installed_models() or ("eng",):
        reading = recognise(png, model)
        if best is None or reading.confidence > best.confidence:
            best = reading
        if reading.confidence >= CONFIDENT:
            break
    assert best is not None
    text = _tidy_japanese(best.text) if best.language == "jpn" else best.text
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def _tidy_japanese(text: str) -> str:
    """Tesseract sets spaces around the middle dot of a name written in katakana (グエン ・ ヴァン),
    and sometimes reads that dot as a full stop."""
    kana = r"[\u30a0-\u30ff]"
    return re.sub(rf"(?<={kana})\s*[・.]\s*(?={kana})", "・", text)
