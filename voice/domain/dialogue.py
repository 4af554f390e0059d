"""The spoken side of a conversation: confirmation by voice, and barge-in.

Confirmation gate. When the agent asks to confirm an action (applying to a
job), the prompt is spoken followed by "say yes or no", and the next
utterance is read as an answer. A clear yes is forwarded to the agent as
its canonical word ("yes", "はい", "có", "ya"), a clear no likewise; anything
else is never forwarded as consent: the caller is asked again, and after
`max_unclear` unclear answers the action is dropped with a "no". Only the
agent acts, and only after the gate forwarded a yes.

Barge-in. While a reply is being spoken, speech that lasts at least
`min_speech_ms` (so a cough does not count) or an explicit interrupt stops
it; the new utterance is then handled as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voice.domain import commands
from voice.domain.commands import Kind
from voice.domain.recognition import Expectation


@dataclass(frozen=True)
class Turn:
    """What to do with one recognised utterance."""

    forward: str | None  # text for the agent's Chat, or None
    say: str | None = None  # a reply spoken by the voice service itself (re-prompt, cancelled)
    answer: Kind | None = None  # the confirmation answer read, if one was awaited


@dataclass
class PendingConfirmation:
    prompt: str
    language: str
    unclear: int = 0


@dataclass
class Dialogue:
    """Per-conversation state that decides how utterances are handled."""

    language: str = "en"
    max_unclear: int = 2
    pending: PendingConfirmation | None = None
    expect: Expectation = Expectation.FREE
    last_reply: str = ""

    def confirmation_prompt(self, prompt: str, language: str) -> str:
        """The agent asks for consent: remember it; return what to say."""
        self.pending = PendingConfirmation(prompt, language)
        self.expect = Expectation.CONFIRMATION
        return f"{prompt} {commands.SAY_YES_OR_NO.get(language, commands.SAY_YES_OR_NO['en'])}"

    def reply_finished(self, text: str, listed_items: bool) -> None:
        """A reply was spoken; a list in it makes "next" and "the second one" likely."""
        self.last_reply = text
        if self.pending is None:
            self.expect = Expectation.CHOICE if listed_items else Expectation.FREE

    def on_utterance(self, text: str, language: str) -> Turn:
        language = language if language in commands.LANGUAGES else self.language
        if not text.strip():
            return Turn(forward=None)
        if self.pending is None:
            command = commands.read(text, language)
            if command is not None and command.kind is Kind.REPEAT and self.last_reply:
                return Turn(forward=None, say=self.last_reply)
            return Turn(forward=text)
        answer = commands.yes_or_no(text, language)
        if answer is None and commands.read(text, language) == commands.Command(Kind.REPEAT):
            return Turn(forward=None, say=self.confirmation_prompt(self.pending.prompt, self.pending.language))
        lang = self.pending.language if self.pending.language in commands.CANONICAL else "en"
        if answer is None:
            self.pending.unclear += 1
            if self.pending.unclear > self.max_unclear:
                self._clear()
                return Turn(forward=commands.CANONICAL[lang][Kind.NO], say=None, answer=Kind.NO)
            return Turn(forward=None, say=commands.DID_NOT_CATCH.get(lang, commands.DID_NOT_CATCH["en"]))
        self._clear()
        return Turn(forward=commands.CANONICAL[lang][answer], answer=answer)

    def _clear(self) -> None:
        self.pending = None
        self.expect = Expectation.FREE


@dataclass
class BargeIn:
    """Decides when the caller's speech cuts the reply being spoken."""

    min_speech_ms: int = 200
    speaking: bool = False
    _speech_started_ms: int | None = field(default=None)

    def reply_started(self) -> None:
        self.speaking = True
        self._speech_started_ms = None

    def reply_ended(self) -> None:
        self.speaking = False
        self._speech_started_ms = None

    def speech_started(self, offset_ms: int) -> None:
        self._speech_started_ms = offset_ms

    def speech_ended(self) -> None:
        self._speech_started_ms = None

    def should_interrupt(self, now_ms: int) -> bool:
        """True once the caller has been speaking long enough over the reply."""
        if not self.speaking or self._speech_started_ms is None:
            return False
        return now_ms - self._speech_started_ms >= self.min_speech_ms
