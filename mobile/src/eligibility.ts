/**
 * Why a worker may or may not take a job, explained rule by rule: the
 * job's eligible residence statuses (or sponsorship), its SSW fields for SSW
 * holders, and its minimum Japanese level. The platform applies the same rules
 * in search; this is what the job page shows. Location is advice, not a rule.
 */
import { marketplace, types } from "@iworkz/sdk";

type Job = marketplace.Job;
type Profile = marketplace.WorkerProfile;

export type CheckKey = "visa" | "ssw" | "japanese" | "location";

export interface Check {
  key: CheckKey;
  ok: boolean;
  /** A rule the job sets (false: advice only). */
  required: boolean;
  /** What the job asks and what the worker has, for the message. */
  wants: string;
  has: string;
}

const SSW = [types.VisaStatus.SSW_1, types.VisaStatus.SSW_2];

export function japaneseLevel(profile: Profile | undefined): types.JapaneseLevel {
  const ja = profile?.languages.filter((l) => l.language === "ja").map((l) => l.jlptLevel) ?? [];
  return ja.length ? Math.max(...ja) : types.JapaneseLevel.UNSPECIFIED;
}

export function explain(job: Job, profile: Profile | undefined): { eligible: boolean; checks: Check[] } {
  const checks: Check[] = [];
  const visa = profile?.visaStatus ?? types.VisaStatus.UNSPECIFIED;
  if (job.eligibleVisaStatuses.length) {
    const sponsored = job.offersVisaSponsorship && visa === types.VisaStatus.NEEDS_SPONSORSHIP;
    checks.push({
      key: "visa",
      ok: job.eligibleVisaStatuses.includes(visa) || sponsored,
      required: true,
      wants: job.eligibleVisaStatuses.map((v) => types.VisaStatus[v]).join(", "),
      has: types.VisaStatus[visa],
    });
  }
  if (job.eligibleSswFields.length && SSW.includes(visa)) {
    const field = profile?.sswField ?? types.SswField.UNSPECIFIED;
    checks.push({
      key: "ssw",
      ok: job.eligibleSswFields.includes(field),
      required: true,
      wants: job.eligibleSswFields.map((f) => types.SswField[f]).join(", "),
      has: types.SswField[field],
    });
  }
  if (job.minJapaneseLevel > types.JapaneseLevel.NONE) {
    const level = japaneseLevel(profile);
    checks.push({
      key: "japanese",
      ok: level >= job.minJapaneseLevel,
      required: true,
      wants: types.JapaneseLevel[job.minJapaneseLevel],
      has: types.JapaneseLevel[level],
    });
  }
  if (job.location?.prefecture) {
    checks.push({
      key: "location",
      ok: !profile?.location?.prefecture || profile.location.prefecture === job.location.prefecture,
      required: false,
      wants: job.location.prefecture,
      has: profile?.location?.prefecture ?? "",
    });
  }
  return { eligible: checks.every((c) => c.ok || !c.required), checks };
}
