/**
 * The platform the tests talk to: started by `run-tests` (`python -m devstack.testbed`
 * on free ports), which exports its info file as IWORKZ_TESTBED and the edge's
 * development CA as NODE_EXTRA_CA_CERTS.
 */
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { IworkzClient, identity, marketplace, types } from "../src/index";

export interface Testbed {
  edge: string;
  ca: string;
  state: string;
}

export function testbed(): Testbed {
  const path = process.env.IWORKZ_TESTBED;
  if (!path) throw new Error("IWORKZ_TESTBED is not set: run the tests with ./run-tests");
  return JSON.parse(readFileSync(path, "utf8")) as Testbed;
}

export const PASSWORD = "correct horse battery";

export function tag(): string {
  return randomUUID().slice(0, 8);
}

export function client(options: Partial<ConstructorParameters<typeof IworkzClient>[0]> = {}): IworkzClient {
  return new IworkzClient({ baseUrl: testbed().edge, ...options });
}

/** A new employer with one published welding job in Osaka. */
export async function employerWithJob(api: IworkzClient = client()) {
  const t = tag();
  const signed = await api.signUp({
    email: `hr-${t}@osaka-welding.example`,
    password: PASSWORD,
    displayName: "Osaka Welding HR",
    accountType: identity.AccountType.EMPLOYER,
    organizationDisplayName: "Osaka Welding Works",
  });
  const org = signed.organization!.name.split("/")[1];
  const created = await api.marketplace.createJob({
    parent: `employers/${org}`,
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

/** A new worker, signed in, with a filled profile that the job above accepts. */
export async function worker(api: IworkzClient = client()) {
  const t = tag();
  const signed = await api.signUp({
    email: `an-${t}@example.com`,
    password: PASSWORD,
    displayName: "Nguyen Van An",
    accountType: identity.AccountType.WORKER,
  });
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
  return { api, user: signed.user!.name, profile: `workers/${id}`, email: `an-${t}@example.com` };
}

export { marketplace };
