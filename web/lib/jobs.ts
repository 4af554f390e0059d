// Job resource names and how a job is shown (wage, place) in a locale.
import type { Job } from "./api/types";
import type { Locale } from "./i18n/locales";
import type { T } from "./i18n/messages";
import { formatAddress, formatYen } from "./format";

/** `employers/{e}/jobs/{j}` -> the web page of the job. */
export function jobHref(name: string | undefined): string {
  const m = /^employers\/([^/]+)\/jobs\/([^/]+)$/.exec(name ?? "");
  return m ? `/jobs/${m[1]}/${m[2]}` : "/jobs";
}

export function wageText(job: Job, locale: Locale, t: T): string {
  const min = job.wageMin?.units;
  const max = job.wageMax?.units;
  const range = min && max && min !== max ? `${formatYen(min, locale)} – ${formatYen(max, locale)}` : formatYen(min ?? max, locale);
  const period = job.wagePeriod && job.wagePeriod !== "WAGE_PERIOD_UNSPECIFIED" ? t(`period.${job.wagePeriod}` as never) : "";
  return period ? `${range} ${period}` : range;
}

export function placeText(location: Job["location"], locale: Locale): string {
  return formatAddress(location?.prefecture, location?.city, locale);
}
