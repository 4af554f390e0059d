// The audit page's filters (the address's query) as ListAuditEvents' query: days are Japan's days.
// Each service keeps its own log (identity: accounts; marketplace: reads of workers' personal data;
// credentials: accreditations and revocations), read with the same request at its own path.
export type AuditFilters = { actor?: string; target?: string; action?: string; startTime?: string; endTime?: string };

export const AUDIT_SERVICES = ["identity", "marketplace", "credentials"] as const;
export type AuditService = (typeof AUDIT_SERVICES)[number];

/** Each log's REST path (the contracts' HTTP bindings of the three ListAuditEvents). */
export const AUDIT_PATHS = {
  identity: "/v1/auditEvents",
  marketplace: "/v1/marketplace/auditEvents",
  credentials: "/v1/credentials/auditEvents",
} as const satisfies Record<AuditService, string>;

/** The `service` of the address: one of the three logs, identity's when missing or unknown. */
export function auditService(value?: string | string[]): AuditService {
  const v = Array.isArray(value) ? value[0] : value;
  return (AUDIT_SERVICES as readonly string[]).includes(v ?? "") ? (v as AuditService) : "identity";
}

/** The address of `service`'s log with the same filters (a page token belongs to one log: dropped). */
export function auditHref(service: AuditService, f: AuditFilters): string {
  const q = new URLSearchParams({ service });
  for (const key of ["actor", "target", "action", "startTime", "endTime"] as const) {
    const value = f[key]?.trim();
    if (value) q.set(key, value);
  }
  return `/admin/audit?${q}`;
}

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
