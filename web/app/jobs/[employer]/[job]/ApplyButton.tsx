"use client";
import Link from "next/link";
import { useState } from "react";
import { api } from "@/lib/api/browser";
import { errorMessage } from "@/lib/api/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

export function ApplyForm({ locale, employer, job, applied }: { locale: Locale; employer: string; job: string; applied: boolean }) {
  const t = translator(locale);
  const [done, setDone] = useState(applied);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  if (done)
    return (
      <p className="status-ok" role="status">
        {t("job.applied")} <Link href="/worker/applications">{t("nav.applications")}</Link>
      </p>
    );
  return (
    <form
      className="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const coverLetter = String(new FormData(e.currentTarget).get("coverLetter") ?? "");
        const { error: err } = await api.POST("/v1/employers/{employer}/jobs/{job}/applications", {
          params: { path: { employer, job } },
          body: { coverLetter },
        });
        setBusy(false);
        if (err) setError(errorMessage(err));
        else setDone(true);
      }}
    >
      <div className="field">
        <label htmlFor="coverLetter">{t("job.coverLetter")}</label>
        <textarea id="coverLetter" name="coverLetter" rows={3} maxLength={2000} />
      </div>
      {error ? (
        <p className="error" role="alert">
          {t("form.error", { message: error })}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {t("job.apply")}
      </button>
    </form>
  );
}
