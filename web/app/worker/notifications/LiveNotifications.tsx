"use client";
import { useState } from "react";
import { LiveBadge } from "@/components/LiveBadge";
import { useNotifications } from "@/components/useNotifications";
import { api } from "@/lib/api/browser";
import type { Notification } from "@/lib/api/types";
import { formatDate } from "@/lib/format";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

/** The inbox: the list from the server, then new notifications as they arrive. */
export function LiveNotifications({ locale, user, initial }: { locale: Locale; user: string; initial: Notification[] }) {
  const t = translator(locale);
  const [items, setItems] = useState(initial);
  const state = useNotifications((n) => setItems((old) => (old.some((o) => o.name === n.name) ? old : [n, ...old])));
  const unread = items.filter((n) => !n.read).length;
  return (
    <>
      <p className="row">
        <LiveBadge state={state} t={t} />
        <span aria-live="polite">{t("notes.unread", { count: unread })}</span>
        {unread ? (
          <button
            type="button"
            className="secondary"
            onClick={async () => {
              const { error } = await api.POST("/v1/users/{user}/notifications:markRead", { params: { path: { user } }, body: { all: true } });
              if (!error) setItems((old) => old.map((n) => ({ ...n, read: true })));
            }}
          >
            {t("notes.markRead")}
          </button>
        ) : null}
      </p>
      {items.length === 0 ? <p>{t("notes.empty")}</p> : null}
      <ul className="cards" aria-live="polite">
        {items.map((n) => (
          <li key={n.name} className="card" data-testid="notification">
            <h2 style={{ fontSize: "1.05rem", margin: 0 }}>
              {!n.read ? <span className="pill">{t("notes.new")}</span> : null} {n.title}
            </h2>
            <p>{n.body}</p>
            <p className="muted">{formatDate(n.createTime, locale, true)}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
