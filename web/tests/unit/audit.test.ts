import { describe, expect, it } from "vitest";
import { auditQuery, japanDayStart } from "@/lib/audit";

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
