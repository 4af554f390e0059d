"""Short texts in the languages reasons are written in (English and Japanese)."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "ja")


@dataclass(frozen=True)
class Text:
    """One sentence in English and Japanese."""

    en: str
    ja: str

    def in_language(self, language: str) -> str:
        """The sentence in `language` (`ja` or anything else for English)."""
        return self.ja if language.lower().startswith("ja") else self.en
