import { describe, expect, it } from "vitest";
import { formatAddress, formatDate, formatYen } from "@/lib/format";
import { fromAcceptLanguage } from "@/lib/i18n/locales";
import { ENGLISH_KEYS, MESSAGES, translator } from "@/lib/i18n/messages";

describe("formatting", () => {
  it("writes yen without decimals in each locale", () => {
    expect(formatYen("230000", "ja")).toBe("￥230,000");
    expect(formatYen(230000, "en")).toBe("¥230,000");
    expect(formatYen("1200", "vi")).toMatch(/1\.200\s?¥/);
  });

  it("writes dates in Japan time", () => {
    // 2026-03-31T16:00Z is already April 1st in Tokyo.
    expect(formatDate("2026-03-31T16:00:00Z", "ja")).toBe("2026/04/01");
    expect(formatDate("2026-03-31T16:00:00Z", "en")).toBe("Apr 1, 2026");
    expect(formatDate("not a date", "en")).toBe("");
  });

  it("writes Japanese addresses prefecture first in Japanese, city first otherwise", () => {
    expect(formatAddress("JP-27", "大阪市", "ja")).toBe("大阪府大阪市");
    expect(formatAddress("JP-27", "Osaka", "en")).toBe("Osaka, Osaka");
    expect(formatAddress("JP-13", "", "id")).toBe("Tokyo");
  });
});

describe("languages", () => {
  it("picks the browser's best supported language, Japanese otherwise", () => {
    expect(fromAcceptLanguage("vi-VN,vi;q=0.9,en;q=0.8")).toBe("vi");
    expect(fromAcceptLanguage("fr-FR, en;q=0.5")).toBe("en");
    expect(fromAcceptLanguage("de")).toBe("ja");
    expect(fromAcceptLanguage(null)).toBe("ja");
  });

  it("has every English text in Japanese", () => {
    const missing = ENGLISH_KEYS.filter((k) => !(k in MESSAGES.ja) && !["app.name"].includes(k));
    expect(missing).toEqual([]);
  });

  it("has the worker's pages in Vietnamese and Indonesian", () => {
    const worker = ENGLISH_KEYS.filter((k) =>
      /^(nav\.(home|recommendations|jobs|applications|notifications|wallet|assistant|profile|resume|login|signup|logout)|profile|resume|reco|search|job|apps|status|notes|wallet|assistant|period|worker)\./.test(k),
    );
    for (const locale of ["vi", "id"] as const) {
      expect(worker.filter((k) => !(k in MESSAGES[locale]))).toEqual([]);
    }
  });

  it("has the account steps a worker meets (sign-in code, reset, email link) in Vietnamese and Indonesian", () => {
    const steps = ENGLISH_KEYS.filter((k) =>
      /^(nav\.account|login\.forgot|verifyEmail\..+|reset\..+|twoFactor\.(loginStep|code|codeHint|verify|wrongCode))$/.test(k),
    );
    expect(steps.length).toBeGreaterThan(20);
    for (const locale of ["vi", "id"] as const) {
      expect(steps.filter((k) => !(k in MESSAGES[locale]))).toEqual([]);
    }
  });

  it("fills in values and falls back to English", () => {
    expect(translator("ja")("reco.score", { value: "82%" })).toBe("マッチ度 82%");
    expect(translator("vi")("nav.admin")).toBe("Admin");
  });
});
