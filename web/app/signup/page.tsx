import Link from "next/link";
import { i18n } from "@/lib/i18n/server";
import { SignupForm } from "./SignupForm";

export default async function SignupPage({ searchParams }: { searchParams: Promise<{ as?: string }> }) {
  const { locale, t } = await i18n();
  const { as } = await searchParams;
  return (
    <>
      <h1>{t("signup.title")}</h1>
      <SignupForm locale={locale} as={as} />
      <p>
        {t("signup.haveAccount")} <Link href="/login">{t("nav.login")}</Link>
      </p>
    </>
  );
}
