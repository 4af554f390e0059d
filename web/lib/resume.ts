// A parsed résumé's suggestions, one per field of the draft profile, and what accepting one changes.
import type { ResumeDraft, WorkerProfile } from "./api/types";

export type Suggestion = {
  field: string; // as the agent names it: `display_name`, `skills[3]`
  key: string; // the profile's JSON field: `displayName`, `skills`
  index: number | null; // the item of a list field
  value: unknown; // the suggested value (an item for a list field)
  confidence: number;
  evidence: { page: number; text: string }[];
};

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function suggestions(draft: ResumeDraft | undefined): Suggestion[] {
  if (!draft) return [];
  const profile = (draft.profile ?? {}) as Record<string, unknown>;
  const out: Suggestion[] = [];
  for (const f of draft.fields ?? []) {
    const m = /^([a-z_]+)(?:\[(\d+)\])?$/.exec(f.field ?? "");
    if (!m) continue;
    const key = camel(m[1]);
    const index = m[2] !== undefined ? Number(m[2]) : null;
    const whole = profile[key];
    const value = index === null ? whole : Array.isArray(whole) ? whole[index] : undefined;
    if (value === undefined || value === null || value === "") continue;
    out.push({
      field: f.field!,
      key,
      index,
      value,
      confidence: f.confidence ?? 0,
      evidence: (f.evidence ?? []).map((e) => ({ page: e.page ?? 1, text: e.quote ?? "" })),
    });
  }
  return out;
}

/** The PATCH that accepts one suggestion on top of the current profile: (body, update mask). */
export function acceptance(current: WorkerProfile, s: Suggestion): { profile: Record<string, unknown>; mask: string } {
  if (s.index === null) return { profile: { [s.key]: s.value }, mask: s.key };
  const list = ((current as Record<string, unknown>)[s.key] as unknown[] | undefined) ?? [];
  const same = (a: unknown) => JSON.stringify(a) === JSON.stringify(s.value);
  return { profile: { [s.key]: list.some(same) ? list : [...list, s.value] }, mask: s.key };
}

/** A suggestion's value in words. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "object") return String(value);
  const v = value as Record<string, unknown>;
  if (typeof v.label === "string") return v.label + (v.years ? ` (${v.years})` : "");
  if (typeof v.language === "string") return [v.language, v.jlptLevel, v.proficiency].filter((x) => x && !String(x).endsWith("UNSPECIFIED")).join(" ");
  if (typeof v.title === "string") return [v.title, v.employerName, v.organization].filter(Boolean).join(" — ");
  if (typeof v.prefecture === "string") return [v.prefecture, v.city].filter(Boolean).join(" ");
  if (typeof v.name === "string") return v.name;
  return Object.values(v)
    .filter((x) => typeof x === "string" || typeof x === "number")
    .join(" ");
}
