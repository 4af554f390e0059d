import { describe, expect, it } from "vitest";
import { formatEvent, notificationEventId, splitEvents, withIds } from "@/lib/sse";

describe("Server-Sent Events from the edge", () => {
  it("splits complete events and keeps the rest", () => {
    const { events, rest } = splitEvents('data: {"a":1}\n\ndata: {"b":\n');
    expect(events).toEqual([{ id: undefined, data: '{"a":1}' }]);
    expect(rest).toBe('data: {"b":\n');
  });

  it("reads the resume position of notifications and heartbeats", () => {
    expect(notificationEventId('{"notification":{"eventId":"42"}}')).toBe("42");
    expect(notificationEventId('{"heartbeat":{"lastEventId":"41"}}')).toBe("41");
    expect(notificationEventId("not json")).toBeUndefined();
  });

  it("adds ids to a stream cut at arbitrary places", async () => {
    const text = 'data: {"notification":{"eventId":"7","title":"x"}}\n\ndata: {"heartbeat":{"lastEventId":"7"}}\n\n';
    const bytes = new TextEncoder().encode(text);
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 5) c.enqueue(bytes.slice(i, i + 5));
        c.close();
      },
    });
    const out = await new Response(withIds(source, notificationEventId)).text();
    expect(out).toBe(
      formatEvent({ id: "7", data: '{"notification":{"eventId":"7","title":"x"}}' }) +
        formatEvent({ id: "7", data: '{"heartbeat":{"lastEventId":"7"}}' }),
    );
    expect(out.startsWith("id: 7\ndata: ")).toBe(true);
  });
});
