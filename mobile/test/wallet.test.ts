import { create, agent } from "@iworkz/sdk";
import { parseRequest, jlptN4Request } from "../src/wallet";
import { suggestions } from "../src/resume";

describe("verifier requests", () => {
  it("reads JSON and URL requests, and refuses incomplete ones", () => {
    expect(parseRequest('{"disclose":["jlptAtLeastN4"],"nonce":"n1","aud":"https://v.example"}')).toEqual({
      disclose: ["jlptAtLeastN4"],
      nonce: "n1",
      aud: "https://v.example",
    });
    expect(parseRequest("iworkz://present?disclose=jlptAtLeastN4&nonce=n2&aud=shop")).toEqual({
      disclose: ["jlptAtLeastN4"],
      nonce: "n2",
      aud: "shop",
    });
    expect(parseRequest('{"disclose":[]}')).toBeNull();
    expect(parseRequest("hello")).toBeNull();
  });

  it("asks for JLPT N4 or better with a fresh challenge each time", () => {
    const a = jlptN4Request();
    expect(a.disclose).toEqual(["jlptAtLeastN4"]);
    expect(a.nonce).not.toBe(jlptN4Request().nonce);
  });
});

describe("résumé suggestions", () => {
  it("splits a draft into single suggestions that change one field", () => {
    const draft = create(agent.ResumeDraftSchema, {
      profile: {
        skills: [{ taxonomyId: "esco:1", label: "TIG welding" }],
        languages: [{ language: "vi" }],
        summary: "Welder",
      },
    });
    const list = suggestions(draft);
    expect(list.map((s) => s.field)).toEqual(["skills", "languages", "summary"]);
    const base = create(agent.ResumeDraftSchema, { profile: { skills: [{ taxonomyId: "esco:2", label: "MIG" }] } }).profile!;
    const next = list[0].apply(base);
    expect(next.skills.map((s) => s.label)).toEqual(["MIG", "TIG welding"]);
    expect(next.summary).toBe("");
  });
});
