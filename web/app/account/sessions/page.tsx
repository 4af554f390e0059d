import { serverApi } from "@/lib/api/server";
import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { Sessions } from "../AccountForms";

export default async function SessionsPage() {
  const s = await requireSession("/account/sessions");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/users/{user}/sessions", { params: { path: { user: s.userId } } });
  return (
    <>
      <h1>{t("sessions.title")}</h1>
      <p>{t("sessions.lead")}</p>
      <Sessions locale={locale} user={s.userId} sessions={data?.sessions ?? []} />
    </>
  );
}
