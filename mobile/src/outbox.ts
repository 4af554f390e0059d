/**
 * Applications made offline: queued on the device and sent later, once.
 *
 * An application is queued when the platform cannot be reached. `flush()`
 * sends the queue in order, one flush at a time; an item leaves the queue
 * only when the platform has it: the call succeeded, or it answers
 * ALREADY_EXISTS. Each application carries an AIP-155 `request_id` chosen
 * once, when the worker pressed Apply: a retry after a lost response gets the
 * first response back, never a second application; and the platform allows
 * one application per worker and job anyway (ALREADY_EXISTS). An item
 * the platform refuses for another reason (the job closed) is kept with the
 * reason, for the worker to see and dismiss.
 */
import { Code, ConnectError } from "@iworkz/sdk";
import type { KeyValue } from "./storage";

export interface QueuedApplication {
  /** The job, `employers/{org}/jobs/{job}`: also what makes the application unique. */
  job: string;
  jobTitle: string;
  coverLetter: string;
  /** The AIP-155 request id of this application (the same on every attempt). */
  requestId: string;
  queuedAt: number;
  /** Why the platform refused it (kept for the worker to see). */
  error?: string;
}

export type Send = (item: QueuedApplication) => Promise<void>;

const KEY = "iworkz.outbox.applications";

/** A random UUID (v4) for request ids: unique, not secret. */
export function newRequestId(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Whether an error means "not reached the platform" (try later) rather than an answer. */
export function isOffline(error: unknown): boolean {
  const e = ConnectError.from(error);
  if (e.code === Code.Unavailable || e.code === Code.DeadlineExceeded) return true;
  // A fetch that never reached a server (no network, DNS, TLS) surfaces as UNKNOWN with the fetch error.
  return e.code === Code.Unknown && /fetch|network|load failed|connection/i.test(e.rawMessage);
}

export class ApplicationOutbox {
  private flushing: Promise<number> | null = null;
  private listeners = new Set<() => void>();

  constructor(
    private readonly storage: KeyValue,
    private readonly send: Send,
  ) {}

  async list(): Promise<QueuedApplication[]> {
    const text = await this.storage.getItem(KEY);
    return text ? (JSON.parse(text) as QueuedApplication[]) : [];
  }

  private async write(items: QueuedApplication[]): Promise<void> {
    await this.storage.setItem(KEY, JSON.stringify(items));
    this.listeners.forEach((l) => l());
  }

  /** Called after every change of the queue. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queue an application (a second one for the same job replaces nothing: it is the same application). */
  async enqueue(item: Omit<QueuedApplication, "queuedAt">): Promise<void> {
    const items = await this.list();
    if (items.some((i) => i.job === item.job)) return;
    await this.write([...items, { ...item, queuedAt: Date.now() }]);
  }

  async dismiss(job: string): Promise<void> {
    await this.write((await this.list()).filter((i) => i.job !== job));
  }

  /** Send what is queued; resolves to how many left the queue. Concurrent calls share one flush. */
  flush(): Promise<number> {
    if (!this.flushing) {
      this.flushing = this.flushOnce().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  private async flushOnce(): Promise<number> {
    let sent = 0;
    for (const item of await this.list()) {
      if (item.error) continue;
      try {
        await this.send(item);
      } catch (error) {
        if (isOffline(error)) break; // still offline: keep this and the rest, in order
        const e = ConnectError.from(error);
        if (e.code !== Code.AlreadyExists) {
          await this.write((await this.list()).map((i) => (i.job === item.job ? { ...i, error: e.rawMessage } : i)));
          continue;
        }
      }
      await this.write((await this.list()).filter((i) => i.job !== item.job));
      sent += 1;
    }
    return sent;
  }
}
