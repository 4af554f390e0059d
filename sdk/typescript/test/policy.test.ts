import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { CallPolicy, durationMs, SERVICE_CONFIG } from "../src/index";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

describe("call policy", () => {
  it("is the Python SDK's service config, unchanged", () => {
    const python = JSON.parse(
      readFileSync(fileURLToPath(new URL("../../python/iworkz/sdk/service_config.json", import.meta.url)), "utf8"),
    );
    expect(SERVICE_CONFIG).toEqual(python);
  });

  it("reads deadlines and retries per method", () => {
    const policy = new CallPolicy();
    const search = policy.forMethod("iworkz.marketplace.v1.MarketplaceService/SearchJobs");
    expect(search.timeoutMs).toBe(10_000);
    expect(search.retry?.codes).toEqual([Code.Unavailable]);
    expect(search.retry?.maxAttempts).toBe(4);
    // A creating call with an AIP-155 request id is safe to retry; other writes are not.
    const apply = policy.forMethod("iworkz.marketplace.v1.MarketplaceService/CreateApplication");
    expect(apply.timeoutMs).toBe(10_000);
    expect(apply.retry?.codes).toEqual([Code.Unavailable]);
    const move = policy.forMethod("iworkz.marketplace.v1.MarketplaceService/UpdateApplicationStatus");
    expect(move.timeoutMs).toBe(10_000);
    expect(move.retry).toBeUndefined();
    // Uploads get the edge's 30 s: a résumé (a client stream) and a recording (voice's Ask: an HttpBody
    // recognised, answered by the agent and spoken back, seconds of work on a small machine). Not retried.
    for (const upload of ["iworkz.agent.v1.AgentService/ParseResume", "iworkz.voice.v1.VoiceService/Ask"]) {
      expect([upload, policy.forMethod(upload).timeoutMs, policy.forMethod(upload).retry]).toEqual([upload, 30_000, undefined]);
    }
    const live = policy.forMethod("iworkz.notifications.v1.NotificationService/Subscribe");
    expect(live.timeoutMs).toBeUndefined();
    expect(live.retry?.codes).toEqual([Code.Unavailable]);
  });

  it("matches a whole service when a config names no method", () => {
    const policy = new CallPolicy({ methodConfig: [{ name: [{ service: "a.B" }], timeout: "0.25s" }] });
    expect(policy.forMethod("a.B/Anything").timeoutMs).toBe(250);
    expect(policy.forMethod("a.C/Other")).toEqual({});
  });

  it("parses durations and refuses what is not one", () => {
    expect(durationMs("0.1s")).toBe(100);
    expect(durationMs("10s")).toBe(10_000);
    expect(() => durationMs("10ms")).toThrow();
  });
});
