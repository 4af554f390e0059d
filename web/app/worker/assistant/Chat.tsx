"use client";
// The assistant, streaming: the reply arrives piece by piece (Server-Sent Events of the agent's Chat,
// POSTed through this app's /api proxy with the CSRF token). It asks before acting; "yes" confirms.
import { useState } from "react";
import { csrfToken } from "@/lib/api/browser";
import { splitEvents } from "@/lib/sse";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { HoldToTalk, type Spoken } from "./HoldToTalk";

type Turn = { who: "me" | "bot"; text: string; confirm?: string };

export function Chat({ locale, user }: { locale: Locale; user: string }) {
  const t = translator(locale);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [conversation, setConversation] = useState("");
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState("");

  async function send(message: string) {
    if (!message.trim()) return;
    setBusy(true);
    setTurns((old) => [...old, { who: "me", text: message }, { who: "bot", text: "" }]);
    const response = await fetch(`/api/v1/users/${user}/conversations:chat`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", "x-csrf-token": csrfToken() || "none" },
      body: JSON.stringify({ text: message, languageCode: locale, ...(conversation ? { conversation } : {}) }),
    });
    const update = (f: (last: Turn) => Turn) => setTurns((old) => [...old.slice(0, -1), f(old[old.length - 1])]);
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => ({}));
      update((last) => ({ ...last, text: t("form.error", { message: body.message ?? response.status }) }));
      setBusy(false);
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const { events, rest } = splitEvents(buffer);
      buffer = rest;
      for (const event of events) {
        let item: Record<string, any>;
        try {
          item = JSON.parse(event.data);
        } catch {
          continue;
        }
        if (item.started?.conversation) setConversation(item.started.conversation);
        if (item.text) update((last) => ({ ...last, text: last.text ? `${last.text}\n${item.text}` : item.text }));
        if (item.confirmation?.prompt) update((last) => ({ ...last, confirm: item.confirmation.prompt }));
        if (item.done?.text) update((last) => ({ ...last, text: last.text || item.done.text }));
      }
    }
    setBusy(false);
  }

  function spoken(answer: Spoken) {
    if (answer.conversation) setConversation(answer.conversation);
    setTurns((old) => [
      ...old,
      { who: "me", text: answer.heard },
      { who: "bot", text: answer.reply, confirm: answer.confirm },
    ]);
  }

  return (
    <>
      <ol className="chat" aria-live="polite" aria-busy={busy}>
        {turns.map((turn, i) => (
          <li key={i} className={turn.who === "me" ? "me" : ""} data-testid={turn.who === "me" ? "chat-me" : "chat-bot"}>
            <span className="visually-hidden">{turn.who === "me" ? t("assistant.you") : t("assistant.bot")}: </span>
            <span style={{ whiteSpace: "pre-line" }}>{turn.text || (busy && i === turns.length - 1 ? t("assistant.thinking") : "")}</span>
            {turn.confirm ? (
              <div className="row">
                <span>{turn.confirm}</span>
                <button type="button" disabled={busy} onClick={() => void send({ ja: "はい", en: "yes", vi: "có", id: "ya" }[locale])}>
                  {t("assistant.confirm")}
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ol>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          const message = text;
          setText("");
          void send(message);
        }}
      >
        <div className="field">
          <label htmlFor="message">{t("assistant.message")}</label>
          <textarea id="message" name="message" rows={2} value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} />
        </div>
        <button type="submit" disabled={busy || !text.trim()}>
          {t("assistant.send")}
        </button>
      </form>
      <HoldToTalk locale={locale} user={user} conversation={conversation} onAnswer={spoken} />
    </>
  );
}
