"""Instructions hidden in data never steer the assistant.

Text in a job posting, a résumé or a message that tells the assistant to
ignore its instructions, change role or call a tool is an injection: the
engines never take a tool from it. A message that carries one gets no tool
at all for its turn; data that carries one is shown to a model only with
those sentences removed, and no state-changing tool runs after it in that
turn. Applying always needs the user's own "yes" in a following turn.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"ignore (?:all |any |your |the |previous |prior |above )*(?:instructions|rules|prompts?|directions)",
    r"disregard (?:all |your |the |previous )*(?:instructions|rules)",
    r"forget (?:all |your |the |previous )*(?:instructions|rules)",
    r"(?:you are|act as|pretend to be) (?:now )?(?:a|an|the) (?:different|new|unrestricted|admin)",
    r"system prompt",
    r"\bcall (?:the )?(?:tool|function)\b",
    r"\b(?:call|invoke|run|execute|use)\s+(?:the\s+)?[a-z]+_[a-z_]+\b",
    r"\bapply_to_job\b|\bsearch_jobs\b|\bfunction_call\b|\btool_calls?\b",
    r"指示を無視|命令を無視|以前の指示|システムプロンプト|ツールを(?:呼|実行)",
    r"bỏ qua (?:mọi |các |tất cả )?(?:hướng dẫn|chỉ dẫn|chỉ thị)",
    r"abaikan (?:semua |seluruh )?(?:instruksi|perintah|petunjuk)",
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]?")


def contains_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


def redact(text: str) -> str:
    """`text` without the sentences that carry instructions for the assistant."""
    if not contains_injection(text):
        return text
    kept = [s for s in _SENTENCE.findall(text) if not contains_injection(s)]
    return " ".join(s.strip() for s in kept) + " [instructions found in this text were removed]"
