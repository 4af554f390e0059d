import { i18n } from "@/lib/i18n/server";
import { RequestResetForm, ResetForm } from "./ResetForms";

/** Without a token: ask for a reset link. With the emailed link's token: choose a new password. */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { locale, t } = await i18n();
  const { token } = await searchParams;
  return (
    <>
      <h1>{token ? t("reset.newTitle") : t("reset.title")}</h1>
      {token ? <ResetForm locale={locale} token={token} /> : <RequestResetForm locale={locale} />}
    </>
  );
}
