import { serverApi } from "@/lib/api/server";
import { orgId, requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { CohortForm } from "./CohortForm";

export default async function CohortPage() {
  const s = await requireSession("/employer/cohort", "ROLE_EMPLOYER");
  const { locale, t } = await i18n();
  const employer = orgId(s);
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/employers/{employer}/jobs", { params: { path: { employer }, query: { pageSize: 100 } } });
  const open = (data?.jobs ?? []).filter((j) => j.state === "JOB_STATE_OPEN").map((j) => ({ name: j.name!, title: j.title ?? "" }));
  // The candidates of the open jobs (matching's ranking), as the starting list.
  const candidates = new Map<string, string>();
  for (const job of open.slice(0, 5)) {
    const id = job.name.split("/").pop()!;
    const ranked = await api.GET("/v1/employers/{employer}/jobs/{job}/candidates", { params: { path: { employer, job: id }, query: { pageSize: 10 } } });
    for (const m of ranked.data?.matches ?? []) if (m.worker) candidates.set(m.worker, m.displayName ?? m.worker);
  }
  return (
    <>
      <h1>{t("cohort.title")}</h1>
      <p>{t("cohort.lead")}</p>
      <CohortForm locale={locale} employer={employer} jobs={open} candidates={[...candidates].map(([worker, name]) => ({ worker, name }))} />
    </>
  );
}
