import Link from "next/link";
import { notFound } from "next/navigation";
import { serverApi } from "@/lib/api/server";
import { enumName } from "@/lib/i18n/enums";
import { i18n } from "@/lib/i18n/server";
import { placeText, wageText } from "@/lib/jobs";
import { session } from "@/lib/session";
import { ApplyForm } from "./ApplyButton";

/** A job, with its eligibility explained for the signed-in worker (every rule, passed or not, and why). */
export default async function JobPage({ params }: { params: Promise<{ employer: string; job: string }> }) {
  const { employer, job } = await params;
  const { locale, t } = await i18n();
  const s = await session();
  const api = await serverApi(s?.token);
  const { data } = await api.GET("/v1/employers/{employer}/jobs/{job}", { params: { path: { employer, job } } });
  const j = data?.job;
  if (!j) notFound();
  const isWorker = Boolean(s?.roles.includes("ROLE_WORKER"));
  let explanation = null;
  let applied = false;
  if (isWorker && s) {
    const [explained, mine] = await Promise.all([
      api.GET("/v1/workers/{worker}:explainMatch", {
        params: { path: { worker: s.userId }, query: { job: j.name, languageCode: locale === "ja" ? "ja" : "en" } as never },
      }),
      api.GET("/v1/workers/{worker}/applications", { params: { path: { worker: s.userId }, query: { pageSize: 100 } } }),
    ]);
    explanation = explained.data ?? null;
    applied = (mine.data?.applications ?? []).some((a) => a.job === j.name && a.status !== "APPLICATION_STATUS_WITHDRAWN");
  }
  const skills = [...(j.requiredSkills ?? []), ...(j.preferredSkills ?? [])].map((x) => x.label).filter(Boolean);
  return (
    <>
      <h1>{j.title}</h1>
      <p className="row">
        <span>{j.employerDisplayName}</span>
      </p>
      <dl>
        <dt>{t("job.wage")}</dt>
        <dd>{wageText(j, locale, t)}</dd>
        <dt>{t("job.location")}</dt>
        <dd>{placeText(j.location, locale)}</dd>
        <dt>{t("job.japanese")}</dt>
        <dd>{enumName("jlpt", j.minJapaneseLevel, locale) || "—"}</dd>
        {j.eligibleVisaStatuses?.length ? (
          <>
            <dt>{t("job.visas")}</dt>
            <dd>{j.eligibleVisaStatuses.map((v) => enumName("visa", v, locale)).join("、")}</dd>
          </>
        ) : null}
        {skills.length ? (
          <>
            <dt>{t("job.skills")}</dt>
            <dd>{skills.join(", ")}</dd>
          </>
        ) : null}
      </dl>
      <p style={{ whiteSpace: "pre-line" }}>{j.description}</p>
      <section aria-labelledby="eligibility">
        <h2 id="eligibility">{t("job.eligibility")}</h2>
        {!isWorker ? (
          <p>
            <Link href={`/login?next=/jobs/${employer}/${job}`}>{t("job.loginToCheck")}</Link>
          </p>
        ) : explanation ? (
          <>
            <p className={explanation.eligible ? "status-ok" : "status-bad"} data-testid="eligibility">
              {explanation.eligible ? t("job.eligible") : t("job.notEligible")}
            </p>
            <ul>
              {(explanation.rules ?? []).map((r, i) => (
                <li key={i}>
                  <span className={r.passed ? "status-ok" : "status-bad"}>{r.passed ? "✓" : "✗"}</span> {r.reason}
                  {!r.passed && r.fix ? <div className="muted">{t("job.fix", { fix: r.fix })}</div> : null}
                </li>
              ))}
            </ul>
            {explanation.eligible ? <ApplyForm locale={locale} employer={employer} job={job} applied={applied} /> : null}
          </>
        ) : null}
      </section>
    </>
  );
}
