// Yen, dates and Japanese addresses, per locale. Dates are shown in Japan time.
import type { Locale } from "./i18n/locales";
import { prefectureName } from "./prefectures";

const TAGS: Record<Locale, string> = { ja: "ja-JP", en: "en-JP", vi: "vi-VN", id: "id-ID" };

export function localeTag(locale: Locale): string {
  return TAGS[locale];
}

/** ¥230,000 (ja, en) / 230.000 ¥ (vi) / ¥ 230.000 (id): yen has no minor unit. */
export function formatYen(units: string | number | undefined, locale: Locale): string {
  const value = typeof units === "string" ? Number(units) : (units ?? 0);
  return new Intl.NumberFormat(TAGS[locale], { style: "currency", currency: "JPY", maximumFractionDigits: 0 }).format(value);
}

export function formatDate(iso: string | undefined, locale: Locale, withTime = false): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(TAGS[locale], {
    dateStyle: "medium",
    ...(withTime ? { timeStyle: "short" } : {}),
    timeZone: "Asia/Tokyo",
  }).format(date);
}

/** A Japanese address as people there write it: prefecture then city in Japanese (大阪府大阪市),
 * city then prefecture elsewhere (Osaka, Osaka). */
export function formatAddress(prefecture: string | undefined, city: string | undefined, locale: Locale): string {
  const pref = prefecture ? prefectureName(prefecture, locale) : "";
  if (locale === "ja") return `${pref}${city ?? ""}`;
  return [city, pref].filter(Boolean).join(", ");
}

export function formatPercent(value: number | undefined, locale: Locale): string {
  return new Intl.NumberFormat(TAGS[locale], { style: "percent", maximumFractionDigits: 0 }).format(value ?? 0);
}
