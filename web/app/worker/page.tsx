import Link from "next/link";
import { ScoreChart } from "@/components/ScoreChart";
import { serverApi } from "@/lib/api/server";
import { formatPercent } from "@/lib/format";
import { requireSession, workerId } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { jobHref, placeText } from "@/lib/jobs";

/** Recommended jobs with their reasons and the match breakdown as a chart. */
export default async function Recommendations() {
  const s = await requireSession("/worker", "ROLE_WORKER");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data, error } = await api.GET("/v1/workers/{worker}:recommendJobs", {
    params: { path: { worker: workerId(s) }, query: { pageSize: 10, languageCode: locale === "ja" ? "ja" : "en" } },
  });
  const matches = data?.matches ?? [];
  return (
    <>
      <h1>{t("reco.title")}</h1>
      <p>{t("reco.lead")}</p>
      {error ? (
        <p className="error" role="alert">
          {t("form.error", { message: (error as { message?: string }).message ?? "" })}
        </p>
      ) : null}
      {matches.length === 0 ? (
        <div className="card">
          <p>{t("reco.empty")}</p>
          <p className="row">
            <Link href="/worker/profile">{t("worker.step.profile")}</Link>
            <Link href="/worker/resume">{t("worker.step.resume")}</Link>
          </p>
        </div>
      ) : (
        <ol className="cards" aria-label={t("reco.title")}>
          {matches.map((m) => (
            <li key={m.job} className="card" data-testid="recommendation">
              <h2>
                <Link href={jobHref(m.job)}>{m.title}</Link>
              </h2>
              <p className="row">
                <span>{m.employerDisplayName}</span>
                <span>{placeText(m.location, locale)}</span>
                <span className="pill">{t("reco.score", { value: formatPercent(m.score?.total, locale) })}</span>
              </p>
              <ul>
                {(m.reasons ?? []).map((r, i) => (
                  <li key={i}>{r.text}</li>
                ))}
              </ul>
              {m.matchedSkills?.length ? (
                <p>
                  <strong>{t("reco.matchedSkills")}:</strong> {m.matchedSkills.map((x) => x.label).join(", ")}
                </p>
              ) : null}
              {m.missingSkills?.length ? (
                <p>
                  <strong>{t("reco.missingSkills")}:</strong> {m.missingSkills.map((x) => x.label).join(", ")}
                </p>
              ) : null}
              <ScoreChart
                title={t("reco.breakdown")}
                parts={(m.score?.components ?? [])
                  .filter((c) => c.component && c.component !== "COMPONENT_UNSPECIFIED" && c.component !== "COMPONENT_EXPOSURE")
                  .map((c) => ({ label: t(`component.${c.component}` as never), value: c.value ?? 0 }))}
              />
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
