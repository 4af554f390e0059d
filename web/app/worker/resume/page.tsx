import { serverApi } from "@/lib/api/server";
import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { ResumeUpload } from "./ResumeUpload";

export default async function ResumePage() {
  const s = await requireSession("/worker/resume", "ROLE_WORKER");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/workers/{worker}", { params: { path: { worker: s.userId } } });
  return (
    <>
      <h1>{t("resume.title")}</h1>
      <p>{t("resume.lead")}</p>
      <ResumeUpload locale={locale} worker={s.userId} profile={data?.profile ?? {}} />
    </>
  );
}
