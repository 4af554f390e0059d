import { serverApi } from "@/lib/api/server";
import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { LiveNotifications } from "../../worker/notifications/LiveNotifications";

export default async function EmployerNotifications() {
  const s = await requireSession("/employer/notifications");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/users/{user}/notifications", { params: { path: { user: s.userId }, query: { pageSize: 50 } } });
  return (
    <>
      <h1>{t("notes.title")}</h1>
      <LiveNotifications locale={locale} user={s.userId} initial={data?.notifications ?? []} />
    </>
  );
}
