"use client";
import Link from "next/link";
import { useCallback, useState } from "react";
import { LiveBadge } from "@/components/LiveBadge";
import { useNotifications } from "@/components/useNotifications";
import { api } from "@/lib/api/browser";
import type { Application } from "@/lib/api/types";
import { formatDate } from "@/lib/format";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { jobHref } from "@/lib/jobs";

export function LiveApplications({ locale, worker, initial }: { locale: Locale; worker: string; initial: Application[] }) {
  const t = translator(locale);
  const [apps, setApps] = useState(initial);
  const reload = useCallback(async () => {
    const { data } = await api.GET("/v1/workers/{worker}/applications", { params: { path: { worker }, query: { pageSize: 100 } } });
    if (data) setApps(data.applications ?? []);
  }, [worker]);
  const state = useNotifications((n) => {
    if (n.category === "NOTIFICATION_CATEGORY_APPLICATION_STATUS") void reload();
  });
  return (
    <>
      <p className="row">
        <LiveBadge state={state} t={t} /> <span className="muted">{t("apps.live")}</span>
      </p>
      {apps.length === 0 ? <p>{t("apps.empty")}</p> : null}
      <ul className="cards">
        {apps.map((a) => (
          <li key={a.name} className="card" data-testid="application">
            <h2>
              <Link href={jobHref(a.job)}>{a.jobTitle}</Link>
            </h2>
            <p className="row">
              <strong data-testid="application-status" data-status={a.status}>
                {t(`status.${a.status}` as never)}
              </strong>
              <span className="muted">{t("apps.updated", { date: formatDate(a.updateTime, locale, true) })}</span>
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
