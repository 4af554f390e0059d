import { i18n } from "@/lib/i18n/server";
import { VerifyForm } from "./VerifyForm";

/** The public verifier: no account needed. */
export default async function VerifyPage() {
  const { locale, t } = await i18n();
  return (
    <>
      <h1>{t("verify.title")}</h1>
      <p>{t("verify.lead")}</p>
      <VerifyForm locale={locale} />
    </>
  );
}
