"use client";
// "Hold to talk": the microphone records while the button is held (pointer, or Space/Enter from the
// keyboard), then the recording goes to the voice service's Ask (REST, the recording as the request
// body, through this app's /api proxy with the CSRF token). The answer's transcript and reply are shown
// as chat turns and its spoken reply is played. A pending confirmation is answered by voice too.
import { useRef, useState } from "react";
import { csrfToken } from "@/lib/api/browser";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

export type Spoken = { heard: string; reply: string; confirm?: string; conversation: string };

export function HoldToTalk({
  locale,
  user,
  conversation,
  onAnswer,
}: {
  locale: Locale;
  user: string;
  conversation: string;
  onAnswer: (answer: Spoken) => void;
}) {
  const t = translator(locale);
  const [state, setState] = useState<"idle" | "listening" | "sending">("idle");
  const [problem, setProblem] = useState("");
  const recorder = useRef<MediaRecorder | null>(null);
  const chunks = useRef<Blob[]>([]);

  async function start() {
    if (state !== "idle") return;
    setProblem("");
    if (typeof MediaRecorder === "undefined" || !navigator.mediaDevices?.getUserMedia) {
      setProblem(t("voice.unsupported"));
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const media = new MediaRecorder(stream);
      chunks.current = [];
      media.ondataavailable = (e) => e.data.size && chunks.current.push(e.data);
      media.onstop = () => {
        stream.getTracks().forEach((track) => track.stop());
        void send(new Blob(chunks.current, { type: media.mimeType || "audio/webm" }));
      };
      media.start();
      recorder.current = media;
      setState("listening");
    } catch {
      setProblem(t("voice.noMicrophone"));
    }
  }

  function stop() {
    if (recorder.current && recorder.current.state === "recording") {
      setState("sending");
      recorder.current.stop();
      recorder.current = null;
    }
  }

  async function send(recording: Blob) {
    const query = new URLSearchParams({ languageCode: locale });
    if (conversation) query.set("conversation", conversation);
    try {
      const response = await fetch(`/api/v1/users/${user}/voice:ask?${query}`, {
        method: "POST",
        headers: { "content-type": recording.type || "audio/webm", "x-csrf-token": csrfToken() || "none" },
        body: recording,
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        setProblem(t("form.error", { message: answer.message ?? response.status }));
        return;
      }
      onAnswer({
        heard: answer.transcript?.text ?? "",
        reply: answer.replyText ?? "",
        confirm: answer.confirmation?.prompt,
        conversation: answer.conversation ?? conversation,
      });
      if (answer.audio?.data) {
        const audio = new Audio(`data:${answer.audio.contentType || "audio/wav"};base64,${answer.audio.data}`);
        void audio.play().catch(() => undefined); // a browser may refuse autoplay; the text is shown anyway
      }
    } catch {
      setProblem(t("voice.failed"));
    } finally {
      setState("idle");
    }
  }

  const keyDown = (e: React.KeyboardEvent) => {
    if ((e.key === " " || e.key === "Enter") && !e.repeat) {
      e.preventDefault();
      void start();
    }
  };
  const keyUp = (e: React.KeyboardEvent) => {
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      stop();
    }
  };

  return (
    <div className="stack">
      <button
        type="button"
        data-testid="hold-to-talk"
        aria-pressed={state === "listening"}
        disabled={state === "sending"}
        onPointerDown={() => void start()}
        onPointerUp={stop}
        onPointerLeave={stop}
        onKeyDown={keyDown}
        onKeyUp={keyUp}
      >
        {state === "listening" ? t("voice.listening") : state === "sending" ? t("voice.sending") : t("voice.hold")}
      </button>
      {problem ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
