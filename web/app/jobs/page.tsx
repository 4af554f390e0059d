import Link from "next/link";
import { serverApi } from "@/lib/api/server";
import { enumName, enumOptions } from "@/lib/i18n/enums";
import { i18n } from "@/lib/i18n/server";
import { jobHref, placeText, wageText } from "@/lib/jobs";
import { PREFECTURES } from "@/lib/prefectures";

type Search = { query?: string; prefecture?: string; japaneseLevel?: string; visaStatus?: string; orderBy?: string };

/** Search with filters (public; server-rendered from the query string, so it works without scripts). */
export default async function JobSearch({ searchParams }: { searchParams: Promise<Search> }) {
  const { locale, t } = await i18n();
  const q = await searchParams;
  const api = await serverApi();
  const query: Record<string, string | number> = { pageSize: 20 };
  for (const key of ["query", "prefecture", "japaneseLevel", "visaStatus", "orderBy"] as const) if (q[key]) query[key] = q[key]!;
  const { data, error } = await api.GET("/v1/jobs:search", { params: { query: query as never } });
  const jobs = data?.jobs ?? [];
  const selectProps = (name: keyof Search) => ({ id: name, name, defaultValue: q[name] ?? "" });
  return (
    <>
      <h1>{t("search.title")}</h1>
      <form method="get" className="stack" role="search">
        <div className="field">
          <label htmlFor="query">{t("search.query")}</label>
          <input {...selectProps("query")} type="search" />
        </div>
        <div className="field">
          <label htmlFor="prefecture">{t("search.prefecture")}</label>
          <select {...selectProps("prefecture")}>
            <option value="">{t("search.any")}</option>
            {PREFECTURES.map((p) => (
              <option key={p.code} value={p.code}>
                {locale === "ja" ? p.ja : p.en}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="japaneseLevel">{t("search.jlpt")}</label>
          <select {...selectProps("japaneseLevel")}>
            <option value="">{t("search.any")}</option>
            {enumOptions("jlpt", locale).map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="visaStatus">{t("search.visa")}</label>
          <select {...selectProps("visaStatus")}>
            <option value="">{t("search.any")}</option>
            {enumOptions("visa", locale).map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="orderBy">{t("search.order")}</label>
          <select {...selectProps("orderBy")}>
            <option value="">{t("search.order.new")}</option>
            <option value="wage desc">{t("search.order.wageDesc")}</option>
          </select>
        </div>
        <button type="submit">{t("search.submit")}</button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {(error as { message?: string }).message}
        </p>
      ) : null}
      <h2 aria-live="polite">{jobs.length ? t("search.results", { count: jobs.length }) : t("search.none")}</h2>
      <ul className="cards">
        {jobs.map((job) => (
          <li key={job.name} className="card" data-testid="job">
            <h3>
              <Link href={jobHref(job.name)}>{job.title}</Link>
            </h3>
            <p className="row">
              <span>{job.employerDisplayName}</span>
              <span>{placeText(job.location, locale)}</span>
              <span>{wageText(job, locale, t)}</span>
              {job.minJapaneseLevel && job.minJapaneseLevel !== "JAPANESE_LEVEL_UNSPECIFIED" ? (
                <span className="pill">JLPT {enumName("jlpt", job.minJapaneseLevel, locale)}</span>
              ) : null}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
