import { describe, expect, it } from "vitest";
import { fieldErrors, fieldKey } from "@/lib/api/errors";
import { acceptance, describe as describeValue, suggestions } from "@/lib/resume";

describe("API errors next to their fields", () => {
  it("maps the edge's field violations to form fields", () => {
    const body = {
      code: 3,
      message: "invalid",
      details: [
        { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "profile.display_name", description: "too long" }, { field: "email", description: "not an email" }] },
        { "@type": "type.googleapis.com/buf.validate.Violations", violations: [] },
      ],
    };
    expect(fieldErrors(body)).toEqual({ displayName: "too long", email: "not an email" });
    expect(fieldKey("languages[0].jlpt_level")).toBe("jlptLevel");
    expect(fieldErrors(undefined)).toEqual({});
  });
});

describe("résumé suggestions", () => {
  const draft = {
    profile: { displayName: "Nguyen Van An", skills: [{ label: "welding" }, { label: "forklift" }] },
    fields: [
      { field: "display_name", confidence: 0.9, evidence: [{ page: 1, quote: "Name: Nguyen Van An" }] },
      { field: "skills[1]", confidence: 0.7, evidence: [{ page: 2, quote: "forklift licence" }] },
      { field: "phone", confidence: 0.5, evidence: [] },
    ],
  };

  it("lists one suggestion per field found, with its quoted evidence", () => {
    const found = suggestions(draft as never);
    expect(found.map((s) => [s.key, s.index, describeValue(s.value)])).toEqual([
      ["displayName", null, "Nguyen Van An"],
      ["skills", 1, "forklift"],
    ]);
    expect(found[1].evidence).toEqual([{ page: 2, text: "forklift licence" }]);
  });

  it("accepts a list item by adding it once to the current list", () => {
    const [, skill] = suggestions(draft as never);
    const once = acceptance({ skills: [{ label: "welding" }] }, skill);
    expect(once).toEqual({ profile: { skills: [{ label: "welding" }, { label: "forklift" }] }, mask: "skills" });
    expect(acceptance(once.profile as never, skill).profile.skills).toHaveLength(2);
  });
});
