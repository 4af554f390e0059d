import { i18n } from "@/lib/i18n/server";
import { VerifyEmail } from "./VerifyEmail";

/** Where the verification email's link lands: `/verify-email?token=...`. */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { locale, t } = await i18n();
  const { token } = await searchParams;
  return (
    <>
      <h1>{t("verifyEmail.title")}</h1>
      <VerifyEmail locale={locale} token={token ?? ""} />
    </>
  );
}
