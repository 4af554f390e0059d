// The edge sends a server stream as Server-Sent Events with only `data:` lines. For the browser's
// EventSource to resume after a drop, each event needs an `id:`: the notification's event id (or, for a
// heartbeat, the last event id sent). Pure functions, tested without a network.

export type SseEvent = { id?: string; data: string };

/** Split a text buffer into complete events and the incomplete rest. */
export function splitEvents(buffer: string): { events: SseEvent[]; rest: string } {
  const normalized = buffer.replace(/\r\n/g, "\n");
  const blocks = normalized.split("\n\n");
  const rest = blocks.pop() ?? "";
  const events: SseEvent[] = [];
  for (const block of blocks) {
    const data: string[] = [];
    let id: string | undefined;
    for (const line of block.split("\n")) {
      if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      else if (line.startsWith("id:")) id = line.slice(3).trim();
    }
    if (data.length) events.push({ id, data: data.join("\n") });
  }
  return { events, rest };
}

/** The resume position an event of the notifications stream carries. */
export function notificationEventId(data: string): string | undefined {
  try {
    const message = JSON.parse(data);
    const item = Array.isArray(message) ? message[0] : message;
    return item?.notification?.eventId || item?.heartbeat?.lastEventId || undefined;
  } catch {
    return undefined;
  }
}

export function formatEvent(event: SseEvent): string {
  const lines = event.id ? [`id: ${event.id}`] : [];
  for (const line of event.data.split("\n")) lines.push(`data: ${line}`);
  return lines.join("\n") + "\n\n";
}

/** A stream of the edge's events re-sent with ids (`idOf` reads one from an event's data). */
export function withIds(source: ReadableStream<Uint8Array>, idOf: (data: string) => string | undefined) {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = "";
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        buffer += decoder.decode(chunk, { stream: true });
        const { events, rest } = splitEvents(buffer);
        buffer = rest;
        for (const event of events) controller.enqueue(encoder.encode(formatEvent({ id: idOf(event.data), data: event.data })));
      },
    }),
  );
}
