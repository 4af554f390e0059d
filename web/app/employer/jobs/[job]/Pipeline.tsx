"use client";
// The pipeline board: applied → shortlisted → interview → offer → hired or rejected, live, with a funnel.
import { useCallback, useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, XAxis, YAxis } from "recharts";
import { LiveBadge } from "@/components/LiveBadge";
import { useNotifications } from "@/components/useNotifications";
import { api } from "@/lib/api/browser";
import { errorMessage } from "@/lib/api/errors";
import type { Application, ApplicationStatus } from "@/lib/api/types";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

export const STAGES: ApplicationStatus[] = [
  "APPLICATION_STATUS_APPLIED",
  "APPLICATION_STATUS_SHORTLISTED",
  "APPLICATION_STATUS_INTERVIEW",
  "APPLICATION_STATUS_OFFER",
  "APPLICATION_STATUS_HIRED",
  "APPLICATION_STATUS_REJECTED",
];
const ORDER = STAGES.slice(0, 5);

/** How many applications reached each stage (a hired one also passed every earlier stage). */
export function funnel(apps: Application[]): { stage: ApplicationStatus; count: number }[] {
  const reached = (a: Application) => {
    const seen = new Set([a.status, ...(a.history ?? []).map((h) => (h as { status?: string }).status)]);
    return ORDER.reduce((best, s, i) => (seen.has(s) ? i : best), 0);
  };
  return ORDER.map((stage, i) => ({ stage, count: apps.filter((a) => a.status !== "APPLICATION_STATUS_WITHDRAWN" && reached(a) >= i).length }));
}

export function Pipeline({ locale, employer, job, initial }: { locale: Locale; employer: string; job: string; initial: Application[] }) {
  const t = translator(locale);
  const [apps, setApps] = useState(initial);
  const [error, setError] = useState("");
  const reload = useCallback(async () => {
    const { data } = await api.GET("/v1/employers/{employer}/jobs/{job}/applications", {
      params: { path: { employer, job }, query: { pageSize: 100 } },
    });
    if (data) setApps(data.applications ?? []);
  }, [employer, job]);
  const state = useNotifications(() => void reload());

  async function move(a: Application, status: ApplicationStatus) {
    setError("");
    const id = a.name!.split("/").pop()!;
    const { error: err } = await api.POST("/v1/employers/{employer}/jobs/{job}/applications/{application}:updateStatus", {
      params: { path: { employer, job, application: id } },
      body: { status },
    });
    if (err) setError(errorMessage(err));
    await reload();
  }

  const counts = funnel(apps).map((f) => ({ name: t(`status.${f.stage}` as never), count: f.count }));
  return (
    <>
      <p className="row">
        <LiveBadge state={state} t={t} />
      </p>
      {error ? (
        <p className="error" role="alert">
          {t("form.error", { message: error })}
        </p>
      ) : null}
      <div className="board">
        {STAGES.map((stage) => (
          <section key={stage} aria-labelledby={`col-${stage}`} data-testid={`column-${stage}`}>
            <h3 id={`col-${stage}`}>
              {t(`status.${stage}` as never)} ({apps.filter((a) => a.status === stage).length})
            </h3>
            <ul className="cards">
              {apps
                .filter((a) => a.status === stage)
                .map((a) => (
                  <li key={a.name} className="card" data-testid="pipeline-card">
                    <strong>{a.workerDisplayName}</strong>
                    <label className="field">
                      <select
                        aria-label={t("pipeline.moveLabel", { name: a.workerDisplayName ?? "" })}
                        value=""
                        onChange={(e) => e.target.value && void move(a, e.target.value as ApplicationStatus)}
                      >
                        <option value="">{t("pipeline.move")}</option>
                        {STAGES.filter((s) => s !== stage).map((s) => (
                          <option key={s} value={s}>
                            {t(`status.${s}` as never)}
                          </option>
                        ))}
                      </select>
                    </label>
                  </li>
                ))}
            </ul>
          </section>
        ))}
      </div>
      <figure>
        <figcaption>
          <h2>{t("pipeline.funnel")}</h2>
        </figcaption>
        <div aria-hidden="true" style={{ width: "100%", height: 220 }}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart accessibilityLayer={false} data={counts}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="name" tick={{ fill: "#1a1a1a" }} />
              <YAxis allowDecimals={false} tick={{ fill: "#1a1a1a" }} />
              <Bar dataKey="count" fill="#0b5cad" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <table className="visually-hidden">
          <caption>{t("pipeline.funnel")}</caption>
          <tbody>
            {counts.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                <td>{c.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figure>
    </>
  );
}
