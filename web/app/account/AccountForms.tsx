"use client";
// The account's actions, through the BFF's /api/v1 proxy (the access token stays in its cookie).
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, postJson } from "@/lib/api/browser";
import { errorMessage } from "@/lib/api/errors";
import { formatDate } from "@/lib/format";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

export type Note = { ok: boolean; text: string } | null;

export function NoteLine({ note }: { note: Note }) {
  if (!note) return null;
  return (
    <p className={note.ok ? "status-ok" : "error"} role={note.ok ? "status" : "alert"}>
      {note.text}
    </p>
  );
}

export function ResendButton({ locale, user }: { locale: Locale; user: string }) {
  const t = translator(locale);
  const [note, setNote] = useState<Note>(null);
  return (
    <div className="stack">
      <button
        type="button"
        className="secondary"
        onClick={async () => {
          const { error, response } = await api.POST("/v1/users/{user}:resendVerificationEmail", { params: { path: { user } }, body: {} as never });
          if (!error) setNote({ ok: true, text: t("account.resent") });
          else setNote({ ok: false, text: response.status === 429 ? t("account.resendWait") : t("form.error", { message: errorMessage(error) }) });
        }}
      >
        {t("account.resend")}
      </button>
      <NoteLine note={note} />
    </div>
  );
}

type SessionRow = { name?: string; createTime?: string; lastUseTime?: string; userAgent?: string; clientAddress?: string; current?: boolean };

/** The signed-in devices: sign one out, every other one, or all (this one too: then back to login). */
export function Sessions({ locale, user, sessions }: { locale: Locale; user: string; sessions: SessionRow[] }) {
  const t = translator(locale);
  const router = useRouter();
  const [note, setNote] = useState<Note>(null);
  const everywhere = async (keepCurrent: boolean) => {
    const { data, error } = await api.POST("/v1/users/{user}/sessions:revokeAll", { params: { path: { user } }, body: { keepCurrent } as never });
    if (error) return setNote({ ok: false, text: t("form.error", { message: errorMessage(error) }) });
    if (!keepCurrent) {
      await postJson("/api/session/logout", {});
      window.location.assign("/login");
      return;
    }
    setNote({ ok: true, text: t("sessions.signedOut", { count: data?.revokedCount ?? 0 }) });
    router.refresh();
  };
  return (
    <>
      <table data-testid="sessions">
        <caption className="visually-hidden">{t("sessions.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("sessions.device")}</th>
            <th scope="col">{t("sessions.address")}</th>
            <th scope="col">{t("sessions.started")}</th>
            <th scope="col">{t("sessions.lastUsed")}</th>
            <th scope="col">
              <span className="visually-hidden">{t("sessions.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.name} data-testid="session" data-current={s.current ? "true" : "false"}>
              <td>
                {s.userAgent || t("sessions.unknownDevice")} {s.current ? <span className="pill">{t("sessions.current")}</span> : null}
              </td>
              <td>{s.clientAddress}</td>
              <td>{formatDate(s.createTime, locale, true)}</td>
              <td>{formatDate(s.lastUseTime, locale, true)}</td>
              <td>
                {s.current ? null : (
                  <button
                    type="button"
                    className="secondary"
                    aria-label={t("sessions.signOutOne", { device: s.userAgent || t("sessions.unknownDevice") })}
                    onClick={async () => {
                      const [, , , session] = (s.name ?? "").split("/");
                      const { error } = await api.POST("/v1/users/{user}/sessions/{session}:revoke", {
                        params: { path: { user, session } },
                        body: {} as never,
                      });
                      if (error) setNote({ ok: false, text: t("form.error", { message: errorMessage(error) }) });
                      else router.refresh();
                    }}
                  >
                    {t("sessions.signOut")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <NoteLine note={note} />
      <div className="row">
        <button type="button" className="secondary" onClick={() => everywhere(true)}>
          {t("sessions.signOutOthers")}
        </button>
        <button type="button" onClick={() => everywhere(false)}>
          {t("sessions.signOutAll")}
        </button>
      </div>
    </>
  );
}
