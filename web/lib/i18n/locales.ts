// The languages of the web app: everything in Japanese and English; worker pages also in Vietnamese
// and Indonesian (other pages fall back to English in those two).
export const LOCALES = ["ja", "en", "vi", "id"] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_COOKIE = "iworkz-locale";
export const LOCALE_NAMES: Record<Locale, string> = { ja: "日本語", en: "English", vi: "Tiếng Việt", id: "Bahasa Indonesia" };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The best of our locales for an Accept-Language header (Japanese when nothing matches). */
export function fromAcceptLanguage(header: string | null | undefined): Locale {
  const wanted = (header || "")
    .split(",")
    .map((part) => {
      const [tag, q] = part.trim().split(";q=");
      return { lang: tag.toLowerCase().split("-")[0], q: q ? parseFloat(q) : 1 };
    })
    .filter((x) => x.lang)
    .sort((a, b) => b.q - a.q);
  for (const { lang } of wanted) if (isLocale(lang)) return lang;
  return "ja";
}
