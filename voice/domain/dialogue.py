"""The spoken side of a conversation: confirmation by voice, and barge-in.

Confirmation gate. When the agent asks to confirm an action (applying to a
job), the prompt is spoken followed by "say yes or no", and the next
utterance is read as an answer, in the language the caller speaks. A clear
yes is forwarded to the agent as its canonical word in the agent's reply
language ("yes", "はい", "có", "ya"; a Tagalog "oo" or a Nepali "हो" goes to
the agent, which answers those callers in English, as "yes"), a clear no
likewise; anything
else is never forwarded as consent: the caller is asked again, and after
`max_unclear` unclear answers the action is dropped with a "no". Only the
agent acts, and only after the gate forwarded a yes.

Free speech goes to the agent as heard, followed by the platform's words it
was read as when a recogniser only came near them ("よくはまの工事 (横浜)",
see `voice.domain.reading`): the agent's own slot rules are exact.

Barge-in. While a reply is being spoken, speech that lasts at least
`min_speech_ms` (so a cough does not count) or an explicit interrupt stops
it; the new utterance is then handled as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voice.domain import commands, reading
from voice.domain.commands import Kind
from voice.domain.recognition import Expectation


@dataclass(frozen=True)
class Turn:
    """What to do with one recognised utterance."""

    forward: str | None  # text for the agent's Chat, or None
    say: str | None = None  # a reply spoken by the voice service itself (re-prompt, cancelled)
    answer: Kind | None = None  # the confirmation answer read, if one was awaited
    speech: tuple[tuple[str, str], ...] = ()  # `say` as (text, language) pieces, when known


@dataclass
class PendingConfirmation:
    prompt: str
    language: str  # the agent's reply language: the prompt's, and the forwarded answer's
    spoken: str = ""  # the caller's language: "say yes or no" and re-prompts are in it
    unclear: int = 0

    @property
    def ask_language(self) -> str:
        for candidate in (self.spoken, self.language):
            if candidate in commands.SAY_YES_OR_NO:
                return candidate
        return "en"

    def speech(self) -> tuple[tuple[str, str], ...]:
        """The prompt in its language, then "say yes or no" in the caller's."""
        return ((self.prompt, self.language), (commands.SAY_YES_OR_NO[self.ask_language], self.ask_language))


@dataclass
class Dialogue:
    """Per-conversation state that decides how utterances are handled."""

    language: str = "en"
    max_unclear: int = 2
    pending: PendingConfirmation | None = None
    expect: Expectation = Expectation.FREE
    last_reply: str = ""

    def confirmation_prompt(self, prompt: str, language: str, spoken: str = "") -> str:
        """The agent asks for consent (`prompt` in the reply's `language`) of a caller who speaks
        `spoken` (default: the same): remember it; return what to say. `confirmation_speech` gives
        the same as pieces, each with the language to speak it in."""
        self.pending = PendingConfirmation(prompt, language, spoken or language)
        self.expect = Expectation.CONFIRMATION
        return " ".join(text for text, _ in self.pending.speech())

    def confirmation_speech(self) -> tuple[tuple[str, str], ...]:
        return self.pending.speech() if self.pending is not None else ()

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
            return Turn(forward=reading.for_agent(text, language))
        answer = commands.yes_or_no(text, language)
        pending = self.pending
        if answer is None and commands.read(text, language) == commands.Command(Kind.REPEAT):
            said = self.confirmation_prompt(pending.prompt, pending.language, pending.spoken)
            return Turn(forward=None, say=said, speech=self.confirmation_speech())
        lang = pending.language if pending.language in commands.CANONICAL else "en"
        if answer is None:
            pending.unclear += 1
            if pending.unclear > self.max_unclear:
                self._clear()
                return Turn(forward=commands.CANONICAL[lang][Kind.NO], say=None, answer=Kind.NO)
            again = commands.DID_NOT_CATCH[pending.ask_language]
            return Turn(forward=None, say=again, speech=((again, pending.ask_language),))
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
