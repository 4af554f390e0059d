import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { Chat } from "./Chat";

export default async function Assistant() {
  const s = await requireSession("/worker/assistant", "ROLE_WORKER");
  const { locale, t } = await i18n();
  return (
    <>
      <h1>{t("assistant.title")}</h1>
      <p>{t("assistant.lead")}</p>
      <Chat locale={locale} user={s.userId} />
    </>
  );
}
