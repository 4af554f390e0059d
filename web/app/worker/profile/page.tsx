import { serverApi } from "@/lib/api/server";
import { requireSession, workerId } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { ProfileForm } from "./ProfileForm";

export default async function ProfilePage() {
  const s = await requireSession("/worker/profile", "ROLE_WORKER");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/workers/{worker}", { params: { path: { worker: workerId(s) } } });
  return (
    <>
      <h1>{t("profile.title")}</h1>
      <p>{t("profile.lead")}</p>
      <ProfileForm locale={locale} worker={workerId(s)} profile={data?.profile ?? {}} />
    </>
  );
}
