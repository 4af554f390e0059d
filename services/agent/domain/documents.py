"""Text out of an uploaded résumé: PDF (pypdf), DOCX (python-docx), plain text,
or a photo of a paper résumé (PNG, JPEG or WebP, read by OCR: see `ocr`).

The type is read from the bytes, not trusted from the name or the declared
content type: a PDF starts with `%PDF-`, a DOCX is a ZIP holding
`word/document.xml`, an image starts with its format's signature, plain text
is UTF-8 (or UTF-16 with a BOM) without NUL bytes. Anything else, an
encrypted or broken PDF, a file without text, an empty file or one over 5 MB
is refused with `InvalidArgument` on `file`, saying what is wrong.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from services.runtime.errors import InvalidArgument

MAX_BYTES = 5 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
IMAGES = (PNG, JPEG, WEBP)
ACCEPTED = (PDF, DOCX, TEXT, *IMAGES)


@dataclass(frozen=True)
class Document:
    """The text of each page (DOCX and text files are one page) and the detected type."""

    pages: list[str]
    content_type: str


def _refuse(description: str) -> InvalidArgument:
    return InvalidArgument.field("file", description, "resume.file")


def sniff(data: bytes) -> str:
    """The content type of `data` from its first bytes: PDF, DOCX, an image or TEXT; "" if none."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return DOCX if "word/document.xml" in archive.namelist() else ""
        except zipfile.BadZipFile:
            return ""
    try:
        _decode(data)
    except ValueError:
        return ""
    return TEXT


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        text = data.decode("utf-8-sig")  # raises UnicodeDecodeError (a ValueError)
    if "\x00" in text:
        raise ValueError("NUL in text")
    return text


def read(data: bytes, declared_type: str = "") -> Document:
    """The text of a résumé; InvalidArgument (field `file`) naming the problem otherwise."""
    if not data:
        raise _refuse("is empty")
    if len(data) > MAX_BYTES:
        raise _refuse(f"is {len(data) / 1024 / 1024:.1f} MB; the limit is 5 MB")
    declared = declared_type.split(";")[0].strip().lower()
    if declared and declared not in ACCEPTED and declared != "application/octet-stream":
        raise _refuse(f"has type {declared!r}; send a PDF, a DOCX, plain text or a photo (PNG, JPEG, WebP)")
    kind = sniff(data)
    if not kind:
        raise _refuse("is not a PDF, a DOCX, UTF-8 text or a PNG, JPEG or WebP image")
    if declared in ACCEPTED and declared != kind and not (declared == TEXT and kind == TEXT):
        raise _refuse(f"is declared as {declared!r} but its content is {kind!r}")
    if kind in IMAGES:
        from services.agent.domain import ocr

        pages = [ocr.read_image(data)]
        if not pages[0].strip():
            raise _refuse("is a picture with no text that could be read; take the photo closer, flat and in good light")
    else:
        pages = {PDF: _pdf_pages, DOCX: _docx_pages, TEXT: _text_pages}[kind](data)
    if not any(page.strip() for page in pages):
        raise _refuse("contains no text (a scanned PDF?); upload a photo of each page, a DOCX or plain text")
    return Document([_clean(p) for p in pages], kind)


def _text_pages(data: bytes) -> list[str]:
    return [_decode(data)]


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # An owner-password-only PDF opens with an empty user password; anything else is locked.
            if not reader.decrypt(""):
                raise _refuse("is an encrypted PDF; remove its password and upload it again")
        return [page.extract_text() or "" for page in reader.pages]
    except InvalidArgument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise _refuse(f"is not a readable PDF ({type(error).__name__})") from None
    except Exception as error:  # pypdf raises many kinds on broken files; none is the caller's business
        if "encrypt" in str(error).lower() or "crypt" in type(error).__name__.lower():
            raise _refuse("is an encrypted PDF; remove its password and upload it again") from None
        raise _refuse(f"is not a readable PDF ({type(error).__name__})") from None


def _docx_pages(data: bytes) -> list[str]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx wraps lxml and zipfile errors in several types
        raise _refuse(f"is not a readable DOCX ({type(error).__name__})") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                if cell.text not in cells:  # merged cells repeat their text
                    cells.append(cell.text)
            lines.append("  ".join(cells))
    return ["\n".join(lines)]
