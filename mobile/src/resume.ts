/**
 * Résumé suggestions: the agent's draft profile split into single suggestions
 * the worker accepts one by one. Accepting one changes only that field of the
 * profile (lists are extended, not replaced).
 */
import { agent, marketplace } from "@iworkz/sdk";

export interface Suggestion {
  id: string;
  /** The profile field, as in UpdateWorkerProfile's update mask. */
  field: "skills" | "languages" | "experience" | "education" | "licences" | "summary" | "location" | "nationality";
  label: string;
  /** The profile change it makes, applied to the current profile. */
  apply: (profile: marketplace.WorkerProfile) => marketplace.WorkerProfile;
}

export function suggestions(draft: agent.ResumeDraft | undefined): Suggestion[] {
  const p = draft?.profile;
  if (!p) return [];
  const out: Suggestion[] = [];
  p.skills.forEach((s, i) =>
    out.push({
      id: `skill-${i}`,
      field: "skills",
      label: `Skill: ${s.label || s.taxonomyId}`,
      apply: (cur) => ({ ...cur, skills: [...cur.skills.filter((x) => x.taxonomyId !== s.taxonomyId || x.label !== s.label), s] }),
    }),
  );
  p.languages.forEach((l, i) =>
    out.push({
      id: `language-${i}`,
      field: "languages",
      label: `Language: ${l.language}${l.jlptLevel ? ` (JLPT ${l.jlptLevel})` : ""}`,
      apply: (cur) => ({ ...cur, languages: [...cur.languages.filter((x) => x.language !== l.language), l] }),
    }),
  );
  p.experience.forEach((e, i) =>
    out.push({
      id: `experience-${i}`,
      field: "experience",
      label: `Experience: ${e.title}${e.employerName ? `, ${e.employerName}` : ""}`,
      apply: (cur) => ({ ...cur, experience: [...cur.experience, e] }),
    }),
  );
  p.education.forEach((e, i) =>
    out.push({
      id: `education-${i}`,
      field: "education",
      label: `Education: ${e.institution}`,
      apply: (cur) => ({ ...cur, education: [...cur.education, e] }),
    }),
  );
  p.licences.forEach((l, i) =>
    out.push({
      id: `licence-${i}`,
      field: "licences",
      label: `Licence: ${l.label || l.taxonomyId}`,
      apply: (cur) => ({ ...cur, licences: [...cur.licences, l] }),
    }),
  );
  if (p.summary) out.push({ id: "summary", field: "summary", label: `Summary: ${p.summary}`, apply: (cur) => ({ ...cur, summary: p.summary }) });
  if (p.nationality)
    out.push({ id: "nationality", field: "nationality", label: `Nationality: ${p.nationality}`, apply: (cur) => ({ ...cur, nationality: p.nationality }) });
  return out;
}

/** The update-mask path of a suggestion's field. */
export const maskPath = (field: Suggestion["field"]) => field;
