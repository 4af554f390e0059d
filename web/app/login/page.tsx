import Link from "next/link";
import { i18n } from "@/lib/i18n/server";
import { LoginForm } from "./LoginForm";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { locale, t } = await i18n();
  const { next } = await searchParams;
  return (
    <>
      <h1>{t("login.title")}</h1>
      <LoginForm locale={locale} next={next} />
      <p>
        <Link href="/reset-password">{t("login.forgot")}</Link>
      </p>
      <p>
        {t("login.noAccount")} <Link href="/signup">{t("nav.signup")}</Link>
      </p>
    </>
  );
}
