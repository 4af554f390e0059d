import { serverApi } from "@/lib/api/server";
import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { LiveApplications } from "./LiveApplications";

export default async function Applications() {
  const s = await requireSession("/worker/applications", "ROLE_WORKER");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/workers/{worker}/applications", { params: { path: { worker: s.userId }, query: { pageSize: 100 } } });
  return (
    <>
      <h1>{t("apps.title")}</h1>
      <LiveApplications locale={locale} worker={s.userId} initial={data?.applications ?? []} />
    </>
  );
}
