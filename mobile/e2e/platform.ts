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

/** What differs between the tests' employers and their one job. */
export interface EmployerJob {
  employer: string; // organisation name; the e-mail's domain is made from it
  title: string; // the tag is appended
  description: string;
  city: string; // in Osaka prefecture
  wageYen: [number, number]; // hourly
}

const OSAKA_WELDING: EmployerJob = {
  employer: "Osaka Welding Works",
  title: "TIG welder",
  description: "Stainless TIG welding for food machinery.",
  city: "Higashiosaka",
  wageYen: [1400, 1800],
};

/** An employer with one published job in Osaka for SSW manufacturing workers with N4 or better. */
export async function employerWithJob(what: EmployerJob = OSAKA_WELDING) {
  const api = client();
  const t = tag();
  const domain = what.employer.toLowerCase().replace(/ works$/, "").replace(/ /g, "-");
  const signed = await api.signUp({
    email: `hr-${t}@${domain}.example`,
    password: PASSWORD,
    displayName: `${what.employer.replace(/ Works$/, "")} HR`,
    accountType: identity.AccountType.EMPLOYER,
    organizationDisplayName: what.employer,
  });
  const created = await api.marketplace.createJob({
    parent: `employers/${signed.organization!.name.split("/")[1]}`,
    job: {
      title: `${what.title} ${t}`,
      description: what.description,
      location: { prefecture: "JP-27", city: what.city },
      wageMin: { currencyCode: "JPY", units: BigInt(what.wageYen[0]) },
      wageMax: { currencyCode: "JPY", units: BigInt(what.wageYen[1]) },
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
