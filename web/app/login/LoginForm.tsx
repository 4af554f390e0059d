"use client";
import { useState } from "react";
import { Field } from "@/components/Field";
import { postJson } from "@/lib/api/browser";
import { fieldErrors } from "@/lib/api/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

export function home(roles: string[]): string {
  if (roles.includes("ROLE_WORKER")) return "/worker";
  if (roles.includes("ROLE_EMPLOYER")) return "/employer";
  if (roles.includes("ROLE_ISSUER")) return "/issuer";
  if (roles.includes("ROLE_ADMIN")) return "/admin";
  return "/";
}

export function LoginForm({ locale, next }: { locale: Locale; next?: string }) {
  const t = translator(locale);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const form = new FormData(e.currentTarget);
        const { ok, status, data } = await postJson("/api/session/login", {
          email: form.get("email"),
          password: form.get("password"),
        });
        setBusy(false);
        if (!ok) {
          setErrors(fieldErrors(data));
          setMessage(status === 401 || status === 404 ? t("login.failed") : t("form.error", { message: data.message ?? status }));
          return;
        }
        const target = next && next.startsWith("/") && !next.startsWith("//") ? next : home(data.user?.roles ?? []);
        window.location.assign(target);
      }}
    >
      {message ? (
        <p className="error" role="alert">
          {message}
        </p>
      ) : null}
      <Field name="email" label={t("auth.email")} type="email" autoComplete="email" required error={errors.email} />
      <Field name="password" label={t("auth.password")} type="password" autoComplete="current-password" required error={errors.password} />
      <button type="submit" disabled={busy}>
        {t("login.submit")}
      </button>
    </form>
  );
}
