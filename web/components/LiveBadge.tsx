import type { T } from "@/lib/i18n/messages";

export function LiveBadge({ state, t }: { state: string; t: T }) {
  return (
    <span className="live pill" role="status" data-live={state}>
      {state === "open" ? `● ${t("live.connected")}` : t("live.reconnecting")}
    </span>
  );
}
