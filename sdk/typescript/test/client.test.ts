/** The client against a real platform (identity, marketplace, notifications behind the edge over gRPC-web). */
import { describe, expect, it } from "vitest";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { MemoryTokenStore, marketplace, resumable, type Tokens } from "../src/index";
import { client, employerWithJob, worker } from "./platform";

describe("IworkzClient over gRPC-web", () => {
  it("signs up, fills a profile, finds a job and applies", async () => {
    const { job, tag } = await employerWithJob();
    const w = await worker();
    const found = await w.api.marketplace.searchJobs({ query: tag, prefecture: "JP-27" });
    expect(found.jobs.map((j) => j.name)).toEqual([job.name]);
    const applied = await w.api.marketplace.createApplication({ parent: job.name, coverLetter: "TIG, 5 years" });
    expect(applied.application?.status).toBe(marketplace.ApplicationStatus.APPLIED);
    expect(await w.api.userId()).toBe(w.user.split("/")[1]);
  });

  it("is refused without a token, and bad input names the field", async () => {
    const anonymous = client();
    const denied = await anonymous.marketplace
      .getWorkerProfile({ name: "workers/00000000-0000-0000-0000-000000000000" })
      .catch((e) => ConnectError.from(e));
    expect(denied).toBeInstanceOf(ConnectError);
    expect((denied as ConnectError).code).toBe(Code.Unauthenticated);
    const w = await worker();
    const bad = await w.api.marketplace.createApplication({ parent: "not-a-job" }).catch((e) => ConnectError.from(e));
    expect((bad as ConnectError).code).toBe(Code.InvalidArgument);
    expect((bad as ConnectError).rawMessage + JSON.stringify((bad as ConnectError).details)).toContain("parent");
  });

  it("refreshes an access token about to expire before the call, with the single-use refresh token", async () => {
    const store = new MemoryTokenStore();
    const w = await worker(client({ tokenStore: store }));
    const before = (await store.load())!;
    await store.save({ ...before, expiresAt: Date.now() - 1000 });
    await w.api.session.clear();
    await w.api.session.use({ ...before, expiresAt: Date.now() - 1000 });
    const profile = await w.api.marketplace.getWorkerProfile({ name: w.profile });
    expect(profile.profile?.name).toBe(w.profile);
    const after = (await store.load())!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now());
    // The old refresh token was used up.
    const reused = await w.api.identity.refreshToken({ refreshToken: before.refreshToken }).catch((e) => e);
    expect(ConnectError.from(reused).code).toBe(Code.Unauthenticated);
  });

  it("refreshes once and retries when the platform refuses a token that looked valid", async () => {
    const store = new MemoryTokenStore();
    const w = await worker(client({ tokenStore: store }));
    const good = (await store.load())!;
    const stale: Tokens = { ...good, accessToken: good.accessToken.slice(0, -4) + "AAAA" };
    await w.api.session.use(stale);
    const profile = await w.api.marketplace.getWorkerProfile({ name: w.profile });
    expect(profile.profile?.name).toBe(w.profile);
    expect((await store.load())!.accessToken).not.toBe(stale.accessToken);
  });

  it("gives each call the deadline of the service config", async () => {
    const w = await worker(
      client({
        serviceConfig: {
          methodConfig: [
            { name: [{ service: "iworkz.marketplace.v1.MarketplaceService", method: "SearchJobs" }], timeout: "0.001s" },
          ],
        },
      }),
    );
    const error = await w.api.marketplace.searchJobs({ prefecture: "JP-27" }).catch((e) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
    // Other methods have no deadline in this config and work.
    expect((await w.api.marketplace.getWorkerProfile({ name: w.profile })).profile?.name).toBe(w.profile);
  });

  it("retries reads and keyed creates on UNAVAILABLE with one request id, never other writes", async () => {
    // Attempts fail as a dropped connection would: SearchJobs before reaching the network;
    // CreateApplication after the platform has it (the answer is lost); UpdateWorkerProfile once.
    const attempts = new Map<string, number>();
    const requestIds: string[] = [];
    const flaky: Interceptor = (next) => async (request) => {
      const name = request.method.name;
      const n = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, n);
      if (name === "SearchJobs" && n <= 2) throw new ConnectError("connection reset", Code.Unavailable);
      if (name === "CreateApplication") {
        requestIds.push((request.message as { requestId: string }).requestId);
        const response = await next(request);
        if (n === 1) throw new ConnectError("connection reset", Code.Unavailable);
        return response;
      }
      if (name === "UpdateWorkerProfile" && n === 1) throw new ConnectError("connection reset", Code.Unavailable);
      return next(request);
    };
    const { api: employer, job, tag } = await employerWithJob();
    const store = new MemoryTokenStore();
    const w = await worker(client({ tokenStore: store })); // profile filled without the flaky interceptor
    const flakyClient = client({ interceptors: [flaky], tokenStore: store });
    const found = await flakyClient.marketplace.searchJobs({ query: tag });
    expect(found.jobs.map((j) => j.name)).toEqual([job.name]);
    expect(attempts.get("SearchJobs")).toBe(3);

    const applied = await flakyClient.marketplace.createApplication({ parent: job.name });
    expect(attempts.get("CreateApplication")).toBe(2);
    expect(requestIds[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIds[1]).toBe(requestIds[0]);
    const all = await employer.marketplace.listJobApplications({ parent: job.name });
    expect(all.applications.map((a) => a.name)).toEqual([applied.application!.name]);

    const write = await flakyClient.marketplace
      .updateWorkerProfile({ profile: { name: w.profile, displayName: "An" }, updateMask: { paths: ["display_name"] } })
      .catch((e) => ConnectError.from(e));
    expect((write as ConnectError).code).toBe(Code.Unavailable);
    expect(attempts.get("UpdateWorkerProfile")).toBe(1);
  });

  it("streams application status changes live and resumes by the last event id", async () => {
    const { api: employer, job } = await employerWithJob();
    const w = await worker();
    const applied = await w.api.marketplace.createApplication({ parent: job.name });
    const name = applied.application!.name;
    const controller = new AbortController();
    const live = w.api.notificationStream(w.user, { signal: controller.signal });
    const first = live.next();
    // The stream starts at the newest notification: wait until it is open, then move the application.
    await new Promise((r) => setTimeout(r, 1500));
    await employer.marketplace.updateApplicationStatus({ name, status: marketplace.ApplicationStatus.SHORTLISTED });
    const shortlisted = (await first).value!;
    expect(shortlisted.link).toContain(name.split("/").pop());
    controller.abort();

    // While nobody listens, two more moves; a stream resumed after the first sees exactly those two.
    await employer.marketplace.updateApplicationStatus({ name, status: marketplace.ApplicationStatus.INTERVIEW });
    await employer.marketplace.updateApplicationStatus({ name, status: marketplace.ApplicationStatus.OFFER });
    const resumed = new AbortController();
    const seen: string[] = [];
    for await (const n of w.api.notificationStream(w.user, { lastEventId: shortlisted.eventId, signal: resumed.signal })) {
      seen.push(n.eventId);
      if (seen.length === 2) break;
    }
    resumed.abort();
    expect(seen.map(BigInt)).toEqual([BigInt(shortlisted.eventId) + 1n, BigInt(shortlisted.eventId) + 2n]);
  });

  it("reopens a broken stream after the last event seen, missing and repeating nothing", async () => {
    const { api: employer, job } = await employerWithJob();
    const w = await worker();
    const name = (await w.api.marketplace.createApplication({ parent: job.name })).application!.name;
    for (const status of [marketplace.ApplicationStatus.SHORTLISTED, marketplace.ApplicationStatus.INTERVIEW]) {
      await employer.marketplace.updateApplicationStatus({ name, status });
    }
    const opened: string[] = [];
    let broken = false;
    const controller = new AbortController();
    const ids: string[] = [];
    // The first connection breaks (UNAVAILABLE, as a lost network) after one notification.
    const stream = resumable({
      open: async function* (lastId, signal) {
        opened.push(lastId);
        for await (const item of w.api.notifications.subscribe({ parent: w.user, lastEventId: lastId }, { signal })) {
          yield item;
          if (!broken && item.event.case === "notification") {
            broken = true;
            throw new ConnectError("network lost", Code.Unavailable);
          }
        }
      },
      pick: (item) => (item.event.case === "notification" ? { id: item.event.value.eventId, value: item.event.value } : undefined),
      lastId: "0",
      signal: controller.signal,
      reconnectDelayMs: 100,
    });
    for await (const n of stream) {
      ids.push(n.eventId);
      if (ids.length === 2) break;
    }
    controller.abort();
    expect(opened).toEqual(["0", ids[0]]);
    expect(new Set(ids).size).toBe(2);
    expect(BigInt(ids[1])).toBe(BigInt(ids[0]) + 1n);
  });
});
