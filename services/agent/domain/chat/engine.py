"""The offline chat engine: intents by nearest neighbours, slots by rules, replies from templates.

A turn: if an action waits for confirmation, a "yes" runs it and a "no"
drops it (anything else drops it and is read as a new request). A message
carrying instructions for the assistant gets the safety reply and no tool.
Otherwise the intent picks one tool, the slots fill its arguments, and the
reply streams sentence by sentence. Applying is never done in the turn that
asks for it: the engine proposes it and waits for the user's own "yes".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.agent.domain.chat import replies, safety, slots
from services.agent.domain.chat.intents import Prediction
from services.agent.domain.chat.replies import say
from services.agent.domain.chat.tools import ToolError, Tools


@dataclass
class Turn:
    """One user message with the conversation's state (last jobs listed, pending action)."""

    text: str
    language: str  # reply language
    state: dict[str, Any] = field(default_factory=dict)
    intent: str = ""  # when already classified by the caller


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class ToolUsed:
    name: str
    arguments: dict[str, Any]
    ok: bool
    summary: str


@dataclass(frozen=True)
class Confirm:
    name: str
    arguments: dict[str, Any]
    prompt: str


Event = Text | ToolUsed | Confirm


class Engine(Protocol):
    """A chat engine: reads a turn, uses tools, yields events; leaves the new state in `turn.state`."""

    def respond(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]: ...

    async def intent(self, text: str) -> str: ...


Classify = Callable[[str], Awaitable[Prediction]]


class OfflineEngine:
    def __init__(self, classify: Classify) -> None:
        self._classify = classify

    async def intent(self, text: str) -> str:
        if safety.contains_injection(text):
            return "injection"
        return (await self._classify(text)).intent

    async def respond(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang = turn.language
        pending = turn.state.pop("pending", None)
        if pending and slots.is_yes(turn.text):
            async for event in self._run_pending(pending, lang, tools):
                yield event
            return
        if pending and slots.is_no(turn.text):
            yield Text(say("cancelled", lang))
            return
        intent = turn.intent or await self.intent(turn.text)
        turn.state["intent"] = intent
        if intent == "injection":
            yield Text(say("injection", lang))
            return
        handler = getattr(self, f"_{intent}", None)
        if handler is None:
            yield Text(say("unknown", lang))
            return
        async for event in handler(turn, tools):
            yield event

    # --- intents --------------------------------------------------------------------------

    async def _greeting(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        yield Text(say("greeting", turn.language))
        yield Text(say("help", turn.language))

    async def _help(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        yield Text(say("help", turn.language))

    async def _search_jobs(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang = turn.language
        prefecture = slots.prefecture(turn.text) or ""
        trade = slots.trade(turn.text)
        keywords = trade[1] if trade else ("",)
        jobs = []
        for keyword in keywords:
            try:
                jobs = await tools.search_jobs(keyword, prefecture)
            except ToolError as error:
                yield ToolUsed("search_jobs", {"query": keyword, "prefecture": prefecture}, False, str(error))
                yield Text(say("tool_failed", lang, error=error))
                return
            yield ToolUsed("search_jobs", {"query": keyword, "prefecture": prefecture}, True, f"{len(jobs)} jobs")
            if jobs:
                break
        jobs = jobs[:5]
        turn.state["jobs"] = [{"name": j.name, "title": j.title} for j in jobs]
        if not jobs:
            yield Text(say("no_jobs", lang))
            return
        where = say("where", lang, place=jobs[0].place) if prefecture else ""
        yield Text(say("jobs_found", lang, n=len(jobs), where=where))
        for i, job in enumerate(jobs, 1):
            yield Text(
                say("job_line", lang, i=i, title=job.title, employer=job.employer, place=job.place, wage=job.wage)
            )
        yield Text(say("jobs_next", lang))

    async def _recommend_jobs(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang = turn.language
        try:
            jobs = (await tools.recommend_jobs(lang))[:5]
        except ToolError as error:
            yield ToolUsed("recommend_jobs", {}, False, str(error))
            yield Text(say("tool_failed", lang, error=error))
            return
        yield ToolUsed("recommend_jobs", {}, True, f"{len(jobs)} jobs")
        turn.state["jobs"] = [{"name": j.name, "title": j.title} for j in jobs]
        if not jobs:
            yield Text(say("no_recommendations", lang))
            return
        yield Text(say("recommended", lang, n=len(jobs)))
        for i, job in enumerate(jobs, 1):
            yield Text(
                say("job_line", lang, i=i, title=job.title, employer=job.employer, place=job.place, wage=job.wage)
            )
            for reason in job.reasons[:2]:
                yield Text(f"  - {reason}")
        yield Text(say("jobs_next", lang))

    async def _explain_match(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang, job = turn.language, self._job(turn)
        if job is None:
            yield Text(say("need_job", lang))
            return
        try:
            verdict = await tools.explain_match(job["name"], lang)
        except ToolError as error:
            yield ToolUsed("explain_match", {"job": job["name"]}, False, str(error))
            yield Text(say("tool_failed", lang, error=error))
            return
        yield ToolUsed("explain_match", {"job": job["name"]}, True, "eligible" if verdict.eligible else "not eligible")
        yield Text(say("eligible" if verdict.eligible else "not_eligible", lang, title=verdict.job_title))
        for reason in verdict.reasons:
            yield Text(reason)

    def _job(self, turn: Turn) -> dict[str, str] | None:
        """The job the message means: a resource name in it, or a number in the last list."""
        name = slots.job_name(turn.text)
        if name:
            return {"name": name, "title": name}
        jobs: list[dict[str, str]] = turn.state.get("jobs") or []
        index = slots.job_index(turn.text)
        if index is None and len(jobs) == 1:
            index = 1
        if index is None or not 1 <= index <= len(jobs):
            return None
        return jobs[index - 1]

    async def _job_eligibility(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang, job = turn.language, self._job(turn)
        if job is None:
            yield Text(say("need_job", lang))
            return
        try:
            verdict = await tools.job_eligibility(job["name"])
        except ToolError as error:
            yield ToolUsed("job_eligibility", {"job": job["name"]}, False, str(error))
            yield Text(say("tool_failed", lang, error=error))
            return
        yield ToolUsed(
            "job_eligibility", {"job": job["name"]}, True, "eligible" if verdict.eligible else "not eligible"
        )
        yield Text(say("eligible" if verdict.eligible else "not_eligible", lang, title=verdict.job_title))
        for reason in verdict.reasons:
            yield Text(reason)

    async def _application_status(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang = turn.language
        try:
            items = await tools.applications()
        except ToolError as error:
            yield ToolUsed("application_status", {}, False, str(error))
            yield Text(say("tool_failed", lang, error=error))
            return
        yield ToolUsed("application_status", {}, True, f"{len(items)} applications")
        if not items:
            yield Text(say("no_applications", lang))
            return
        yield Text(say("applications", lang, n=len(items)))
        for item in items:
            status = replies.STATUS.get(item.status, {}).get(lang, item.status.lower())
            yield Text(say("application_line", lang, title=item.job_title, status=status))

    async def _apply(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang, job = turn.language, self._job(turn)
        if job is None:
            yield Text(say("need_job", lang))
            return
        prompt = say("confirm_apply", lang, title=job["title"])
        turn.state["pending"] = {"name": "apply_to_job", "arguments": {"job": job["name"], "title": job["title"]}}
        yield Confirm("apply_to_job", {"job": job["name"]}, prompt)
        yield Text(prompt)

    async def _run_pending(self, pending: dict[str, Any], lang: str, tools: Tools) -> AsyncIterator[Event]:
        if pending.get("name") != "apply_to_job":
            yield Text(say("unknown", lang))
            return
        job, title = pending["arguments"]["job"], pending["arguments"].get("title", "")
        try:
            application = await tools.apply(job)
        except ToolError as error:
            yield ToolUsed("apply_to_job", {"job": job}, False, str(error))
            yield Text(say("tool_failed", lang, error=error))
            return
        yield ToolUsed("apply_to_job", {"job": job}, True, application.name)
        yield Text(say("applied", lang, title=application.job_title or title))

    async def _profile_hints(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang = turn.language
        try:
            missing = await tools.profile_gaps()
        except ToolError as error:
            yield ToolUsed("profile_hints", {}, False, str(error))
            yield Text(say("tool_failed", lang, error=error))
            return
        yield ToolUsed("profile_hints", {}, True, ", ".join(missing) or "complete")
        if not missing:
            yield Text(say("profile_complete", lang))
            return
        names = [replies.FIELDS.get(f, {}).get(lang, f) for f in missing]
        yield Text(say("profile_missing", lang, fields=("、" if lang == "ja" else ", ").join(names)))

    async def _skill_gap(self, turn: Turn, tools: Tools) -> AsyncIterator[Event]:
        lang, job = turn.language, self._job(turn)
        if job is None:
            yield Text(say("need_job", lang))
            return
        try:
            gap = await tools.skill_gap(job["name"])
        except ToolError as error:
            yield ToolUsed("skill_gap", {"job": job["name"]}, False, str(error))
            yield Text(say("tool_failed", lang, error=error))
            return
        yield ToolUsed("skill_gap", {"job": job["name"]}, True, f"{len(gap.missing)} missing")
        if gap.missing:
            yield Text(say("gap", lang, title=gap.job_title, skills=", ".join(gap.missing[:6])))
        else:
            yield Text(say("no_gap", lang, title=gap.job_title))
