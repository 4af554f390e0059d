"use client";
// Confirms the address with the link's token as soon as the page opens (once), then says what happened.
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { postJson } from "@/lib/api/browser";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

type State = { kind: "working" } | { kind: "done"; email: string } | { kind: "failed"; expired: boolean };

export function VerifyEmail({ locale, token }: { locale: Locale; token: string }) {
  const t = translator(locale);
  const [state, setState] = useState<State>(token ? { kind: "working" } : { kind: "failed", expired: false });
  const sent = useRef(false);
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    void postJson("/api/v1/auth:verifyEmail", { token }).then(({ ok, status, data }) =>
      setState(ok ? { kind: "done", email: data.user?.email ?? "" } : { kind: "failed", expired: status === 401 || status === 404 }),
    );
  }, [token]);
  if (state.kind === "working") return <p role="status">{t("verifyEmail.working")}</p>;
  if (state.kind === "done")
    return (
      <>
        <p className="status-ok" role="status" data-testid="email-verified">
          {t("verifyEmail.done", { email: state.email })}
        </p>
        <p>
          <Link href="/account">{t("account.title")}</Link>
        </p>
      </>
    );
  return (
    <>
      <p className="error" role="alert">
        {state.expired ? t("verifyEmail.expired") : t("verifyEmail.noToken")}
      </p>
      <p>
        <Link href="/account">{t("verifyEmail.resendThere")}</Link>
      </p>
    </>
  );
}
