"use client";
// Password reset: ask for the link (the answer is the same whether or not the email has an account), then
// set a new password with the link's token. Field errors from the API appear next to their fields.
import Link from "next/link";
import { useState } from "react";
import { Field } from "@/components/Field";
import { postJson } from "@/lib/api/browser";
import { fieldErrors } from "@/lib/api/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

export function RequestResetForm({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const form = new FormData(e.currentTarget);
        const { ok, data } = await postJson("/api/v1/auth:requestPasswordReset", { email: String(form.get("email") ?? "").trim() });
        setBusy(false);
        const found = ok ? {} : fieldErrors(data);
        setErrors(found);
        if (ok) setMessage({ ok: true, text: t("reset.sent") });
        else setMessage(Object.keys(found).length ? null : { ok: false, text: t("form.error", { message: data.message ?? "" }) });
      }}
    >
      <p>{t("reset.lead")}</p>
      <Field name="email" label={t("auth.email")} type="email" autoComplete="email" required error={errors.email} />
      {message ? (
        <p className={message.ok ? "status-ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {t("reset.send")}
      </button>
    </form>
  );
}

export function ResetForm({ locale, token }: { locale: Locale; token: string }) {
  const t = translator(locale);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (message?.ok)
    return (
      <>
        <p className="status-ok" role="status">
          {message.text}
        </p>
        <p>
          <Link href="/login">{t("nav.login")}</Link>
        </p>
      </>
    );
  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const password = String(form.get("newPassword") ?? "");
        if (password !== String(form.get("confirmPassword") ?? "")) {
          setErrors({ confirmPassword: t("reset.mismatch") });
          return;
        }
        setBusy(true);
        const { ok, status, data } = await postJson("/api/v1/auth:resetPassword", { token, newPassword: password });
        setBusy(false);
        const found = ok ? {} : fieldErrors(data);
        setErrors(found);
        if (ok) setMessage({ ok: true, text: t("reset.done") });
        else if (status === 401) setMessage({ ok: false, text: t("reset.expired") });
        else setMessage(Object.keys(found).length ? null : { ok: false, text: t("form.error", { message: data.message ?? "" }) });
      }}
    >
      <Field
        name="newPassword"
        label={t("reset.newPassword")}
        type="password"
        autoComplete="new-password"
        hint={t("auth.passwordHint")}
        required
        error={errors.newPassword}
      />
      <Field name="confirmPassword" label={t("reset.confirm")} type="password" autoComplete="new-password" required error={errors.confirmPassword} />
      {message ? (
        <p className="error" role="alert">
          {message.text} {status401Link(message.text === t("reset.expired"), t("reset.again"))}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {t("reset.save")}
      </button>
    </form>
  );
}

function status401Link(show: boolean, label: string) {
  return show ? <Link href="/reset-password">{label}</Link> : null;
}
