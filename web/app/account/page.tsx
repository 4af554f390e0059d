import Link from "next/link";
import { serverApi } from "@/lib/api/server";
import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { ResendButton } from "./AccountForms";

/** The account: its email and whether it is confirmed, the second factor, the signed-in devices. */
export default async function AccountPage() {
  const s = await requireSession("/account");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/users/{user}", { params: { path: { user: s.userId } } });
  const user = data?.user;
  return (
    <>
      <h1>{t("account.title")}</h1>
      <section aria-labelledby="account-email" className="card">
        <h2 id="account-email">{t("auth.email")}</h2>
        <p>
          {user?.email}{" "}
          <span className={user?.emailVerified ? "status-ok" : "status-bad"} data-testid="email-status">
            {user?.emailVerified ? t("account.verified") : t("account.unverified")}
          </span>
        </p>
        {user?.emailVerified ? null : (
          <>
            <p>{t("account.unverifiedLead")}</p>
            <ResendButton locale={locale} user={s.userId} />
          </>
        )}
      </section>
      <section aria-labelledby="account-2fa" className="card">
        <h2 id="account-2fa">{t("twoFactor.title")}</h2>
        <p data-testid="totp-status">{user?.totpEnabled ? t("twoFactor.on") : t("twoFactor.off")}</p>
        <Link href="/account/two-factor">{user?.totpEnabled ? t("twoFactor.manage") : t("twoFactor.setUp")}</Link>
      </section>
      <section aria-labelledby="account-sessions" className="card">
        <h2 id="account-sessions">{t("sessions.title")}</h2>
        <p>{t("sessions.lead")}</p>
        <Link href="/account/sessions">{t("sessions.open")}</Link>
      </section>
      <p>
        <Link href="/reset-password">{t("account.changePassword")}</Link>
      </p>
    </>
  );
}
