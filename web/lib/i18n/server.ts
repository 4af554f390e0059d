// The request's locale: the user's choice (a cookie) or else the browser's Accept-Language.
import { cookies, headers } from "next/headers";
import { LOCALE_COOKIE, fromAcceptLanguage, isLocale, type Locale } from "./locales";
import { translator } from "./messages";

export async function currentLocale(): Promise<Locale> {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(chosen)) return chosen;
  return fromAcceptLanguage((await headers()).get("accept-language"));
}

export async function i18n() {
  const locale = await currentLocale();
  return { locale, t: translator(locale) };
}
