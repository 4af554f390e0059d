import { Code, ConnectError } from "@iworkz/sdk";
import { ApplicationOutbox, isOffline, newRequestId, type QueuedApplication } from "../src/outbox";
import { MemoryKeyValue } from "./memory";

const job = (n: number) => `employers/00000000-0000-0000-0000-000000000000/jobs/00000000-0000-0000-0000-00000000000${n}`;

/** The platform's rule, kept here: one application per job; `down` makes it unreachable. */
function platform() {
  const created: string[] = [];
  const state = { down: false, loseAnswer: false, calls: 0 };
  const send = async (item: QueuedApplication) => {
    state.calls += 1;
    if (state.down) throw new ConnectError("Failed to fetch", Code.Unknown);
    if (created.includes(item.job)) throw new ConnectError("you have already applied to this job", Code.AlreadyExists);
    created.push(item.job);
    if (state.loseAnswer) {
      state.loseAnswer = false;
      throw new ConnectError("connection reset", Code.Unavailable);
    }
  };
  return { created, state, send };
}

describe("application outbox", () => {
  it("keeps applications while offline and sends them in order, once, when back", async () => {
    const p = platform();
    const outbox = new ApplicationOutbox(new MemoryKeyValue(), p.send);
    p.state.down = true;
    await outbox.enqueue({ job: job(1), jobTitle: "Welder", coverLetter: "", requestId: newRequestId() });
    await outbox.enqueue({ job: job(2), jobTitle: "Carer", coverLetter: "", requestId: newRequestId() });
    expect(await outbox.flush()).toBe(0);
    expect((await outbox.list()).map((i) => i.job)).toEqual([job(1), job(2)]);
    expect(p.state.calls).toBe(1); // stops at the first unreachable send
    p.state.down = false;
    expect(await outbox.flush()).toBe(2);
    expect(await outbox.list()).toEqual([]);
    expect(p.created).toEqual([job(1), job(2)]);
  });

  it("a send whose answer was lost is retried and counts as sent when the platform already has it", async () => {
    const p = platform();
    const outbox = new ApplicationOutbox(new MemoryKeyValue(), p.send);
    await outbox.enqueue({ job: job(1), jobTitle: "Welder", coverLetter: "", requestId: newRequestId() });
    p.state.loseAnswer = true;
    expect(await outbox.flush()).toBe(0);
    expect(await outbox.list()).toHaveLength(1);
    expect(await outbox.flush()).toBe(1);
    expect(await outbox.list()).toEqual([]);
    expect(p.created).toEqual([job(1)]);
  });

  it("concurrent flushes send each application once", async () => {
    const p = platform();
    const outbox = new ApplicationOutbox(new MemoryKeyValue(), p.send);
    await outbox.enqueue({ job: job(1), jobTitle: "Welder", coverLetter: "", requestId: newRequestId() });
    await Promise.all([outbox.flush(), outbox.flush(), outbox.flush()]);
    expect(p.state.calls).toBe(1);
  });

  it("queues one application per job, and keeps a refused one with its reason", async () => {
    const storage = new MemoryKeyValue();
    const outbox = new ApplicationOutbox(storage, async () => {
      throw new ConnectError("the job is closed", Code.FailedPrecondition);
    });
    await outbox.enqueue({ job: job(1), jobTitle: "Welder", coverLetter: "a", requestId: newRequestId() });
    await outbox.enqueue({ job: job(1), jobTitle: "Welder", coverLetter: "b", requestId: newRequestId() });
    expect(await outbox.list()).toHaveLength(1);
    await outbox.flush();
    const [item] = await outbox.list();
    expect(item.error).toBe("the job is closed");
    // It survives a restart (the queue is in storage), and can be dismissed.
    const again = new ApplicationOutbox(storage, async () => undefined);
    expect(await again.list()).toHaveLength(1);
    await again.dismiss(job(1));
    expect(await again.list()).toEqual([]);
  });

  it("makes request ids that are UUIDs, different each time", () => {
    const id = newRequestId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newRequestId()).not.toBe(id);
  });

  it("tells a missing connection from an answer", () => {
    expect(isOffline(new ConnectError("x", Code.Unavailable))).toBe(true);
    expect(isOffline(new TypeError("Failed to fetch"))).toBe(true);
    expect(isOffline(new ConnectError("bad", Code.InvalidArgument))).toBe(false);
    expect(isOffline(new ConnectError("dup", Code.AlreadyExists))).toBe(false);
  });
});
