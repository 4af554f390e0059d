import { describe, expect, it } from "vitest";
import { AUDIT_PATHS, auditHref, auditQuery, auditService, japanDayStart } from "@/lib/audit";

describe("audit log filters", () => {
  it("turns days into instants of Japan's days, the end day included", () => {
    expect(japanDayStart("2026-12-03")).toBe("2026-12-02T15:00:00.000Z");
    expect(japanDayStart("2026-12-03", true)).toBe("2026-12-03T15:00:00.000Z");
    expect(japanDayStart("2026-12-31", true)).toBe("2026-12-31T15:00:00.000Z");
    expect(japanDayStart("3 Dec")).toBeUndefined();
  });

  it("sends only the filters given, trimmed, with the page token", () => {
    expect(auditQuery({ actor: " users/abc ", target: "", action: "change_roles", pageToken: "t1" })).toEqual({
      pageSize: 50,
      actor: "users/abc",
      action: "change_roles",
      pageToken: "t1",
    });
    expect(auditQuery({ startTime: "2026-12-01", endTime: "2026-12-02" })).toEqual({
      pageSize: 50,
      startTime: "2026-11-30T15:00:00.000Z",
      endTime: "2026-12-02T15:00:00.000Z",
    });
  });

  it("leaves a bad value for the API to refuse rather than dropping it", () => {
    expect(auditQuery({ actor: "bob" }).actor).toBe("bob");
  });
});

describe("the three audit logs", () => {
  it("picks a log from the address, identity's when missing or unknown", () => {
    expect(auditService("marketplace")).toBe("marketplace");
    expect(auditService(["credentials", "identity"])).toBe("credentials");
    expect(auditService(undefined)).toBe("identity");
    expect(auditService("matching")).toBe("identity");
  });

  it("reads each log at its own service's path", () => {
    expect(AUDIT_PATHS).toEqual({
      identity: "/v1/auditEvents",
      marketplace: "/v1/marketplace/auditEvents",
      credentials: "/v1/credentials/auditEvents",
    });
  });

  it("switches logs keeping the filters but not the page token (it belongs to one log)", () => {
    const href = auditHref("marketplace", { target: " workers/abc ", action: "", startTime: "2026-12-01", pageToken: "t1" } as never);
    expect(href).toBe("/admin/audit?service=marketplace&target=workers%2Fabc&startTime=2026-12-01");
  });
});
