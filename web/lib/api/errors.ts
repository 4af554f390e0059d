// The edge's error JSON ({code, message, details}) turned into what a form shows: one message per field.
import type { ApiError } from "./types";

type Violation = { field?: string; description?: string };
type Detail = { "@type"?: string; fieldViolations?: Violation[] };

/** `profile.display_name`, `profile.displayName`, `displayName` all name the form field `displayName`. */
export function fieldKey(path: string): string {
  const last = path.split(".").filter(Boolean).pop() ?? path;
  return last.replace(/\[\d+\]$/, "").replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Field name -> the first violation's description, from a `google.rpc.BadRequest` detail. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const details = ((error as ApiError | undefined)?.details ?? []) as Detail[];
  for (const detail of details) {
    for (const v of detail.fieldViolations ?? []) {
      if (!v.field) continue;
      const key = fieldKey(v.field);
      out[key] ??= v.description ?? "";
    }
  }
  return out;
}

export function errorMessage(error: unknown): string {
  const e = error as Partial<ApiError> | undefined;
  return e?.message || "request failed";
}
