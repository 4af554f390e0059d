import Link from "next/link";
import { serverApi } from "@/lib/api/server";
import { formatDate } from "@/lib/format";
import { orgId, requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { placeText, wageText } from "@/lib/jobs";

/** The organisation's jobs, newest first, each to its candidates and pipeline. */
export default async function EmployerHome() {
  const s = await requireSession("/employer", "ROLE_EMPLOYER");
  const { locale, t } = await i18n();
  const org = orgId(s);
  const api = await serverApi(s.token);
  const [{ data }, members] = await Promise.all([
    api.GET("/v1/employers/{employer}/jobs", { params: { path: { employer: org }, query: { pageSize: 100 } } }),
    api.GET("/v1/organizations/{organization}/members", { params: { path: { organization: org } } }),
  ]);
  const jobs = data?.jobs ?? [];
  return (
    <>
      <h1>{t("employer.title")}</h1>
      <p>
        <Link className="button" href="/employer/jobs/new">
          {t("employer.post")}
        </Link>{" "}
        <Link href="/employer/cohort">{t("cohort.title")}</Link>
      </p>
      <h2>{t("employer.jobs")}</h2>
      {jobs.length === 0 ? <p>{t("employer.noJobs")}</p> : null}
      <ul className="cards">
        {jobs.map((job) => {
          const id = job.name?.split("/").pop() ?? "";
          return (
            <li key={job.name} className="card" data-testid="employer-job">
              <h3>
                <Link href={`/employer/jobs/${id}`}>{job.title}</Link>
              </h3>
              <p className="row">
                <span className="pill">{t(`jobState.${job.state}` as never)}</span>
                <span>{placeText(job.location, locale)}</span>
                <span>{wageText(job, locale, t)}</span>
                <span className="muted">{formatDate(job.createTime, locale)}</span>
              </p>
            </li>
          );
        })}
      </ul>
      <h2>{t("employer.members")}</h2>
      <ul>
        {((members.data as { members?: { displayName?: string; email?: string; name?: string }[] } | undefined)?.members ?? []).map((m) => (
          <li key={m.name}>
            {m.displayName} <span className="muted">{m.email}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
