"use client";
// Cohort allocation: pick open jobs and candidate workers; see each placement, the total and what is left.
import { useState } from "react";
import { api } from "@/lib/api/browser";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import { formatPercent } from "@/lib/format";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

type Result = {
  assignments?: { worker?: string; job?: string; score?: number }[];
  totalScore?: number;
  unfilledSeats?: number;
  unplacedWorkers?: string[];
  blockingPairs?: number;
  solver?: string;
};

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
  const [errors, setErrors] = useState<Record<string, string>>({});
  const title = (name?: string) => jobs.find((j) => j.name === name)?.title ?? name;
  const person = (name?: string) => candidates.find((c) => c.worker === name)?.name ?? name;
  return (
    <>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          setErrors({});
          const f = new FormData(e.currentTarget);
          const { data, error: err } = await api.POST("/v1/employers/{employer}/cohorts:allocate", {
            params: { path: { employer } },
            body: {
              jobs: f.getAll("job").map((job) => ({ job: String(job), seats: 0 })),
              workers: String(f.get("workers") ?? "").split(/\s+/).filter(Boolean),
            } as never,
          });
          if (err) {
            const found = fieldErrors(err);
            setErrors(found);
            if (!Object.keys(found).length) setError(errorMessage(err));
            setResult(null);
          } else setResult(data as Result);
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
          <textarea
            id="workers"
            name="workers"
            rows={6}
            defaultValue={candidates.map((c) => c.worker).join("\n")}
            aria-invalid={errors.workers ? true : undefined}
            aria-describedby={errors.workers ? "workers-error" : undefined}
          />
          {errors.workers ? (
            <span className="error" id="workers-error" role="alert">
              {errors.workers}
            </span>
          ) : null}
        </div>
        {errors.jobs ? (
          <p className="error" role="alert">
            {errors.jobs}
          </p>
        ) : null}
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
          <dl className="figures" data-testid="cohort-figures">
            <dt>{t("cohort.placed")}</dt>
            <dd data-testid="cohort-placed">{(result.assignments ?? []).length}</dd>
            <dt>{t("cohort.totalScore")}</dt>
            <dd>{(result.totalScore ?? 0).toFixed(2)}</dd>
            <dt>{t("cohort.unfilled")}</dt>
            <dd>{result.unfilledSeats ?? 0}</dd>
            <dt>{t("cohort.unplaced")}</dt>
            <dd>{(result.unplacedWorkers ?? []).length}</dd>
            <dt>{t("cohort.blocking")}</dt>
            <dd>{result.blockingPairs ?? 0}</dd>
            <dt>{t("cohort.solver")}</dt>
            <dd>{result.solver}</dd>
          </dl>
          <table data-testid="cohort-assignments">
            <caption className="visually-hidden">{t("cohort.result")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("cohort.worker")}</th>
                <th scope="col">{t("cohort.job")}</th>
                <th scope="col">{t("cohort.score")}</th>
              </tr>
            </thead>
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
