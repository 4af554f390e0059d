"use client";
import { useEffect, useState } from "react";
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
  // Accounts with a second factor answer the password with a challenge: then the code step.
  const [secondStep, setSecondStep] = useState(false);
  // The code field takes the focus when the second step appears (keyboard and screen-reader users land on it).
  useEffect(() => {
    if (secondStep) document.getElementById("code")?.focus();
  }, [secondStep]);
  const done = (roles: string[]) => {
    const target = next && next.startsWith("/") && !next.startsWith("//") ? next : home(roles);
    window.location.assign(target);
  };
  if (secondStep) {
    return (
      // Its own key: React must not reuse the password step's inputs (the typed password would stay in
      // the code field, shown in clear).
      <form
        key="code-step"
        className="stack"
        noValidate
        aria-labelledby="second-step"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const form = new FormData(e.currentTarget);
          const { ok, status, data } = await postJson("/api/session/second-factor", { code: form.get("code") });
          setBusy(false);
          if (!ok) {
            const found = fieldErrors(data);
            // A wrong or used code is the code's fault: said next to it.
            setErrors(Object.keys(found).length ? found : status === 401 ? { code: t("twoFactor.wrongCode") } : {});
            setMessage(Object.keys(found).length || status === 401 ? "" : t("form.error", { message: data.message ?? status }));
            return;
          }
          done(data.user?.roles ?? []);
        }}
      >
        <h2 id="second-step">{t("twoFactor.loginStep")}</h2>
        {message ? (
          <p className="error" role="alert">
            {message}
          </p>
        ) : null}
        <Field
          name="code"
          label={t("twoFactor.code")}
          hint={t("twoFactor.codeHint")}
          autoComplete="one-time-code"
          required
          error={errors.code}
        />
        <button type="submit" disabled={busy}>
          {t("twoFactor.verify")}
        </button>
      </form>
    );
  }
  return (
    <form
      key="password-step"
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
        if (data.secondFactor) {
          setErrors({});
          setMessage("");
          setSecondStep(true);
          return;
        }
        done(data.user?.roles ?? []);
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
