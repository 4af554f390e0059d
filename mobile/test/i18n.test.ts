import { DICTIONARIES, LANGUAGES, translate } from "../src/i18n";

describe("i18n", () => {
  const english = DICTIONARIES.en as Record<string, string>;
  it.each(LANGUAGES.filter((l) => l !== "en"))("%s has every key, with the same placeholders", (language) => {
    const words = DICTIONARIES[language] as Record<string, string>;
    for (const key of Object.keys(english)) {
      if (key === "app.title") continue;
      expect([language, key, typeof words[key]]).toEqual([language, key, "string"]);
      const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect([key, holes(words[key])]).toEqual([key, holes(english[key])]);
    }
  });

  it("fills placeholders", () => {
    expect(translate("ja", "onb.step", { n: 2, total: 6 })).toBe("ステップ 2 / 6");
    expect(translate("ne", "common.error", { message: "x" })).toBe("त्रुटि: x");
  });
});
