import { orgId, requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { JobForm } from "./JobForm";

export default async function NewJob() {
  const s = await requireSession("/employer/jobs/new", "ROLE_EMPLOYER");
  const { locale, t } = await i18n();
  return (
    <>
      <h1>{t("jobForm.title")}</h1>
      <JobForm locale={locale} employer={orgId(s)} />
    </>
  );
}
