"use client";
import { useEffect, useRef, useState } from "react";
import type { Notification } from "@/lib/api/types";

/** The user's notifications, live (Server-Sent Events through /api/live/notifications). The browser's
 * EventSource reconnects by itself and sends the last event id it saw, so none is missed. */
export function useNotifications(onNotification: (n: Notification) => void): "connecting" | "open" | "reconnecting" {
  const [state, setState] = useState<"connecting" | "open" | "reconnecting">("connecting");
  const handler = useRef(onNotification);
  handler.current = onNotification;
  useEffect(() => {
    const source = new EventSource("/api/live/notifications");
    source.onopen = () => setState("open");
    source.onerror = () => setState("reconnecting");
    source.onmessage = (event) => {
      try {
        const message = JSON.parse(event.data);
        if (message.notification) handler.current(message.notification as Notification);
      } catch {
        // a malformed event is skipped; the next one still arrives
      }
    };
    return () => source.close();
  }, []);
  return state;
}
