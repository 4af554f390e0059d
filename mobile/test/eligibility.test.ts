import { create, marketplace, types } from "@iworkz/sdk";
import { explain } from "../src/eligibility";

const job = create(marketplace.JobSchema, {
  title: "TIG welder",
  location: { prefecture: "JP-27" },
  minJapaneseLevel: types.JapaneseLevel.N4,
  eligibleVisaStatuses: [types.VisaStatus.SSW_1, types.VisaStatus.NEEDS_SPONSORSHIP],
  eligibleSswFields: [types.SswField.MANUFACTURING],
});
const worker = (init: Partial<marketplace.WorkerProfile>) =>
  create(marketplace.WorkerProfileSchema, {
    visaStatus: types.VisaStatus.SSW_1,
    sswField: types.SswField.MANUFACTURING,
    languages: [{ language: "ja", jlptLevel: types.JapaneseLevel.N3 }],
    location: { prefecture: "JP-27" },
    ...init,
  });

describe("eligibility", () => {
  it("passes a worker who meets every rule", () => {
    const { eligible, checks } = explain(job, worker({}));
    expect(eligible).toBe(true);
    expect(checks.map((c) => c.key)).toEqual(["visa", "ssw", "japanese", "location"]);
  });

  it("names the rule a worker misses", () => {
    const low = explain(job, worker({ languages: [{ language: "ja", jlptLevel: types.JapaneseLevel.N5 }] }));
    expect(low.eligible).toBe(false);
    expect(low.checks.find((c) => !c.ok)).toMatchObject({ key: "japanese", wants: "N4", has: "N5" });
    const field = explain(job, worker({ sswField: types.SswField.FOOD_SERVICE }));
    expect(field.checks.filter((c) => !c.ok).map((c) => c.key)).toEqual(["ssw"]);
    const visa = explain(job, worker({ visaStatus: types.VisaStatus.STUDENT }));
    expect(visa.eligible).toBe(false);
  });

  it("asks the SSW field only of SSW holders, and treats location as advice", () => {
    const sponsored = explain({ ...job, offersVisaSponsorship: false }, worker({ visaStatus: types.VisaStatus.NEEDS_SPONSORSHIP }));
    expect(sponsored.checks.map((c) => c.key)).not.toContain("ssw");
    const far = explain(job, worker({ location: { prefecture: "JP-13", city: "" } as never }));
    expect(far.eligible).toBe(true);
    expect(far.checks.find((c) => c.key === "location")?.ok).toBe(false);
  });

  it("counts nothing for a worker without a profile", () => {
    expect(explain(job, undefined).eligible).toBe(false);
  });
});
