"use client";
import { useState } from "react";
import { api, csrfToken } from "@/lib/api/browser";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import type { ResumeDraft, WorkerProfile } from "@/lib/api/types";
import { formatPercent } from "@/lib/format";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { acceptance, describe, suggestions, type Suggestion } from "@/lib/resume";

/** Upload a résumé; the agent's suggestions are accepted one by one, each with its evidence quoted. */
export function ResumeUpload({ locale, worker, profile }: { locale: Locale; worker: string; profile: WorkerProfile }) {
  const t = translator(locale);
  const [current, setCurrent] = useState(profile);
  const [items, setItems] = useState<Suggestion[] | null>(null);
  const [accepted, setAccepted] = useState<Set<string>>(new Set());
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function upload(file: File) {
    setBusy(true);
    setError("");
    const response = await fetch(`/api/v1/workers/${worker}/resume:parse`, {
      method: "POST",
      headers: { "content-type": file.type || "application/octet-stream", "x-csrf-token": csrfToken() || "none" },
      body: file,
    });
    const body = await response.json().catch(() => ({}));
    setBusy(false);
    if (!response.ok) {
      const fields = fieldErrors(body);
      setError(Object.values(fields)[0] || errorMessage(body));
      return;
    }
    setItems(suggestions((body as { draft?: ResumeDraft }).draft));
  }

  async function accept(s: Suggestion) {
    const { profile: patch, mask } = acceptance(current, s);
    const { data, error: err } = await api.PATCH("/v1/workers/{worker}", {
      params: { path: { worker }, query: { updateMask: mask } as never },
      body: { name: `workers/${worker}`, ...patch } as WorkerProfile,
    });
    if (err) {
      setError(errorMessage(err));
      return;
    }
    if (data?.profile) setCurrent(data.profile);
    setAccepted((old) => new Set(old).add(s.field));
  }

  return (
    <>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          const file = (e.currentTarget.elements.namedItem("resume") as HTMLInputElement).files?.[0];
          if (file) void upload(file);
        }}
      >
        <div className="field">
          <label htmlFor="resume">{t("resume.file")}</label>
          <input
            id="resume"
            name="resume"
            type="file"
            accept=".pdf,.docx,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "resume-error" : undefined}
            required
          />
          {error ? (
            <span className="error" id="resume-error" role="alert">
              {error}
            </span>
          ) : null}
        </div>
        <button type="submit" disabled={busy}>
          {busy ? t("resume.reading") : t("resume.upload")}
        </button>
      </form>
      {items ? (
        <section aria-labelledby="suggestions">
          <h2 id="suggestions">{t("resume.suggestions")}</h2>
          {items.length === 0 ? <p>{t("resume.none")}</p> : null}
          <ul className="cards">
            {items.map((s) => (
              <li key={s.field} className="card" data-testid="suggestion">
                <p>
                  <strong>{s.field}</strong>: {describe(s.value)}{" "}
                  <span className="muted">{t("resume.confidence", { value: formatPercent(s.confidence, locale) })}</span>
                </p>
                {s.evidence
                  .filter((e) => e.text)
                  .map((e, i) => (
                    <figure key={i} style={{ margin: 0 }}>
                      <blockquote>{e.text}</blockquote>
                      <figcaption className="muted">{t("resume.evidence", { page: e.page })}</figcaption>
                    </figure>
                  ))}
                {accepted.has(s.field) ? (
                  <p className="status-ok" role="status">
                    {t("resume.accepted")}
                  </p>
                ) : (
                  <button type="button" onClick={() => void accept(s)} aria-label={`${t("resume.accept")}: ${s.field} ${describe(s.value)}`}>
                    {t("resume.accept")}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
