import Link from "next/link";
import { notFound } from "next/navigation";
import { serverApi } from "@/lib/api/server";
import { formatPercent } from "@/lib/format";
import { orgId, requireSession } from "@/lib/guard";
import { enumName } from "@/lib/i18n/enums";
import { i18n } from "@/lib/i18n/server";
import { jobHref, placeText } from "@/lib/jobs";
import { Pipeline } from "./Pipeline";

/** One job of the organisation: its pipeline (live), funnel and ranked candidates with reasons. */
export default async function EmployerJob({ params }: { params: Promise<{ job: string }> }) {
  const { job } = await params;
  const s = await requireSession(`/employer/jobs/${job}`, "ROLE_EMPLOYER");
  const { locale, t } = await i18n();
  const employer = orgId(s);
  const api = await serverApi(s.token);
  const [found, apps, candidates] = await Promise.all([
    api.GET("/v1/employers/{employer}/jobs/{job}", { params: { path: { employer, job } } }),
    api.GET("/v1/employers/{employer}/jobs/{job}/applications", { params: { path: { employer, job }, query: { pageSize: 100 } } }),
    api.GET("/v1/employers/{employer}/jobs/{job}/candidates", {
      params: { path: { employer, job }, query: { pageSize: 10, languageCode: locale === "ja" ? "ja" : "en" } },
    }),
  ]);
  const j = found.data?.job;
  if (!j) notFound();
  return (
    <>
      <h1>{j.title}</h1>
      <p className="row">
        <span className="pill">{t(`jobState.${j.state}` as never)}</span>
        <span>{placeText(j.location, locale)}</span>
        <Link href={jobHref(j.name)}>{t("employer.publicPage")}</Link>
      </p>
      <h2>{t("pipeline.title")}</h2>
      <Pipeline locale={locale} employer={employer} job={job} initial={apps.data?.applications ?? []} />
      <h2>{t("candidates.title")}</h2>
      {(candidates.data?.matches ?? []).length === 0 ? <p>{t("candidates.none")}</p> : null}
      <ol className="cards">
        {(candidates.data?.matches ?? []).map((m) => (
          <li key={m.worker} className="card" data-testid="candidate">
            <h3>{m.displayName}</h3>
            <p className="row">
              <span className="pill">{t("reco.score", { value: formatPercent(m.score?.total, locale) })}</span>
              <span>{enumName("visa", m.visaStatus, locale)}</span>
              <span>JLPT {enumName("jlpt", m.japaneseLevel, locale)}</span>
              <span>{placeText(m.location, locale)}</span>
            </p>
            <ul>
              {(m.reasons ?? []).map((r, i) => (
                <li key={i}>{r.text}</li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </>
  );
}
