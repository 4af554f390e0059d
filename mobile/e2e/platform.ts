/** The platform side of the end-to-end tests: accounts and jobs made through the TypeScript SDK. */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { IworkzClient, identity, types } from "../../sdk/typescript/src/index";

export const PASSWORD = "correct horse battery";

export function edge(): string {
  return JSON.parse(readFileSync(process.env.IWORKZ_TESTBED!, "utf8")).edge;
}

export const client = () => new IworkzClient({ baseUrl: edge() });
export const tag = () => randomUUID().slice(0, 8);

/** An employer with one published job in Osaka for SSW manufacturing workers with N4 or better. */
export async function employerWithJob() {
  const api = client();
  const t = tag();
  const signed = await api.signUp({
    email: `hr-${t}@osaka-welding.example`,
    password: PASSWORD,
    displayName: "Osaka Welding HR",
    accountType: identity.AccountType.EMPLOYER,
    organizationDisplayName: "Osaka Welding Works",
  });
  const created = await api.marketplace.createJob({
    parent: `employers/${signed.organization!.name.split("/")[1]}`,
    job: {
      title: `TIG welder ${t}`,
      description: "Stainless TIG welding for food machinery.",
      location: { prefecture: "JP-27", city: "Higashiosaka" },
      wageMin: { currencyCode: "JPY", units: 1400n },
      wageMax: { currencyCode: "JPY", units: 1800n },
      wagePeriod: types.WagePeriod.HOURLY,
      employmentType: types.EmploymentType.FULL_TIME,
      headcount: 2,
      minJapaneseLevel: types.JapaneseLevel.N4,
      eligibleVisaStatuses: [types.VisaStatus.SSW_1],
      eligibleSswFields: [types.SswField.MANUFACTURING],
    },
  });
  await api.marketplace.publishJob({ name: created.job!.name });
  return { api, job: created.job!, tag: t };
}

/** A worker with a filled profile, for tests that start from the login screen. */
export async function workerAccount() {
  const api = client();
  const email = `an-${tag()}@example.com`;
  const signed = await api.signUp({ email, password: PASSWORD, displayName: "Nguyen Van An", accountType: identity.AccountType.WORKER });
  const id = signed.user!.name.split("/")[1];
  await api.marketplace.updateWorkerProfile({
    profile: {
      name: `workers/${id}`,
      displayName: "Nguyen Van An",
      visaStatus: types.VisaStatus.SSW_1,
      sswField: types.SswField.MANUFACTURING,
      languages: [{ language: "ja", jlptLevel: types.JapaneseLevel.N3 }],
      location: { prefecture: "JP-27", city: "Osaka" },
    },
  });
  return { api, email, id };
}
