/** Server streams that resume by the last event id after a break. */
import { Code, ConnectError } from "@connectrpc/connect";

export interface ResumableOptions<R, T> {
  /** Open the stream after event `lastId` ("" for "from now"). */
  open: (lastId: string, signal: AbortSignal) => AsyncIterable<R>;
  /** An item's event id and the value to yield (no value: a position only, e.g. a heartbeat). */
  pick: (item: R) => { id: string; value?: T } | undefined;
  lastId?: string;
  signal?: AbortSignal;
  /** Wait this long before reconnecting (default 1000 ms). */
  reconnectDelayMs?: number;
  /** Codes after which the stream is reopened (default: UNAVAILABLE, and a stream the server just ended). */
  retryOn?: Code[];
}

/**
 * Yield the values of a server stream, reopening it after UNAVAILABLE (or a
 * clean end) with the last id seen, so nothing is missed or repeated.
 */
export async function* resumable<R, T>(options: ResumableOptions<R, T>): AsyncGenerator<T> {
  let lastId = options.lastId ?? "";
  const retryOn = options.retryOn ?? [Code.Unavailable];
  const outer = options.signal;
  while (!outer?.aborted) {
    const controller = new AbortController();
    const abort = () => controller.abort(outer?.reason);
    outer?.addEventListener("abort", abort, { once: true });
    try {
      for await (const item of options.open(lastId, controller.signal)) {
        const picked = options.pick(item);
        if (!picked) continue;
        lastId = picked.id || lastId;
        if (picked.value !== undefined) yield picked.value;
      }
    } catch (e) {
      const error = ConnectError.from(e);
      if (outer?.aborted) return;
      if (!retryOn.includes(error.code)) throw error;
    } finally {
      outer?.removeEventListener("abort", abort);
      controller.abort();
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.reconnectDelayMs ?? 1000);
      outer?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
