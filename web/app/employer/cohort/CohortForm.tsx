"use client";
// Cohort allocation: pick open jobs and candidate workers; see each placement, the total and what is left.
import { useState } from "react";
import { api } from "@/lib/api/browser";
import { errorMessage } from "@/lib/api/errors";
import { formatPercent } from "@/lib/format";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

type Result = { assignments?: { worker?: string; job?: string; score?: number }[]; totalScore?: number; unfilledSeats?: number; unplacedWorkers?: string[]; solver?: string };

export function CohortForm({
  locale,
  employer,
  jobs,
  candidates,
}: {
  locale: Locale;
  employer: string;
  jobs: { name: string; title: string }[];
  candidates: { worker: string; name: string }[];
}) {
  const t = translator(locale);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState("");
  const title = (name?: string) => jobs.find((j) => j.name === name)?.title ?? name;
  const person = (name?: string) => candidates.find((c) => c.worker === name)?.name ?? name;
  return (
    <>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          const f = new FormData(e.currentTarget);
          const { data, error: err } = await api.POST("/v1/employers/{employer}/cohorts:allocate", {
            params: { path: { employer } },
            body: {
              jobs: f.getAll("job").map((job) => ({ job: String(job), seats: 0 })),
              workers: String(f.get("workers") ?? "").split(/\s+/).filter(Boolean),
            } as never,
          });
          if (err) setError(errorMessage(err));
          else setResult(data as Result);
        }}
      >
        <fieldset className="field">
          <legend>{t("cohort.jobs")}</legend>
          {jobs.map((j, i) => (
            <div className="row" key={j.name}>
              <input type="checkbox" id={`job-${i}`} name="job" value={j.name} defaultChecked />
              <label htmlFor={`job-${i}`}>{j.title}</label>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="workers">{t("cohort.workers")}</label>
          <textarea id="workers" name="workers" rows={6} defaultValue={candidates.map((c) => c.worker).join("\n")} />
        </div>
        <button type="submit">{t("cohort.run")}</button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {t("form.error", { message: error })}
        </p>
      ) : null}
      {result ? (
        <section aria-labelledby="cohort-result">
          <h2 id="cohort-result">{t("cohort.result")}</h2>
          <p>{t("cohort.total", { value: (result.totalScore ?? 0).toFixed(2) })} · {result.solver}</p>
          <table>
            <tbody>
              {(result.assignments ?? []).map((a) => (
                <tr key={`${a.worker}-${a.job}`}>
                  <th scope="row">{person(a.worker)}</th>
                  <td>{title(a.job)}</td>
                  <td>{formatPercent(a.score, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}
