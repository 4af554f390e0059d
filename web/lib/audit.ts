// The audit page's filters (the address's query) as ListAuditEvents' query: days are Japan's days.
export type AuditFilters = { actor?: string; target?: string; action?: string; startTime?: string; endTime?: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `2026-12-03` -> the instant that day begins in Japan; `end` -> the day after's (the range includes the day). */
export function japanDayStart(day: string, end = false): string | undefined {
  if (!DAY.test(day)) return undefined;
  const start = new Date(`${day}T00:00:00+09:00`);
  if (Number.isNaN(start.getTime())) return undefined;
  if (end) start.setUTCDate(start.getUTCDate() + 1);
  return start.toISOString();
}

/** The request's query: empty filters left out, days made instants, a page token passed on. */
export function auditQuery(f: AuditFilters & { pageToken?: string }): Record<string, string | number> {
  const q: Record<string, string | number> = { pageSize: 50 };
  for (const key of ["actor", "target", "action", "pageToken"] as const) {
    const value = f[key]?.trim();
    if (value) q[key] = value;
  }
  const start = f.startTime ? japanDayStart(f.startTime) : undefined;
  const end = f.endTime ? japanDayStart(f.endTime, true) : undefined;
  if (start) q.startTime = start;
  if (end) q.endTime = end;
  return q;
}
